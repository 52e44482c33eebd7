package store_test

import (
	"context"
	"encoding/json"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
	"github.com/telemetry-agg/telemetry-agg/go/store"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// The handler with the store on, as cmd/bootstrap makes it, against a real DynamoDB API.

const batch = `[{"endpoint":"/a","status":200,"duration_ms":12,"user_id":"u1"},` +
	`{"endpoint":"/b","status":404,"duration_ms":30,"user_id":42},{"endpoint":"/a","status":200},` +
	`{"status":"bad"}]`

func event(body string) []byte {
	b, _ := json.Marshal(map[string]any{"requestContext": map[string]any{"http": map[string]any{"method": "POST"}}, "body": body})
	return b
}

type answer struct {
	StatusCode int
	Headers    map[string]string
	Body       map[string]any
	Keys       []string // the body's keys in order
}

// invoke runs one invocation as the Lambda runtime would: request id and deadline in ctx.
func invoke(t *testing.T, h *handler.Handler, requestID string, payload []byte, timeout time.Duration) answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID})
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("Invoke returned an error: %v", err)
	}
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response: %v\n%s", err, out)
	}
	a := answer{StatusCode: resp.StatusCode, Headers: resp.Headers}
	if err := json.Unmarshal([]byte(resp.Body), &a.Body); err != nil {
		t.Fatalf("body: %v\n%s", err, resp.Body)
	}
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	_, _ = dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		a.Keys = append(a.Keys, k.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	return a
}

func storeHandler(t *testing.T, table string) *handler.Handler {
	t.Helper()
	t.Setenv(store.TableEnv, table)
	s, err := store.FromEnv(context.Background())
	if err != nil || s == nil {
		t.Fatalf("FromEnv = %v, %v", s, err)
	}
	return &handler.Handler{Log: &strings.Builder{}, Store: s}
}

func TestMotoRetriedRequestIDStoresOnce(t *testing.T) {
	useMoto(t)
	client := newTable(t, "summaries-retried")
	h := storeHandler(t, "summaries-retried")
	var answers []answer
	for range 2 {
		a := invoke(t, h, "retried-0001", event(batch), 5*time.Second)
		if a.StatusCode != 200 || a.Body["stored"] != true {
			t.Fatalf("answer %d %v, want 200 with stored true", a.StatusCode, a.Body)
		}
		if n := len(a.Keys); n < 3 || a.Keys[n-3] != "compute_ms" || a.Keys[n-2] != "stored" || a.Keys[n-1] != "store_ms" {
			t.Errorf("keys %v, want ... compute_ms, stored, store_ms", a.Keys)
		}
		if ms, ok := a.Body["store_ms"].(float64); !ok || ms <= 0 {
			t.Errorf("store_ms = %v, want a positive number", a.Body["store_ms"])
		}
		answers = append(answers, a)
	}
	got := items(t, client, "summaries-retried")
	if len(got) != 1 {
		t.Fatalf("%d items after the same request id twice, want 1", len(got))
	}
	checkItem(t, got[0], "retried-0001", answers[0].Body)
}

// checkItem compares a stored item with the answer it was stored for (docs/contract.md §5).
func checkItem(t *testing.T, item map[string]types.AttributeValue, requestID string, body map[string]any) {
	t.Helper()
	want := map[string]any{"request_id": requestID, "language": "go"}
	for _, k := range []string{"total_events", "invalid_events", "unique_users", "p95_duration_ms", "top_endpoints", "status_counts"} {
		want[k] = body[k]
	}
	got := map[string]any{}
	for k, v := range item {
		got[k] = plain(t, k, v)
	}
	storedAt, _ := got["stored_at"].(string)
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(storedAt) {
		t.Errorf("stored_at = %q, want RFC 3339 UTC with milliseconds and Z", storedAt)
	}
	at, err := time.Parse(time.RFC3339Nano, storedAt)
	if err != nil || got["expires_at"] != float64(at.Unix()+7*24*3600) {
		t.Errorf("expires_at = %v, want stored_at (%s) + 7 days in epoch seconds", got["expires_at"], storedAt)
	}
	if d := time.Since(at); d < 0 || d > time.Minute {
		t.Errorf("stored_at %s is not now", storedAt)
	}
	delete(got, "stored_at")
	delete(got, "expires_at")
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("item differs from the answer\n got %s\nwant %s", gj, wj)
	}
}

