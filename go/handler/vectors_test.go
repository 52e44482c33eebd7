package handler

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// vectorsDir holds the shared test vectors (tests/vectors/README.md), read by pytest too.
const vectorsDir = "../../tests/vectors"

type vector struct {
	Description string          `json:"description"`
	Rule        string          `json:"rule"`
	Event       json.RawMessage `json:"event"`
	EventFile   string          `json:"event_file"`
	Expect      struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       json.RawMessage   `json:"body"`
	} `json:"expect"`
}

func vectorFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(vectorsDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "store" {
			return filepath.SkipDir // the store vectors (§5) have their own format and runner
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the shared vectors in %s: %v", vectorsDir, err)
	}
	return files
}

// loadVector reads a vector and the event's raw bytes, as the runtime would hand them over.
func loadVector(t testing.TB, path string) (vector, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s is not a vector: %v", path, err)
	}
	event := []byte(v.Event)
	if v.EventFile != "" {
		if event, err = os.ReadFile(filepath.Join(filepath.Dir(path), v.EventFile)); err != nil {
			t.Fatalf("%s: event_file: %v", path, err)
		}
	}
	if len(event) == 0 {
		t.Fatalf("%s has neither event nor event_file", path)
	}
	return v, event
}

// TestVectors runs every shared vector's event through the real handler (Invoke, as the
// Lambda runtime calls it) and checks the response against expect.
func TestVectors(t *testing.T) {
	files := vectorFiles(t)
	if len(files) == 0 {
		t.Fatalf("no vectors under %s", vectorsDir)
	}
	h := &Handler{Log: &strings.Builder{}}
	for _, path := range files {
		rel, _ := filepath.Rel(vectorsDir, path)
		t.Run(rel, func(t *testing.T) {
			v, event := loadVector(t, path)
			out, err := h.Invoke(context.Background(), event)
			if err != nil {
				t.Fatalf("Invoke returned an error: %v", err)
			}
			checkResponse(t, v, out)
		})
	}
}

func checkResponse(t *testing.T, v vector, out []byte) {
	t.Helper()
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("response is not the Function URL shape: %v\n%s", err, out)
	}
	if resp.StatusCode != v.Expect.StatusCode {
		t.Errorf("statusCode %d, want %d (%s)\nbody: %s", resp.StatusCode, v.Expect.StatusCode, v.Description, resp.Body)
	}
	for name, want := range v.Expect.Headers {
		if got, ok := resp.Headers[strings.ToLower(name)]; !ok || got != want {
			t.Errorf("header %q = %q, want %q", name, got, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, resp.Body)
	}
	if body["language"] != "go" {
		t.Errorf("language = %v, want go", body["language"])
	}
	var want map[string]any
	if err := json.Unmarshal(v.Expect.Body, &want); err != nil {
		t.Fatalf("expect.body: %v", err)
	}
	if resp.StatusCode != 200 {
		if body["error"] != want["error"] {
			t.Errorf("error = %v, want %v (%s)\nbody: %s", body["error"], want["error"], v.Description, resp.Body)
		}
		if d, ok := body["detail"].(string); !ok || d == "" {
			t.Errorf("detail missing or empty: %s", resp.Body)
		}
		return
	}
	if body["aggregator"] != "scanner" {
		t.Errorf("aggregator = %v, want scanner", body["aggregator"])
	}
	for _, k := range []string{"parse_ms", "compute_ms"} {
		if _, ok := body[k].(float64); !ok {
			t.Errorf("%s missing or not a number: %s", k, resp.Body)
		}
		delete(body, k)
	}
	delete(body, "language")
	delete(body, "aggregator")
	if !reflect.DeepEqual(body, want) {
		got, _ := json.Marshal(body)
		t.Errorf("body differs (%s)\n got: %s\nwant: %s", v.Description, got, v.Expect.Body)
	}
}
