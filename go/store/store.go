// Package store writes each 200 answer's summary to DynamoDB: the stored workload of
// docs/contract.md §5. One conditional PutItem per request, keyed by the Lambda request id,
// through aws-sdk-go-v2 (service/dynamodb) with its default retryer (standard mode).
//
// The client is made once per execution environment (FromEnv, from the bootstrap's main) and
// every Put is bounded by the invocation's deadline, so a store that does not answer ends in a
// 503 the handler can still send.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
)

// TableEnv names the environment variable that turns the store on: the table's name.
const TableEnv = "TELEMETRY_AGG_TABLE"

// The bounds of one Put (docs/contract.md §5, retries). The same numbers as the Python side's
// botocore config: connect 1 s, read 2 s, 3 attempts in all.
const (
	ConnectTimeout = 1 * time.Second // to open a connection to the endpoint
	ReadTimeout    = 2 * time.Second // without a byte from an open connection
	MaxAttempts    = 3               // the first attempt and two retries
	MaxBackoff     = 1 * time.Second // the longest wait between two attempts
	// NoDeadlineBudget bounds a Put whose context carries no deadline (tests, the CLI).
	NoDeadlineBudget = 10 * time.Second
	// AnswerMargin is kept back from the invocation's deadline to send the 503 in time.
	AnswerMargin = 300 * time.Millisecond
)

// Client is the one DynamoDB call the store makes; *dynamodb.Client implements it.
type Client interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Store writes summaries to one table.
type Store struct {
	client  Client
	table   string
	now     func() time.Time
	initErr error // the client could not be made: every Put answers 503
}

// New returns a Store that writes to table through client.
func New(client Client, table string) *Store {
	return &Store{client: client, table: table, now: time.Now}
}

// Table is the name of the table written to.
func (s *Store) Table() string { return s.table }

// FromEnv makes the Store when TELEMETRY_AGG_TABLE names a table, and returns nil, nil when it
// is unset or empty (the store is off). Call it once per execution environment, at init.
// When the client cannot be made it returns the error and a Store whose every Put fails with
// a 503 (cause CauseConfig), so that no 200 goes out without its item.
func FromEnv(ctx context.Context) (*Store, error) {
	table := os.Getenv(TableEnv)
	if table == "" {
		return nil, nil
	}
	client, err := NewClient(ctx)
	if err != nil {
		return &Store{table: table, now: time.Now, initErr: err}, err
	}
	return New(client, table), nil
}

// NewClient makes the DynamoDB client from the default configuration chain (AWS_REGION,
// credentials from the environment, AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL honoured),
// with the standard retryer and the timeouts above.
func NewClient(ctx context.Context) (*dynamodb.Client, error) {
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = ConnectTimeout }).
		WithReadTimeout(ReadTimeout)
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = MaxAttempts
				o.MaxBackoff = MaxBackoff
			})
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration for the DynamoDB client: %w", err)
	}
	return dynamodb.NewFromConfig(cfg), nil
}

// Put stores the summary of the request requestID, answered at now (docs/contract.md §5). A nil
// error means stored, this time or by an earlier attempt of the same request id. Otherwise the
// error is an *Error, which says the answer to send instead.
func (s *Store) Put(ctx context.Context, requestID string, sum *aggregate.Summary) error {
	if s.initErr != nil {
		return &Error{Status: 503, Code: CodeUnavailable, Cause: CauseConfig, Err: s.initErr}
	}
	if requestID == "" {
		return &Error{Status: 503, Code: CodeUnavailable, Cause: CauseNoRequestID}
	}
	item := Item(requestID, sum, s.now())
	if size := ItemSize(item); size > MaxItemBytes {
		return &Error{Status: 413, Code: CodeTooLarge, Size: size}
	}
	ctx, cancel := bound(ctx)
	defer cancel()
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(request_id)"),
	})
	if err == nil {
		return nil
	}
	cause := classify(err)
	if cause == causeAlreadyStored {
		return nil
	}
	return &Error{Status: 503, Code: CodeUnavailable, Cause: cause, Err: err}
}

// bound gives the Put a deadline: the invocation's, less AnswerMargin, or NoDeadlineBudget.
func bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-AnswerMargin))
	}
	return context.WithTimeout(ctx, NoDeadlineBudget)
}

// classify names the cause class of a PutItem error after the SDK's retries.
func classify(err error) Cause {
	var signErr *v4.SigningError
	if errors.As(err, &signErr) {
		return CauseAccessDenied // no credentials to sign the request with
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "ConditionalCheckFailedException":
			return causeAlreadyStored
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
			"ThrottledException", "TooManyRequestsException", "LimitExceededException":
			return CauseThrottled
		case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
			"MissingAuthenticationTokenException", "ExpiredTokenException", "IncompleteSignature",
			"InvalidClientTokenId", "SignatureDoesNotMatch":
			return CauseAccessDenied
		case "ResourceNotFoundException":
			return CauseTableMissing
		}
		return CauseService
	}
	// No answer from the service: refused, reset, timed out, no route, the deadline reached.
	return CauseUnreachable
}
