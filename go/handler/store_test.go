package handler

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// fakeStore records each Put and answers with err, or panics with panicWith.
type fakeStore struct {
	err       error
	panicWith any
	ids       []string
	sums      []aggregate.Summary
}

func (f *fakeStore) Put(_ context.Context, requestID string, s *aggregate.Summary) error {
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	f.ids = append(f.ids, requestID)
	f.sums = append(f.sums, *s)
	return f.err
}

func invokeWithStore(t *testing.T, s *fakeStore, payload string) (int, string, *strings.Builder) {
	t.Helper()
	log := &strings.Builder{}
	h := &Handler{Log: log}
	if s != nil {
		h.Store = s
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-9"})
	out, err := h.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return resp.StatusCode, resp.Body, log
}

func TestStoreOn200(t *testing.T) {
	f := &fakeStore{}
	status, body, log := invokeWithStore(t, f, `{"body":"[{\"endpoint\":\"/a\",\"status\":200}]"}`)
	if status != 200 || len(f.ids) != 1 || f.ids[0] != "req-9" || f.sums[0].TotalEvents != 1 {
		t.Fatalf("status %d, puts %v %v", status, f.ids, f.sums)
	}
	if !regexp.MustCompile(`,"compute_ms":[0-9.]+,"stored":true,"store_ms":[0-9.]+}$`).MatchString(body) {
		t.Fatalf("the answer must end with compute_ms, stored true, store_ms: %s", body)
	}
	var ans map[string]any
	if err := json.Unmarshal([]byte(body), &ans); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, body)
	}
	if !regexp.MustCompile(`,"stored":true,"store_ms":[0-9.]+}\n$`).MatchString(log.String()) {
		t.Errorf("log line: %s", log)
	}
}

func TestStoreOffLogLine(t *testing.T) {
	_, _, log := invokeWithStore(t, nil, `{"body":"[]"}`)
	if strings.Contains(log.String(), "stored") {
		t.Errorf("with the store off the log line has no store keys: %s", log)
	}
}

func TestStoreOffForErrors(t *testing.T) {
	f := &fakeStore{}
	for _, payload := range []string{`{"body":"[1,"}`, `{"requestContext":{"http":{"method":"GET"}}}`, `"x"`} {
		if status, body, _ := invokeWithStore(t, f, payload); status == 200 || strings.Contains(body, "stored") {
			t.Errorf("%s: %d %s", payload, status, body)
		}
	}
	if len(f.ids) != 0 {
		t.Errorf("an error answer stored: %v", f.ids)
	}
	if _, _, log := invokeWithStore(t, f, `{"body":"[1,"}`); strings.Contains(log.String(), "store") {
		t.Errorf("an error answer before the store logs as without it: %s", log)
	}
}

func TestStoreFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		s      *fakeStore
		status int
		code   string
		inLog  string
	}{
		"unavailable": {&fakeStore{err: &fault.Error{Status: 503, Code: fault.CodeUnavailable, Cause: fault.CauseThrottled,
			SDKError: "ThrottlingException"}}, 503, fault.CodeUnavailable,
			`"stored":false,"store_ms":0.`},
		"no time left": {&fakeStore{err: &fault.Error{Status: 503, Code: fault.CodeUnavailable, Cause: fault.CauseUnreachable,
			SDKError: "NoTimeLeft"}}, 503, fault.CodeUnavailable,
			`,"store_cause":"unreachable","store_error":"NoTimeLeft"}`},
		"too large": {&fakeStore{err: &fault.Error{Status: 413, Code: fault.CodeTooLarge, Size: 500_000}}, 413, fault.CodeTooLarge,
			`"stored":false,"store_ms":null,"store_cause":null,"store_error":null}`},
		"foreign error": {&fakeStore{err: errors.New("boom")}, 503, fault.CodeUnavailable, `"store_cause":"service error","store_error":"error"}`},
		"panic":         {&fakeStore{panicWith: "bug"}, 503, fault.CodeUnavailable, `"store_cause":"service error","store_error":"panic"}`},
	} {
		t.Run(name, func(t *testing.T) {
			status, body, log := invokeWithStore(t, tc.s, `{"body":"[{\"endpoint\":\"/secret\"}]"}`)
			var ans map[string]any
			if err := json.Unmarshal([]byte(body), &ans); err != nil {
				t.Fatal(err)
			}
			if status != tc.status || ans["error"] != tc.code || ans["language"] != "go" || ans["detail"] == "" {
				t.Errorf("%d %s, want %d %s", status, body, tc.status, tc.code)
			}
			if strings.Contains(body, "secret") || strings.Contains(log.String(), "secret") {
				t.Errorf("the payload leaked: %s\n%s", body, log)
			}
			if wantWarn := tc.status == 503; strings.HasPrefix(log.String(), `{"level":"WARNING"`) != wantWarn {
				t.Errorf("log level: %s, want WARNING only for a 503", log)
			}
			if !strings.Contains(log.String(), tc.inLog) || !strings.Contains(log.String(), `"status_code":`+strconv.Itoa(tc.status)) {
				t.Errorf("log %s, want %s and the status", log, tc.inLog)
			}
		})
	}
}
