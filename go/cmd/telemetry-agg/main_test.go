package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the command itself (for the signal test).
func TestMain(m *testing.M) {
	if os.Getenv("TELEMETRY_AGG_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

const batch = `[{"endpoint": "/a", "status": 200, "duration_ms": 5, "user_id": "u1"}, 1]`

func TestBodyMode(t *testing.T) {
	code, out, _ := runCLI(t, batch)
	var answer map[string]any
	if err := json.Unmarshal([]byte(out), &answer); err != nil || code != 0 {
		t.Fatalf("exit %d, %q: %v", code, out, err)
	}
	if answer["total_events"] != 2.0 || answer["invalid_events"] != 1.0 || answer["language"] != "go" {
		t.Errorf("answer %s", out)
	}
	for body, want := range map[string]string{`{}`: "expected_array", `[NaN]`: "invalid_json", "\xff": "invalid_json"} {
		code, out, _ := runCLI(t, body)
		if err := json.Unmarshal([]byte(out), &answer); err != nil || code != 2 || answer["error"] != want {
			t.Errorf("%q: exit %d, %s, want exit 2 and %s", body, code, out, want)
		}
	}
	// An empty body is an empty batch, as the handler answers an empty request body.
	if code, out, _ := runCLI(t, ""); code != 0 || !strings.Contains(out, `"total_events":0`) {
		t.Errorf("empty body: exit %d, %s", code, out)
	}
}

func TestEventMode(t *testing.T) {
	event := `{"requestContext": {"http": {"method": "PUT"}}, "body": "[]"}`
	code, out, _ := runCLI(t, event, "-event")
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil || code != 2 || resp.StatusCode != 405 || resp.Headers["allow"] != "POST" {
		t.Fatalf("exit %d, %s (%v)", code, out, err)
	}
	code, out, _ = runCLI(t, batch, "-event")
	if err := json.Unmarshal([]byte(out), &resp); err != nil || code != 0 || resp.StatusCode != 200 {
		t.Fatalf("direct array: exit %d, %s (%v)", code, out, err)
	}
}

// TestLargeInput: a body past 32 MiB is answered 413 without reading it all; an event past the
// reading limit is refused with a message.
func TestLargeInput(t *testing.T) {
	var out, errOut bytes.Buffer
	big := io.LimitReader(zeros{}, 1<<40) // a terabyte, never read whole
	if code := run(nil, big, &out, &errOut); code != 2 || !strings.Contains(out.String(), "payload_too_large") {
		t.Errorf("body: exit %d, %.200s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"-event"}, io.LimitReader(zeros{}, 1<<40), &out, &errOut); code != 65 || !strings.Contains(errOut.String(), "larger than") {
		t.Errorf("event: exit %d, %q", code, errOut.String())
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestLines(t *testing.T) {
	code, out, _ := runCLI(t, batch+"\n[]\n{}\n", "-lines")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 2 || len(lines) != 3 || !strings.Contains(lines[2], "expected_array") {
		t.Fatalf("exit %d, %q", code, lines)
	}
}

func TestRepeat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(batch), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-repeat", "5", path}, {"-event", "-repeat", "4", path}} {
		code, out, errOut := runCLI(t, "", args...)
		var timing struct {
			Runs     int   `json:"runs"`
			Events   int   `json:"events"`
			MinNs    int64 `json:"min_ns"`
			MedianNs int64 `json:"median_ns"`
		}
		if err := json.Unmarshal([]byte(errOut), &timing); err != nil || code != 0 || out == "" {
			t.Fatalf("%v: exit %d, stderr %q (%v)", args, code, errOut, err)
		}
		if timing.Runs != map[bool]int{true: 4, false: 5}[args[0] == "-event"] || timing.Events != 2 ||
			timing.MinNs <= 0 || timing.MedianNs < timing.MinNs {
			t.Errorf("%v: %+v", args, timing)
		}
	}
}

func TestUsageAndErrors(t *testing.T) {
	for _, help := range []string{"-h", "-help", "--help"} {
		if code, out, _ := runCLI(t, "", help); code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "-repeat N") {
			t.Errorf("%s: exit %d, %q", help, code, out)
		}
	}
	if code, _, errOut := runCLI(t, "", "-bogus"); code != 64 || !strings.Contains(errOut, "Usage:") {
		t.Errorf("-bogus: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "-repeat", "-1"); code != 64 || !strings.Contains(errOut, "-repeat") {
		t.Errorf("-repeat -1: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "/no/such/file"); code != 66 || !strings.Contains(errOut, "check the path") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "a", "b"); code != 64 {
		t.Errorf("two files: exit %d", code)
	}
}

// TestInterrupt: Ctrl-C while it waits for input ends it with exit 130.
func TestInterrupt(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TELEMETRY_AGG_RUN_MAIN=1")
	stdin, err := cmd.StdinPipe() // kept open: the command blocks reading it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("after SIGINT: %v, stderr %q", err, stderr.String())
	}
}
