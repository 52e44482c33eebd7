package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The handler is what lambda.Start runs: it must satisfy lambda.Handler, so the payload
// arrives as raw bytes.
var _ lambda.Handler = (*Handler)(nil)

func ExampleHandler_Invoke() {
	h := &Handler{Log: &bytes.Buffer{}}
	event := `{"requestContext": {"http": {"method": "POST"}},
	           "body": "[{\"endpoint\": \"/login\", \"status\": 200, \"duration_ms\": 12}]"}`
	out, _ := h.Invoke(context.Background(), []byte(event))
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	_ = json.Unmarshal(out, &resp)
	var body map[string]any
	_ = json.Unmarshal([]byte(resp.Body), &body)
	fmt.Println(resp.StatusCode, body["total_events"], body["top_endpoints"], body["status_counts"])

	out, _ = h.Invoke(context.Background(), []byte(`{"requestContext": {"http": {"method": "GET"}}}`))
	fmt.Println(string(out))
	// Output:
	// 200 1 [[/login 1]] map[200:1]
	// {"statusCode":405,"headers":{"content-type":"application/json","allow":"POST"},"body":"{\"error\":\"method_not_allowed\",\"detail\":\"This function only accepts POST; send the batch as the body of a POST request.\",\"language\":\"go\"}"}
}

// TestLogLine: one JSON line per invocation with the contract's keys, never the payload.
func TestLogLine(t *testing.T) {
	var log bytes.Buffer
	h := &Handler{Log: &log}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	secret := "u_secret_payload_value"
	events := []string{
		`[{"user_id": "` + secret + `"}]`,
		`{"body": "[{\"user_id\": \"` + secret + `\"}, 1]"}`,
		`{"body": "{\"user_id\": \"` + secret + `\"}"}`,
		`not json ` + secret,
	}
	for _, e := range events {
		if _, err := h.Invoke(ctx, []byte(e)); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != len(events) {
		t.Fatalf("%d log lines for %d invocations:\n%s", len(lines), len(events), log.String())
	}
	keys := []string{"level", "message", "language", "aggregator", "status_code", "error", "request_bytes",
		"document_bytes", "total_events", "invalid_events", "parse_ms", "compute_ms", "request_id"}
	wantStatus := []float64{200, 200, 400, 400}
	for i, line := range lines {
		if strings.Contains(line, secret) {
			t.Errorf("log line %d holds the payload: %s", i, line)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %d is not JSON: %v\n%s", i, err, line)
		}
		for _, k := range keys {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line %d lacks %q: %s", i, k, line)
			}
		}
		if rec["request_id"] != "req-1" || rec["language"] != "go" || rec["message"] != "aggregated" ||
			rec["status_code"] != wantStatus[i] || rec["level"] != "INFO" {
			t.Errorf("log line %d: %s", i, line)
		}
	}
	var first map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	if first["total_events"] != 1.0 || first["error"] != nil {
		t.Errorf("log line 0: %s", lines[0])
	}
}

// TestNeverFails feeds the handler malformed and hostile events: each gets the response shape
// with a 200 or a 4xx, never an error, never a panic.
func TestNeverFails(t *testing.T) {
	h := &Handler{Log: &bytes.Buffer{}}
	events := [][]byte{
		nil, []byte(""), []byte("   "), []byte("\xff"), []byte("{"), []byte(`{"body": 5}`), []byte("[" + strings.Repeat("[", 5000)),
		[]byte(`{"body": "` + strings.Repeat(`\ud800`, 3) + `"}`), []byte(`{"headers": {"content-encoding": "gzip"}, "body": "x"}`),
		[]byte(`{"isBase64Encoded": true, "headers": {"content-encoding": "gzip"}, "body": "H4sIAAAAAAAA"}`),
		[]byte(`{"requestContext": {"http": {"method": NaN}}}`), []byte("\xef\xbb\xbf[]"), []byte(`[{"a": NaN, "a": 1}]`),
	}
	for _, e := range events {
		out, err := h.Invoke(context.Background(), e)
		if err != nil {
			t.Fatalf("%q: error %v", e, err)
		}
		var resp struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       string            `json:"body"`
		}
		if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode >= 500 || resp.Headers["content-type"] != "application/json" || !json.Valid([]byte(resp.Body)) {
			t.Errorf("%.40q: %s (%v)", e, out, err)
		}
	}
}

// TestEventNotJSON pins the Go-only decision (docs/contract.md §1): an event whose text is not
// JSON, which the Python runtime never hands to a handler, is 400 invalid_json; an event that
// json.loads reads (NaN, a lone surrogate outside the body) is read, not refused.
func TestEventNotJSON(t *testing.T) {
	cases := map[string]string{
		`{"body": "[]"`:    "invalid_json",
		`{"body": "[]"} x`: "invalid_json",
		"ÿ":                "invalid_json",
		``:                 "invalid_json",
		`{'body': '[]'}`:   "invalid_json",
		`{"body": "[]", "x": NaN, "rawPath": "/\ud800"}`: "",
		`{"body": "[]", "headers": {"x": -Infinity}}`:    "",
	}
	for event, want := range cases {
		res := Process([]byte(event))
		if res.Error != want || (want == "") != (res.StatusCode == 200) {
			t.Errorf("%q: %d %q, want %q", event, res.StatusCode, res.Error, want)
		}
	}
}

// FuzzHandler: any event, however malformed, gets a well-formed 200 or 4xx response.
func FuzzHandler(f *testing.F) {
	for _, path := range vectorFiles(f) {
		_, event := loadVector(f, path)
		if len(event) < 4096 {
			f.Add(event)
		}
	}
	h := &Handler{Log: &bytes.Buffer{}}
	f.Fuzz(func(t *testing.T, event []byte) {
		h.Log.(*bytes.Buffer).Reset()
		out, err := h.Invoke(context.Background(), event)
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err != nil || json.Unmarshal(out, &resp) != nil || !json.Valid([]byte(resp.Body)) {
			t.Fatalf("%q: %s, %v", event, out, err)
		}
		if resp.StatusCode != 200 && (resp.StatusCode < 400 || resp.StatusCode > 415) {
			t.Fatalf("%q: status %d", event, resp.StatusCode)
		}
		if strings.Contains(h.Log.(*bytes.Buffer).String(), `"level":"ERROR"`) {
			t.Fatalf("%q: the handler recovered from a panic", event)
		}
	})
}
