package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

// The §5 store vectors, shared with pytest (tests/vectors/README.md, "Store vectors").
const storeVectorsDir = "../../tests/vectors/store"

type storeVector struct {
	Description string `json:"description"`
	Rule        string `json:"rule"`
	Server      struct {
		Kind        string `json:"kind"`
		TableExists bool   `json:"table_exists"`
		Responses   []struct {
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		} `json:"responses"`
	} `json:"server"`
	Invocations []struct {
		RequestID string          `json:"request_id"`
		Event     json.RawMessage `json:"event"`
		EventFile string          `json:"event_file"`
		Expect    struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       map[string]any    `json:"body"`
		} `json:"expect"`
	} `json:"invocations"`
	Items map[string]map[string]any `json:"items"`
}

func TestStoreVectors(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(storeVectorsDir, "*.json"))
	if len(files) == 0 {
		msg := "no §5 store vectors in " + storeVectorsDir + " (they come with the Python side's store work)"
		fmt.Fprintln(os.Stderr, "store: skipping TestStoreVectors: "+msg)
		t.Skip(msg)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			runStoreVector(t, path, readStoreVector(t, path))
		})
	}
}

// readStoreVector reads a vector strictly: a key this runner does not know fails the test, so
// that a format change never passes unchecked.
func readStoreVector(t *testing.T, path string) *storeVector {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var v storeVector
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s is not a store vector as tests/vectors/README.md describes: %v", path, err)
	}
	return &v
}

func runStoreVector(t *testing.T, path string, v *storeVector) {
	table := "vector-" + strings.TrimSuffix(filepath.Base(path), ".json")
	var client *dynamodb.Client
	var h *handler.Handler
	switch v.Server.Kind {
	case "dynamodb":
		useMoto(t)
		if v.Server.TableExists {
			client = newTable(t, table)
		}
		h = storeHandler(t, table)
	case "stub":
		store.UseEndpoint(t, stubServer(t, v))
		// The vectors allow a shorter back-off against the stub, never fewer attempts.
		c, err := store.NewClient(context.Background(), func(o *dynamodb.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = store.MaxAttempts
				so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		h = &handler.Handler{Log: io.Discard, Store: store.New(c, table)}
	case "refused":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		store.UseEndpoint(t, "http://"+ln.Addr().String())
		_ = ln.Close()
		h = storeHandler(t, table)
	default:
		t.Fatalf("unknown server kind %q", v.Server.Kind)
	}
	start := time.Now()
	for i, inv := range v.Invocations {
		event := []byte(inv.Event)
		if inv.EventFile != "" {
			var err error
			if event, err = os.ReadFile(filepath.Join(filepath.Dir(path), inv.EventFile)); err != nil {
				t.Fatal(err)
			}
		}
		// As Lambda runs it: the request id, and 10,000 ms left.
		a := invoke(t, h, inv.RequestID, event, 10*time.Second)
		where := fmt.Sprintf("invocation %d (%s)", i, v.Description)
		if a.StatusCode != inv.Expect.StatusCode {
			t.Errorf("%s: status %d, want %d: %v", where, a.StatusCode, inv.Expect.StatusCode, a.Body)
			continue
		}
		for name, want := range inv.Expect.Headers {
			if got := a.Headers[strings.ToLower(name)]; got != want {
				t.Errorf("%s: header %s = %q, want %q", where, name, got, want)
			}
		}
		checkStoreAnswer(t, where, a, inv.Expect.Body)
	}
	end := time.Now()
	if v.Items == nil {
		return
	}
	if client == nil {
		t.Fatalf("the vector lists items but its server has no table")
	}
	got := map[string]map[string]any{}
	for _, item := range items(t, client, table) {
		typed := typedJSON(&types.AttributeValueMemberM{Value: item})["M"].(map[string]any)
		id, _ := typed["request_id"].(map[string]any)["S"].(string)
		checkRuledAttributes(t, id, typed, start, end)
		got[id] = typed
	}
	if !reflect.DeepEqual(got, v.Items) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(v.Items)
		t.Errorf("the table holds\n %s\nwant\n %s", g, w)
	}
}

func checkStoreAnswer(t *testing.T, where string, a answer, want map[string]any) {
	t.Helper()
	body := a.Body
	if a.StatusCode != 200 {
		if body["error"] != want["error"] || body["language"] != "go" {
			t.Errorf("%s: error %v, want %v", where, body, want["error"])
		}
		if d, ok := want["detail"]; ok && body["detail"] != d {
			t.Errorf("%s: detail\n %q\nwant\n %q", where, body["detail"], d)
		}
		return
	}
	if n := len(a.Keys); n < 3 || a.Keys[n-3] != "compute_ms" || a.Keys[n-2] != "stored" || a.Keys[n-1] != "store_ms" {
		t.Errorf("%s: keys %v, want them to end compute_ms, stored, store_ms", where, a.Keys)
	}
	for _, k := range []string{"parse_ms", "compute_ms", "store_ms"} {
		if f, ok := body[k].(float64); !ok || f < 0 {
			t.Errorf("%s: %s = %v, want a number >= 0", where, k, body[k])
		}
		delete(body, k)
	}
	delete(body, "language")
	delete(body, "aggregator")
	if !reflect.DeepEqual(body, want) {
		g, _ := json.Marshal(body)
		w, _ := json.Marshal(want)
		t.Errorf("%s: answer\n %s\nwant\n %s", where, g, w)
	}
}

var storedAtForm = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// checkRuledAttributes checks the three attributes a vector cannot spell out (language,
// stored_at, expires_at) by their rules, and takes them out of the item.
func checkRuledAttributes(t *testing.T, id string, item map[string]any, start, end time.Time) {
	t.Helper()
	if l, _ := item["language"].(map[string]any); l["S"] != "go" {
		t.Errorf("%s: language %v, want {S: go}", id, item["language"])
	}
	s, _ := item["stored_at"].(map[string]any)["S"].(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if !storedAtForm.MatchString(s) || err != nil || at.Before(start.Add(-time.Second)) || at.After(end.Add(time.Second)) {
		t.Errorf("%s: stored_at %q, want UTC with milliseconds and Z, between %v and %v", id, s, start, end)
	}
	e, _ := item["expires_at"].(map[string]any)["N"].(string)
	if want := fmt.Sprint(at.Unix() + 604_800); e != want {
		t.Errorf("%s: expires_at %q, want %s (stored_at + 7 days)", id, e, want)
	}
	delete(item, "language")
	delete(item, "stored_at")
	delete(item, "expires_at")
}

// typedJSON is an attribute value in DynamoDB's typed JSON, as the vectors write items.
func typedJSON(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberL:
		l := []any{}
		for _, e := range v.Value {
			l = append(l, typedJSON(e))
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = typedJSON(e)
		}
		return map[string]any{"M": m}
	}
	return map[string]any{fmt.Sprintf("%T", v): nil} // no other type is ever stored: a mismatch
}

// stubServer answers every request with the vector's next response (the last one again when
// the list runs out) and returns its URL.
func stubServer(t *testing.T, v *storeVector) string {
	var mu sync.Mutex
	next := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		resp := v.Server.Responses[min(next, len(v.Server.Responses)-1)]
		next++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(resp.Status)
		_, _ = w.Write(bytes.TrimSpace(resp.Body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
