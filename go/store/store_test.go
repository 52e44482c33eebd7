package store

import (
	"context"
	"errors"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// fakeClient records each PutItem and answers with err.
type fakeClient struct {
	err      error
	inputs   []*dynamodb.PutItemInput
	deadline time.Time
	hasDL    bool
}

func (f *fakeClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.inputs = append(f.inputs, in)
	f.deadline, f.hasDL = ctx.Deadline()
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.PutItemOutput{}, nil
}

func fixed(c Client) *Store {
	s := New(c, "summaries")
	s.now = func() time.Time { return at }
	return s
}

func TestPutWritesOneConditionalItem(t *testing.T) {
	c := &fakeClient{}
	if err := fixed(c).Put(context.Background(), "req-1", sample()); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if len(c.inputs) != 1 {
		t.Fatalf("%d PutItem calls, want 1", len(c.inputs))
	}
	in := c.inputs[0]
	if *in.TableName != "summaries" {
		t.Errorf("TableName = %q", *in.TableName)
	}
	if in.ConditionExpression == nil || *in.ConditionExpression != "attribute_not_exists(request_id)" {
		t.Errorf("ConditionExpression = %v, want attribute_not_exists(request_id)", in.ConditionExpression)
	}
	if !reflect.DeepEqual(in.Item, Item("req-1", sample(), at)) {
		t.Errorf("Item = %#v", in.Item)
	}
}

func TestPutAlreadyStoredIsStored(t *testing.T) {
	c := &fakeClient{err: &types.ConditionalCheckFailedException{Message: new(string)}}
	if err := fixed(c).Put(context.Background(), "req-1", sample()); err != nil {
		t.Fatalf("a failed condition (request id already stored) must count as stored, got %v", err)
	}
}

func TestPutCauseClasses(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	for name, tc := range map[string]struct {
		err  error
		want fault.Cause
	}{
		"throughput":     {api("ProvisionedThroughputExceededException"), fault.CauseThrottled},
		"throttling":     {api("ThrottlingException"), fault.CauseThrottled},
		"request limit":  {&types.RequestLimitExceeded{}, fault.CauseThrottled},
		"access denied":  {api("AccessDeniedException"), fault.CauseAccessDenied},
		"unknown key":    {api("UnrecognizedClientException"), fault.CauseAccessDenied},
		"no credentials": {&v4.SigningError{Err: errors.New("failed to retrieve credentials")}, fault.CauseAccessDenied},
		"table missing":  {&types.ResourceNotFoundException{}, fault.CauseTableMissing},
		"refused":        {&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, fault.CauseUnreachable},
		"deadline":       {context.DeadlineExceeded, fault.CauseUnreachable},
		"internal error": {&types.InternalServerError{}, fault.CauseService},
		"validation":     {api("ValidationException"), fault.CauseService},
	} {
		t.Run(name, func(t *testing.T) {
			err := fixed(&fakeClient{err: tc.err}).Put(context.Background(), "req-1", sample())
			var se *fault.Error
			if !errors.As(err, &se) {
				t.Fatalf("Put error = %v, want a *fault.Error", err)
			}
			if se.Status != 503 || se.Code != fault.CodeUnavailable || se.Cause != tc.want {
				t.Errorf("got %d %s (%s), want 503 store_unavailable (%s)", se.Status, se.Code, se.Cause, tc.want)
			}
			if se.Detail() != fault.Detail(tc.want) || !strings.Contains(se.Detail(), "(cause: "+string(tc.want)+")") {
				t.Errorf("detail %q does not name the cause class %q", se.Detail(), tc.want)
			}
			if strings.Contains(se.Detail(), "/b") || strings.Contains(se.Detail(), " m;") {
				t.Errorf("detail %q carries the payload or the service's message", se.Detail())
			}
		})
	}
}

func TestPutTooLargeWritesNothing(t *testing.T) {
	sum := &aggregate.Summary{TopEndpoints: []aggregate.EndpointCount{}}
	for i := range 100_000 {
		sum.StatusCounts = append(sum.StatusCounts, aggregate.StatusCount{Status: "status-" + strconv.Itoa(i), Count: i})
	}
	c := &fakeClient{}
	err := fixed(c).Put(context.Background(), "req-1", sum)
	var se *fault.Error
	if !errors.As(err, &se) || se.Status != 413 || se.Code != fault.CodeTooLarge {
		t.Fatalf("Put = %v, want 413 summary_too_large", err)
	}
	if se.Size <= MaxItemBytes || se.Detail() != fault.TooLargeDetail {
		t.Errorf("size %d, detail %q", se.Size, se.Detail())
	}
	if len(c.inputs) != 0 {
		t.Errorf("a summary too large was sent to DynamoDB")
	}
}

func TestPutWithoutRequestIDUsesAUUID(t *testing.T) {
	c := &fakeClient{}
	if err := fixed(c).Put(context.Background(), "", sample()); err != nil {
		t.Fatal(err)
	}
	id := c.inputs[0].Item["request_id"].(*types.AttributeValueMemberS).Value
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("request_id without a Lambda context = %q, want a random UUID", id)
	}
}

