package store

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// UseEndpoint points the SDK's default configuration at endpoint, as the bench points a
// function at its local server: AWS_ENDPOINT_URL_DYNAMODB and dummy credentials, no files read.
// (Exported for the external tests of this package: moto_test.go, e2e_test.go.)
func UseEndpoint(t *testing.T, endpoint string) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
}

// dynamoStub is a DynamoDB endpoint speaking the JSON protocol (awsJson1_0) that answers every
// PutItem with status and the error type errType ("" for success), counting the requests.
func dynamoStub(t *testing.T, status int, errType string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.PutItem" || !json.Valid(body) {
			http.Error(w, "not a PutItem", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		if errType == "" {
			_, _ = io.WriteString(w, "{}")
			return
		}
		_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#`+errType+`","message":"stub"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func putThrough(t *testing.T, ctx context.Context) error {
	t.Helper()
	s, err := FromEnv(ctx)
	if err != nil || s == nil {
		t.Fatalf("FromEnv = %v, %v", s, err)
	}
	return s.Put(ctx, "req-1", sample())
}

func TestSDKAgainstStub(t *testing.T) {
	for name, tc := range map[string]struct {
		status   int
		errType  string
		want     fault.Cause // "" for stored
		attempts int32
	}{
		"stored":         {200, "", "", 1},
		"already stored": {400, "ConditionalCheckFailedException", "", 1},
		"throttled":      {400, "ProvisionedThroughputExceededException", fault.CauseThrottled, MaxAttempts},
		"throttling":     {400, "ThrottlingException", fault.CauseThrottled, MaxAttempts},
		"access denied":  {400, "AccessDeniedException", fault.CauseAccessDenied, 1},
		"table missing":  {400, "ResourceNotFoundException", fault.CauseTableMissing, 1},
		"internal error": {500, "InternalServerError", fault.CauseService, MaxAttempts},
	} {
		t.Run(name, func(t *testing.T) {
			srv, calls := dynamoStub(t, tc.status, tc.errType)
			UseEndpoint(t, srv.URL)
			t.Setenv(TableEnv, "summaries")
			err := putThrough(t, context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Put = %v, want stored", err)
				}
			} else {
				var se *fault.Error
				if !errors.As(err, &se) || se.Status != 503 || se.Cause != tc.want {
					t.Fatalf("Put = %v, want 503 (%s)", err, tc.want)
				}
			}
			if got := calls.Load(); got != tc.attempts {
				t.Errorf("%d requests reached the endpoint, want %d (the standard retryer's attempts)", got, tc.attempts)
			}
		})
	}
}

func TestSDKUnreachableEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: every connection is refused
	UseEndpoint(t, "http://"+addr)
	t.Setenv(TableEnv, "summaries")
	err = putThrough(t, context.Background())
	var se *fault.Error
	if !errors.As(err, &se) || se.Status != 503 || se.Cause != fault.CauseUnreachable {
		t.Fatalf("Put = %v, want 503 (unreachable)", err)
	}
}

func TestSDKSilentEndpointEndsBeforeTheDeadline(t *testing.T) {
	// An endpoint that accepts the connection and never answers: each attempt ends at the read
	// timeout, and a retry is made only when it fits before the deadline (§5.6).
	for _, tc := range []struct {
		timeout  time.Duration
		attempts int32
	}{
		{10 * time.Second, MaxAttempts},
		{3 * time.Second, 1}, // after 1 s, 2 s are left: less than a back-off, an attempt and the margin
	} {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			var calls atomic.Int32
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			defer close(release)
			UseEndpoint(t, srv.URL)
			t.Setenv(TableEnv, "summaries")
			deadline := time.Now().Add(tc.timeout)
			ctx, cancel := context.WithDeadline(context.Background(), deadline)
			defer cancel()
			err := putThrough(t, ctx)
			var se *fault.Error
			if !errors.As(err, &se) || se.Status != 503 || se.Cause != fault.CauseUnreachable {
				t.Fatalf("Put = %v, want 503 (unreachable)", err)
			}
			if left := time.Until(deadline); left < AnswerMargin {
				t.Errorf("Put returned with %v left before the deadline, want at least %v", left, AnswerMargin)
			}
			if got := calls.Load(); got != tc.attempts {
				t.Errorf("%d attempts, want %d", got, tc.attempts)
			}
		})
	}
}