// plain turns an attribute value into what json.Unmarshal gives for the answer's value; the
// types are checked on the way: numbers N, texts S, top_endpoints L of [S, N], status_counts M.
func plain(t *testing.T, name string, v types.AttributeValue) any {
	t.Helper()
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			t.Errorf("%s: N %q is not a number", name, v.Value)
		}
		return f
	case *types.AttributeValueMemberL:
		l := []any{}
		for _, e := range v.Value {
			l = append(l, plain(t, name, e))
		}
		return l
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = plain(t, name, e)
		}
		return m
	}
	t.Errorf("%s: unexpected attribute type %T", name, v)
	return nil
}

func TestMotoErrorAnswersStoreNothing(t *testing.T) {
	useMoto(t)
	client := newTable(t, "summaries-errors")
	h := storeHandler(t, "summaries-errors")
	for _, payload := range [][]byte{event("[1,"), event(`{"not":"an array"}`), []byte(`{"requestContext":{"http":{"method":"GET"}}}`)} {
		if a := invoke(t, h, "error-"+strconv.Itoa(len(payload)), payload, 5*time.Second); a.StatusCode == 200 || a.Body["stored"] != nil {
			t.Errorf("%s: %d %v, want an error answer without stored", payload, a.StatusCode, a.Body)
		}
	}
	if n := len(items(t, client, "summaries-errors")); n != 0 {
		t.Errorf("%d items after error answers only, want 0", n)
	}
}

func TestMotoEmptyBatchIsStored(t *testing.T) {
	useMoto(t)
	client := newTable(t, "summaries-empty")
	h := storeHandler(t, "summaries-empty")
	a := invoke(t, h, "empty-1", event(""), 5*time.Second)
	if a.StatusCode != 200 || a.Body["stored"] != true {
		t.Fatalf("empty batch: %d %v, want 200 stored", a.StatusCode, a.Body)
	}
	got := items(t, client, "summaries-empty")
	if len(got) != 1 {
		t.Fatalf("%d items, want 1", len(got))
	}
	checkItem(t, got[0], "empty-1", a.Body)
}

func TestMotoTableMissing(t *testing.T) {
	useMoto(t)
	h := storeHandler(t, "no-such-table")
	a := invoke(t, h, "missing-1", event(batch), 5*time.Second)
	if a.StatusCode != 503 || a.Body["error"] != fault.CodeUnavailable || !strings.Contains(a.Body["detail"].(string), "(cause: table missing)") {
		t.Fatalf("answer %d %v, want 503 store_unavailable naming (table missing)", a.StatusCode, a.Body)
	}
}

func TestMotoSummaryTooLarge(t *testing.T) {
	useMoto(t)
	client := newTable(t, "summaries-large")
	h := storeHandler(t, "summaries-large")
	var b strings.Builder
	b.WriteString("[")
	for i := range 50_000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"status":` + strconv.Itoa(1_000_000+i) + `}`)
	}
	b.WriteString("]")
	a := invoke(t, h, "large-1", event(b.String()), 10*time.Second)
	if a.StatusCode != 413 || a.Body["error"] != fault.CodeTooLarge {
		t.Fatalf("answer %d %v, want 413 summary_too_large", a.StatusCode, a.Body)
	}
	if n := len(items(t, client, "summaries-large")); n != 0 {
		t.Errorf("%d items after a 413, want 0", n)
	}
}

func TestUnreachableAnswers503BeforeTheDeadline(t *testing.T) {
	// No moto needed: the endpoint is a port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	store.UseEndpoint(t, "http://"+addr)
	h := storeHandler(t, "summaries")
	const timeout = 3 * time.Second
	start := time.Now()
	a := invoke(t, h, "unreachable-1", event(batch), timeout)
	if took := time.Since(start); took >= timeout {
		t.Errorf("the answer took %v, past the invocation's %v deadline", took, timeout)
	}
	if a.StatusCode != 503 || a.Body["error"] != fault.CodeUnavailable || !strings.Contains(a.Body["detail"].(string), "(cause: unreachable)") {
		t.Fatalf("answer %d %v, want 503 store_unavailable naming (unreachable)", a.StatusCode, a.Body)
	}
	if strings.Contains(a.Body["detail"].(string), "/a") {
		t.Errorf("the detail carries the payload: %v", a.Body["detail"])
	}
}
