// Command telemetry-agg runs the Go twin's handler on a file or standard input, for people
// and for parity checks against the Python package.
//
//	telemetry-agg [-event] [-repeat N] [FILE]
//
// Without -event the input is a request body (the JSON batch); it prints the answer body's
// JSON and exits 0 for a 200 answer, 2 for an error answer (whose JSON it still prints).
// With -event the input is a whole invocation event (a Function URL event, or a direct JSON
// array) and it prints the handler's response object {"statusCode","headers","body"}.
// With -repeat N it aggregates the input N more times after it answers, in process, and
// prints {"runs":N,"events":E,"min_ns":..,"median_ns":..} on standard error.
// With -lines each line of the input is one input (a body, or an event with -event), and
// each answer is printed on a line of its own: one process for many parity checks.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
)

const usage = `telemetry-agg: the Go twin of telemetry-agg, on one input.

Usage:
  telemetry-agg [-event] [-repeat N] [-lines] [FILE]

Reads FILE, or standard input when FILE is absent or "-".

  (default)    the input is a request body, a JSON array of events; prints the answer's
               JSON. Exit 0 for a 200 answer, 2 for an error answer (its JSON is printed).
  -event       the input is a whole invocation event: a Function URL event object
               ({"requestContext":..,"headers":..,"body":..,"isBase64Encoded":..}) or a JSON
               array; prints the response {"statusCode","headers","body"}.
  -repeat N    after answering, runs the input N times more in process (one warm-up first;
               a body through the core aggregate.Aggregate, an event through the whole
               handler) and prints {"runs":N,"events":E,"min_ns":..,"median_ns":..} on stderr.
  -lines       each input line is one input; prints one answer per line; exit 2 if any
               answer was an error.

A body over 32 MiB is answered 413 (payload_too_large) after reading 32 MiB and one byte;
an event over 128 MiB is refused (exit 65). Exit codes: 0 answered 200, 2 an error answer,
64 bad usage, 65 input too large, 66 FILE cannot be opened, 74 read error, 130 Ctrl-C.

Examples:
  echo '[{"endpoint":"/a","status":200,"duration_ms":5,"user_id":"u1"}]' | telemetry-agg
  telemetry-agg -event tests/vectors/event/direct_array_replaced_duplicates.event
  telemetry-agg -repeat 100 payload.json
`

// maxEvent is the largest event -event reads: room for a 32 MiB document in base64 and more.
const maxEvent = 4 * handler.MaxDocument

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("telemetry-agg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: on stdout for -h, on stderr after a mistake
	event := fs.Bool("event", false, "the input is a whole invocation event")
	repeat := fs.Int("repeat", 0, "aggregate the input N times more and print timings on stderr")
	lines := fs.Bool("lines", false, "one input per line, one answer per line")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 64
	}
	if *repeat < 0 {
		fmt.Fprintln(stderr, "telemetry-agg: -repeat needs a number of runs >= 0, such as -repeat 100.")
		return 64
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "telemetry-agg: give at most one FILE (or none to read standard input); see telemetry-agg -h.")
		return 64
	}
	in := stdin
	name := "standard input"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "telemetry-agg: cannot open %s: %v; check the path.\n", fs.Arg(0), err)
			return 66
		}
		defer f.Close()
		in, name = f, fs.Arg(0)
	}
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-interrupted
		fmt.Fprintln(stderr, "telemetry-agg: interrupted.")
		os.Exit(130)
	}()

	out := bufio.NewWriterSize(stdout, 1<<16)
	defer out.Flush()
	if *lines {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 1<<20), handler.MaxDocument*2)
		code := 0
		for sc.Scan() {
			if c := answer(out, sc.Bytes(), *event); c != 0 {
				code = c
			}
		}
		if err := sc.Err(); err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "telemetry-agg: reading %s: %v.\n", name, err)
			return 74
		}
		return code
	}
	// Read no more than an answer needs: a body past the 32 MiB limit is a 413 whatever
	// follows; an event (Lambda takes at most 6 MB) is refused past maxEvent.
	limit := int64(handler.MaxDocument) + 1
	if *event {
		limit = maxEvent + 1
	}
	data, err := io.ReadAll(io.LimitReader(in, limit))
	if err != nil {
		fmt.Fprintf(stderr, "telemetry-agg: reading %s: %v.\n", name, err)
		return 74
	}
	if *event && int64(len(data)) > maxEvent {
		fmt.Fprintf(stderr, "telemetry-agg: the event in %s is larger than %d MiB (Lambda accepts 6 MB); send a smaller one.\n", name, maxEvent>>20)
		return 65
	}
	code := answer(out, data, *event)
	if *repeat > 0 {
		out.Flush()
		repeatRuns(stderr, data, *event, *repeat)
	}
	return code
}

// answer prints one answer and returns its exit code.
func answer(out *bufio.Writer, data []byte, event bool) int {
	var res handler.Result
	if event {
		res = handler.Process(data)
		out.Write(handler.AppendResponse(nil, &res))
	} else {
		res = handler.Process(bodyEvent(data))
		out.Write(res.Body)
	}
	out.WriteByte('\n')
	if res.StatusCode != 200 {
		return 2
	}
	return 0
}

// bodyEvent wraps a request body into the Function URL event that carries it.
func bodyEvent(body []byte) []byte {
	// The body travels base64-encoded, so any bytes (invalid UTF-8, gzip) reach the handler as is.
	b := []byte(`{"requestContext":{"http":{"method":"POST"}},"isBase64Encoded":true,"body":"`)
	b = appendBase64(b, body)
	return append(b, `"}`...)
}

func repeatRuns(stderr io.Writer, data []byte, event bool, n int) {
	// A body is timed through the core alone (aggregate.Aggregate), an event through the
	// whole handler (decoding, aggregation and the answer's JSON).
	once := func() int {
		if event {
			return handler.Process(data).Summary.TotalEvents
		}
		s, _ := aggregate.Aggregate(data)
		return s.TotalEvents
	}
	events := once() // the warm-up
	times := make([]int64, n)
	for i := range times {
		t := time.Now()
		once()
		times[i] = time.Since(t).Nanoseconds()
	}
	slices.Sort(times)
	med := times[n/2]
	if n%2 == 0 {
		med = (times[n/2-1] + times[n/2]) / 2
	}
	var b bytes.Buffer
	b.WriteString(`{"runs":` + strconv.Itoa(n) + `,"events":` + strconv.Itoa(events) +
		`,"min_ns":` + strconv.FormatInt(times[0], 10) + `,"median_ns":` + strconv.FormatInt(med, 10) + "}\n")
	_, _ = stderr.Write(b.Bytes())
}

func appendBase64(b, data []byte) []byte { return base64.StdEncoding.AppendEncode(b, data) }
