// Package fault says why a summary was not stored (docs/contract.md §5): the error a store
// returns and the answer it turns into. It imports no AWS SDK, so that the handler, which
// answers with it, links the SDK only when the store itself is linked in.
package fault

import "fmt"

// The error codes of the answers a store can turn a 200 into.
const (
	CodeUnavailable = "store_unavailable" // 503
	CodeTooLarge    = "summary_too_large" // 413
)

// Cause is the class of a failed write, named in the 503's detail (docs/contract.md §5.7).
type Cause string

// The cause classes.
const (
	CauseThrottled    Cause = "throttled"
	CauseAccessDenied Cause = "access denied"
	CauseTableMissing Cause = "table missing"
	CauseUnreachable  Cause = "unreachable"
	CauseService      Cause = "service error" // any other error answer or failure
)

const prefix = "The summary could not be stored (cause: "

// details are the 503 details, the same text in both languages (docs/contract.md §5.7).
var details = map[Cause]string{
	CauseThrottled: prefix + "throttled): DynamoDB throttled the write until the retries ran out. " +
		"Retry later, or raise the table's capacity.",
	CauseAccessDenied: prefix + "access denied): the function may not write to the table. " +
		"Grant its role dynamodb:PutItem on the table named in TELEMETRY_AGG_TABLE.",
	CauseTableMissing: prefix + "table missing): the table named in TELEMETRY_AGG_TABLE does not " +
		"exist in this account and region. Create it, or fix the name.",
	CauseUnreachable: prefix + "unreachable): DynamoDB did not answer before the retries or the " +
		"invocation's time ran out. Retry later.",
	CauseService: prefix + "service error): DynamoDB refused the write. Retry later; if it " +
		"persists, read the function's log line for the error code.",
}

// TooLargeDetail is the 413's detail (docs/contract.md §5.5).
const TooLargeDetail = "The summary is too large to store: its DynamoDB item would be over DynamoDB's 400 KB item " +
	"limit. Send fewer distinct status values (or shorter endpoints) per request, or split the batch."

// Detail is the 503 detail of a cause class (a service error's for an unknown one).
func Detail(c Cause) string {
	if d, ok := details[c]; ok {
		return d
	}
	return details[CauseService]
}

// Error is a summary that was not stored: the answer to send instead of the 200.
type Error struct {
	Status   int    // 503 or 413
	Code     string // CodeUnavailable or CodeTooLarge
	Cause    Cause  // for a 503
	SDKError string // for a 503: the SDK's error code or error type, for the log line only
	Size     int    // for a 413: the item's size in bytes
	Err      error  // the error itself, when there is one; never in the answer
}

// Unavailable is a 503 store_unavailable of the cause class.
func Unavailable(cause Cause, sdkError string, err error) *Error {
	return &Error{Status: 503, Code: CodeUnavailable, Cause: cause, SDKError: sdkError, Err: err}
}

// Detail is the answer's detail: the cause class and what to do, never the payload.
func (e *Error) Detail() string {
	if e.Code == CodeTooLarge {
		return TooLargeDetail
	}
	return Detail(e.Cause)
}

func (e *Error) Error() string {
	if e.Code == CodeTooLarge {
		return fmt.Sprintf("%s: a %d-byte item", e.Code, e.Size)
	}
	return fmt.Sprintf("%s (%s): %s", e.Code, e.Cause, e.SDKError)
}

func (e *Error) Unwrap() error { return e.Err }