func TestPutDeadline(t *testing.T) {
	c := &fakeClient{}
	deadline := time.Now().Add(3 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := fixed(c).Put(ctx, "req-1", sample()); err != nil {
		t.Fatal(err)
	}
	if !c.hasDL || !c.deadline.Equal(deadline.Add(-AnswerMargin)) {
		t.Errorf("PutItem deadline = %v (set %v), want the invocation's less %v", c.deadline, c.hasDL, AnswerMargin)
	}
	if err := fixed(c).Put(context.Background(), "req-1", sample()); err != nil || c.hasDL {
		t.Errorf("without an invocation deadline: %v, deadline set %v; want the timeouts alone to bound it", err, c.hasDL)
	}
	// Less than one attempt and the margin left: nothing is sent.
	c = &fakeClient{}
	short, cancel2 := context.WithTimeout(context.Background(), AttemptTimeout+AnswerMargin-50*time.Millisecond)
	defer cancel2()
	err := fixed(c).Put(short, "req-1", sample())
	var se *fault.Error
	if !errors.As(err, &se) || se.Status != 503 || se.Cause != fault.CauseUnreachable || se.SDKError != "NoTimeLeft" || len(c.inputs) != 0 {
		t.Errorf("Put with %v left = %v (sent %d), want 503 unreachable, NoTimeLeft, nothing sent", AttemptTimeout+AnswerMargin, err, len(c.inputs))
	}
}

func TestDeadlineRetryer(t *testing.T) {
	base := retry.NewStandard()
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException"}
	for _, tc := range []struct {
		attempts int
		left     time.Duration
		want     bool
	}{
		{1, 10 * time.Second, true},
		{1, 3300 * time.Millisecond, true}, // 1 s back-off + 2 s attempt + 0.2 s margin
		{1, 3100 * time.Millisecond, false},
		{2, 4300 * time.Millisecond, true}, // 2 s back-off before the 3rd attempt
		{2, 4100 * time.Millisecond, false},
	} {
		r := &deadlineRetryer{Retryer: base, deadline: time.Now().Add(tc.left)}
		for range tc.attempts {
			if _, err := r.GetAttemptToken(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := r.IsErrorRetryable(throttled); got != tc.want {
			t.Errorf("after %d attempts with %v left: retry %v, want %v", tc.attempts, tc.left, got, tc.want)
		}
	}
	r := &deadlineRetryer{Retryer: base, deadline: time.Now().Add(time.Minute)}
	if r.IsErrorRetryable(&smithy.GenericAPIError{Code: "ValidationException"}) {
		t.Error("an error the standard retryer does not retry was retried")
	}
}

func TestBrokenConfigAnswers503(t *testing.T) {
	s := &Store{table: "t", now: time.Now, initErr: errors.New("bad config file")}
	err := s.Put(context.Background(), "req-1", sample())
	var se *fault.Error
	if !errors.As(err, &se) || se.Status != 503 || se.Cause != fault.CauseService {
		t.Fatalf("Put on a store whose client could not be made = %v, want 503 (service error)", err)
	}
}

// summaryOfSize is a summary whose item is exactly target bytes by DecisionSize: distinct
// 6-digit statuses, one endpoint padded to the byte (as the Python test builds it).
func summaryOfSize(t *testing.T, target int, now time.Time) *aggregate.Summary {
	t.Helper()
	sum := &aggregate.Summary{TopEndpoints: []aggregate.EndpointCount{{Endpoint: "", Count: 1}}}
	for i := range (target - 300) / 9 { // 1 + 6 + 2 bytes a status
		sum.StatusCounts = append(sum.StatusCounts, aggregate.StatusCount{Status: strconv.Itoa(100_000 + i), Count: 1})
	}
	pad := target - DecisionSize(Item("req-1", sum, now))
	if pad < 0 || pad >= 1024 {
		t.Fatalf("pad %d", pad)
	}
	sum.TopEndpoints[0].Endpoint = strings.Repeat("x", pad)
	return sum
}

func TestPutTheSizeLimitToTheByte(t *testing.T) {
	for size, stored := range map[int]bool{MaxItemBytes: true, MaxItemBytes + 1: false} {
		c := &fakeClient{}
		s := fixed(c)
		err := s.Put(context.Background(), "req-1", summaryOfSize(t, size, s.now()))
		if stored && (err != nil || len(c.inputs) != 1) {
			t.Errorf("%d bytes: Put = %v with %d writes, want stored", size, err, len(c.inputs))
		}
		var se *fault.Error
		if !stored && (!errors.As(err, &se) || se.Status != 413 || se.Size != size || len(c.inputs) != 0) {
			t.Errorf("%d bytes: Put = %v with %d writes, want 413 and nothing sent", size, err, len(c.inputs))
		}
	}
}
