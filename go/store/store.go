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
	"crypto/rand"
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
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// TableEnv names the environment variable that turns the store on: the table's name.
const TableEnv = "TELEMETRY_AGG_TABLE"

// The bounds of one Put (docs/contract.md §5.6), the same as the Python side's botocore config.
const (
	ConnectTimeout = 1 * time.Second // to open a connection
	ReadTimeout    = 1 * time.Second // without a byte from an open connection
	AttemptTimeout = 2 * time.Second // one attempt in all
	MaxAttempts    = 3               // the first attempt and two retries
	// AnswerMargin is what the store step leaves of the invocation's time, to answer and log.
	AnswerMargin = 200 * time.Millisecond
)

const condition = "attribute_not_exists(request_id)"

// Client is the one DynamoDB call the store makes; *dynamodb.Client implements it.
type Client interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Store writes summaries to one table. Lambda runs one invocation at a time per environment;
// Put is safe for concurrent use all the same.
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
// a 503 (service error), so that no 200 goes out without its item and none is a 500.
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
// with the standard retryer (MaxAttempts) and the timeouts above. optFns apply last.
func NewClient(ctx context.Context, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = ConnectTimeout }).
		WithReadTimeout(ReadTimeout).
		WithTimeout(AttemptTimeout)
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = MaxAttempts })
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration for the DynamoDB client: %w", err)
	}
	return dynamodb.NewFromConfig(cfg, optFns...), nil
}

// Put stores the summary of the request requestID (a random UUID when empty: no Lambda
// context) with one conditional PutItem (docs/contract.md §5). A nil error means stored, this
// time or by an earlier attempt of the same request id. Otherwise the error is an *fault.Error,
// which says the answer to send instead. ctx's deadline is the invocation's.
func (s *Store) Put(ctx context.Context, requestID string, sum *aggregate.Summary) error {
	if s.initErr != nil {
		return unavailable(fault.CauseService, s.initErr)
	}
	if requestID == "" {
		requestID = newUUID()
	}
	item := Item(requestID, sum, s.now())
	if size := DecisionSize(item); size > MaxItemBytes {
		return &fault.Error{Status: 413, Code: fault.CodeTooLarge, Size: size}
	}
	var opts []func(*dynamodb.Options)
	if deadline, ok := ctx.Deadline(); ok {
		if time.Until(deadline) < AttemptTimeout+AnswerMargin {
			return unavailable(fault.CauseUnreachable, errNoTimeLeft)
		}
		opts = append(opts, func(o *dynamodb.Options) { o.Retryer = &deadlineRetryer{Retryer: o.Retryer, deadline: deadline} })
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-AnswerMargin)) // a safety net only
		defer cancel()
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String(condition),
	}, opts...)
	if err == nil {
		return nil
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ConditionalCheckFailedException" {
		return nil // this request id is stored already: Lambda retried the invocation
	}
	return unavailable(classify(err), err)
}

// classify names the cause class of a PutItem error after the SDK's retries (§5.7).
func classify(err error) fault.Cause {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
			return fault.CauseThrottled
		case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
			"MissingAuthenticationTokenException", "ExpiredTokenException":
			return fault.CauseAccessDenied
		case "ResourceNotFoundException":
			return fault.CauseTableMissing
		}
		return fault.CauseService
	}
	var signErr *v4.SigningError
	if errors.As(err, &signErr) {
		return fault.CauseAccessDenied // no credentials to sign the request with
	}
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	var canceled *aws.RequestCanceledError
	if errors.As(err, &sendErr) || errors.As(err, &netErr) || errors.As(err, &canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fault.CauseUnreachable // no HTTP answer: refused, reset, not resolved, timed out
	}
	return fault.CauseService
}

// deadlineRetryer lets the standard retryer retry only when the longest back-off before the
// next attempt, the attempt and AnswerMargin fit before the invocation's deadline (§5.6).
// One is made per Put: it counts that Put's attempts.
type deadlineRetryer struct {
	aws.Retryer
	deadline time.Time
	attempts int
}

func (r *deadlineRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	r.attempts++
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.GetInitialToken(), nil
}

func (r *deadlineRetryer) IsErrorRetryable(err error) bool {
	if !r.Retryer.IsErrorRetryable(err) {
		return false
	}
	// The standard mode's back-off for a throttle is at most 1 s before the 2nd attempt, 2 s
	// before the 3rd (doubling, 20 s at most).
	longest := min(time.Second<<max(r.attempts-1, 0), 20*time.Second)
	return time.Until(r.deadline) >= longest+AttemptTimeout+AnswerMargin
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
