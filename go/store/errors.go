package store

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// The error codes of the answers a Put can turn into (docs/contract.md §5).
const (
	CodeUnavailable = "store_unavailable" // 503
	CodeTooLarge    = "summary_too_large" // 413
)

// Cause is the class of a failed write, named in the 503's detail.
type Cause string

// The cause classes of docs/contract.md §5, and the three this side adds.
const (
	CauseThrottled     Cause = "throttled"
	CauseAccessDenied  Cause = "access denied"
	CauseUnreachable   Cause = "unreachable"
	CauseTableMissing  Cause = "table missing"
	CauseService       Cause = "service error"  // any other error DynamoDB answered with
	CauseNoRequestID   Cause = "no request id"  // the invocation carried no Lambda request id
	CauseConfig        Cause = "configuration"  // the client could not be made at init
	causeAlreadyStored Cause = "already stored" // not a failure: the request id is stored
)

// Error is a Put that did not store: the answer to send instead of the 200.
type Error struct {
	Status int    // 503 or 413
	Code   string // CodeUnavailable or CodeTooLarge
	Cause  Cause  // for a 503
	Size   int    // for a 413: the item's size in bytes by ItemSize
	Err    error  // the SDK's error, for the log; never in the answer
}

// Detail is the answer's detail: the cause class and what to do, never the payload.
func (e *Error) Detail() string {
	if e.Code == CodeTooLarge {
		return fmt.Sprintf("The summary would be a %d-byte DynamoDB item, over the 400 KB item limit, so it was not stored; "+
			"send fewer distinct statuses and endpoints per batch.", e.Size)
	}
	switch e.Cause {
	case CauseThrottled:
		return "The summary could not be stored: DynamoDB throttled the write (throttled) through every retry; retry later or raise the table's capacity."
	case CauseAccessDenied:
		return "The summary could not be stored: DynamoDB refused the write (access denied); give the function dynamodb:PutItem on the table and valid credentials."
	case CauseTableMissing:
		return "The summary could not be stored: the table named in TELEMETRY_AGG_TABLE does not exist (table missing); create it or correct the name."
	case CauseUnreachable:
		return "The summary could not be stored: DynamoDB did not answer in time (unreachable); retry later and check the function's network path to DynamoDB."
	case CauseConfig:
		return "The summary could not be stored: the function's AWS configuration could not be read at start-up (configuration); fix its region, credentials or config files."
	case CauseNoRequestID:
		return "The summary could not be stored: the invocation carried no Lambda request id to key it by (no request id); invoke through the Lambda runtime."
	}
	return "The summary could not be stored: DynamoDB answered with an error (service error) through every retry; retry later."
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Cause, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Detail())
}

func (e *Error) Unwrap() error { return e.Err }

// Reason says what went wrong for the function's log: the service's error code, or the
// transport's error (which names the endpoint, never the item), and "" when Err is nil.
func (e *Error) Reason() string {
	if e.Err == nil {
		return ""
	}
	var apiErr smithy.APIError
	if errors.As(e.Err, &apiErr) {
		return "DynamoDB error " + apiErr.ErrorCode()
	}
	return e.Err.Error()
}
