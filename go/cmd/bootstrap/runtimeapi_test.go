package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildBootstrap builds this command with the given tags into a temporary directory.
func buildBootstrap(tb testing.TB, tags string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc "+tags, "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build -tags %q: %v\n%s", tags, err, out)
	}
	return bin
}

// runtimeAPI is a stand-in for Lambda's Runtime API: it hands out events in turn, each with a
// request id and a deadline 10 s away, and collects the responses.
type runtimeAPI struct {
	*httptest.Server
	events    chan [2]string // request id, event
	responses chan [2]string // request id, response
	asked     chan struct{}  // one per GET .../invocation/next
}

func newRuntimeAPI(tb testing.TB) *runtimeAPI {
	api := &runtimeAPI{events: make(chan [2]string, 16), responses: make(chan [2]string, 16), asked: make(chan struct{}, 64)}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const prefix = "/2018-06-01/runtime/invocation/"
		switch {
		case r.Method == http.MethodGet && r.URL.Path == prefix+"next":
			select {
			case api.asked <- struct{}{}:
			default:
			}
			select {
			case ev := <-api.events:
				w.Header().Set("Lambda-Runtime-Aws-Request-Id", ev[0])
				w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(10*time.Second).UnixMilli(), 10))
				w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
				_, _ = io.WriteString(w, ev[1])
			case <-r.Context().Done():
			}
		case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, prefix):
			id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, prefix), "/")
			body, _ := io.ReadAll(r.Body)
			api.responses <- [2]string{id, string(body)}
			w.WriteHeader(http.StatusAccepted)
		default:
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		}
	}))
	tb.Cleanup(func() {
		api.CloseClientConnections()
		api.Close()
	})
	return api
}

// start runs bin against the API with env added to a minimal Lambda environment.
func (api *runtimeAPI) start(tb testing.TB, bin string, env ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + api.Listener.Addr().String(),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_LAMBDA_FUNCTION_NAME=test", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "HOME=" + tb.TempDir(),
	}, env...)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// invoke hands out one event and returns the answer's status and body.
func (api *runtimeAPI) invoke(t *testing.T, requestID, event string) (int, map[string]any) {
	t.Helper()
	api.events <- [2]string{requestID, event}
	select {
	case r := <-api.responses:
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if r[0] != requestID || json.Unmarshal([]byte(r[1]), &resp) != nil {
			t.Fatalf("response for %s: %s", r[0], r[1])
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("body: %v: %s", err, resp.Body)
		}
		return resp.StatusCode, body
	case <-time.After(15 * time.Second):
		t.Fatal("no response within 15 s")
	}
	return 0, nil
}

const event = `{"requestContext":{"http":{"method":"POST"}},"body":"[{\"endpoint\":\"/a\",\"status\":200}]"}`

func TestBootstrapStoresThroughTheEndpoint(t *testing.T) {
	var mu sync.Mutex
	var puts []string
	ddb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		puts = append(puts, r.Header.Get("X-Amz-Target")+" "+string(body))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = io.WriteString(w, "{}")
	}))
	defer ddb.Close()
	api := newRuntimeAPI(t)
	api.start(t, buildBootstrap(t, ""), "TELEMETRY_AGG_TABLE=summaries", "AWS_ENDPOINT_URL_DYNAMODB="+ddb.URL)
	status, body := api.invoke(t, "req-1", event)
	if status != 200 || body["stored"] != true {
		t.Fatalf("answer %d %v, want 200 stored", status, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(puts) != 1 || !strings.HasPrefix(puts[0], "DynamoDB_20120810.PutItem ") || !strings.Contains(puts[0], `"req-1"`) {
		t.Errorf("requests at the DynamoDB endpoint: %q, want one PutItem keyed req-1", puts)
	}
}

func TestBootstrapWithoutStoreRefusesATable(t *testing.T) {
	api := newRuntimeAPI(t)
	bin := buildBootstrap(t, "nostore")
	api.start(t, bin)
	if status, body := api.invoke(t, "req-1", event); status != 200 || body["stored"] != nil {
		t.Fatalf("store off: answer %d %v, want a plain 200", status, body)
	}
	api2 := newRuntimeAPI(t)
	api2.start(t, bin, "TELEMETRY_AGG_TABLE=summaries")
	if status, body := api2.invoke(t, "req-2", event); status != 503 || body["error"] != "store_unavailable" {
		t.Fatalf("a table named to a -tags nostore build: answer %d %v, want 503 store_unavailable", status, body)
	}
}
