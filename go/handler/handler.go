// Package handler is the Go twin's Lambda handler: invocation event in, Function URL response
// out, following docs/contract.md §1 step by step. It implements aws-lambda-go's
// lambda.Handler so that the payload arrives as raw bytes, a direct array event included.
package handler

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/internal/event"
	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// MaxDocument is the largest document accepted, after base64 and gzip: 32 MiB.
const MaxDocument = 32 << 20

// Language is this side's name in every answer.
const Language = "go"

// Result is one invocation's answer and what the log line says about it.
type Result struct {
	StatusCode    int
	Allow         bool   // add the header allow: POST (405)
	Body          []byte // the answer's JSON
	Error         string // the error code, "" for a 200
	RequestBytes  int
	DocumentBytes int
	Summary       aggregate.Summary
	ParseMs       float64
	ComputeMs     float64
	Store         StoreLog // the store step (§5), for the log line; zero when the store is off
}

type failure struct {
	status int
	code   string
	detail string
}

func fail(status int, code, detail string) *failure {
	return &failure{status, code, detail}
}

// Process runs the contract on one invocation event (its raw JSON bytes). It never panics on
// any input; Invoke recovers all the same, as a last line of defence.
func Process(payload []byte) Result {
	start := time.Now()
	res := Result{RequestBytes: len(payload)}
	buf := bodyBuffers.Get().(*[]byte)
	defer bodyBuffers.Put(buf) // the summary holds no view into the body: Aggregate clones
	doc, empty, f := document(payload, buf)
	if f == nil {
		res.DocumentBytes = len(doc)
		var sum aggregate.Summary
		if empty {
			sum = aggregate.Summary{TopEndpoints: []aggregate.EndpointCount{}, StatusCounts: []aggregate.StatusCount{}}
		} else {
			t := time.Now()
			var err error
			sum, err = aggregate.Aggregate(doc)
			var ae *aggregate.Error
			if errors.As(err, &ae) && ae.Code == aggregate.CodeInvalidJSON && isDirect(payload) {
				// A direct array reaches the Python handler decoded by json.loads, which drops
				// the values that duplicate keys replace: answer on what survives, as it does
				// (docs/contract.md §1, the direct invocation decision).
				if redecoded, ok := event.Redecode(doc); ok {
					sum, err = aggregate.Aggregate(redecoded)
				}
			}
			res.ParseMs = ms(time.Since(t))
			if errors.As(err, &ae) {
				f = fail(400, ae.Code, ae.Detail)
			}
		}
		if f == nil {
			res.StatusCode = 200
			res.Summary = sum
			res.ComputeMs = ms(time.Since(start))
			res.Body = AppendAnswer(nil, &sum, res.ParseMs, res.ComputeMs)
			return res
		}
	}
	res.StatusCode = f.status
	res.Error = f.code
	res.Allow = f.status == 405
	res.Body = appendError(nil, f.code, f.detail)
	res.ComputeMs = ms(time.Since(start))
	return res
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// bodyBuffers hold the decoded body between invocations: a warm function decodes each body
// into the memory the last one used.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// document works through §1: from the event to the document's bytes, or empty for an empty
// batch (no body, or zero bytes after base64; a gzip stream that inflates to nothing is an
// empty document, which is not JSON). A body string is decoded into *buf (grown as needed).
func document(payload []byte, buf *[]byte) (doc []byte, empty bool, f *failure) {
	// The Python runtime reads the event's bytes with json.loads, which drops a UTF-8 BOM.
	payload = bytes.TrimPrefix(payload, []byte("\xef\xbb\xbf"))
	if isDirect(payload) {
		// A direct invocation whose event is the batch: the document rules apply to it as is.
		if len(payload) > MaxDocument {
			return nil, false, tooLarge()
		}
		return payload, false, nil
	}
	env, isObject, err := event.Read(payload, *buf)
	*buf = env.Buf
	if err != nil {
		return nil, false, fail(400, aggregate.CodeInvalidJSON,
			"The invocation event is not valid JSON; invoke with a Function URL event or a JSON array of events.")
	}
	if !isObject {
		return nil, false, fail(400, aggregate.CodeExpectedArray,
			"The invocation event is neither a Function URL event object nor a JSON array of events; send one of those.")
	}
	// 2. the method
	if m := env.Method; m.Kind != event.Absent && (m.Kind != event.String || string(m.Text) != "POST") {
		return nil, false, fail(405, "method_not_allowed",
			"This function only accepts POST; send the batch as the body of a POST request.")
	}
	// 3. the body
	if env.Body.Kind == event.Other {
		return nil, false, fail(400, "invalid_event",
			"The event's body must be a string (the JSON batch, or its base64) or null; send the batch as the request body.")
	}
	lone := env.Body.Kind == event.Lone // the body has no UTF-8 form
	// 4. content encoding
	gz := false
	if enc := env.Encoding; enc.Kind != event.Absent {
		s := asciiLower(strings.Trim(string(enc.Text), " \t"))
		switch {
		case enc.Kind == event.String && s == "gzip":
			gz = true
		case enc.Kind == event.String && s == "identity":
		default:
			return nil, false, fail(415, "unsupported_encoding",
				"The content-encoding is not supported; send the body as is (identity) or gzip-compressed with content-encoding: gzip.")
		}
	}
	// 5. base64
	doc = env.Body.Text
	if env.Base64 {
		// Go's decoder skips '\r' and '\n'; the contract allows no white space at all.
		if lone || bytes.ContainsAny(doc, "\r\n") {
			return nil, false, invalidBase64()
		}
		dec, err := base64.StdEncoding.AppendDecode(nil, doc)
		if err != nil {
			return nil, false, invalidBase64()
		}
		doc = dec
	} else if lone {
		return nil, false, fail(400, aggregate.CodeInvalidJSON,
			"The body holds a lone surrogate (an unpaired \\ud800-\\udfff escape in the event), which has no UTF-8 form; send valid Unicode text.")
	}
	// 6. empty
	if len(doc) == 0 {
		return nil, true, nil
	}
	// 7. gzip
	if gz {
		if doc, f = gunzip(doc); f != nil {
			return nil, false, f
		}
	}
	// 8. the size limit
	if len(doc) > MaxDocument {
		return nil, false, tooLarge()
	}
	return doc, false, nil
}

// asciiLower lowers ASCII letters only; any other byte makes the value unsupported (so a
// Unicode case mapping can never turn a foreign letter into "gzip").
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 0x80:
			return "\x80"
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isDirect reports whether the event is a JSON array: a direct invocation whose event is the batch.
func isDirect(payload []byte) bool {
	payload = bytes.TrimPrefix(payload, []byte("\xef\xbb\xbf"))
	i := 0
	for i < len(payload) && (payload[i] == ' ' || payload[i] == '\t' || payload[i] == '\n' || payload[i] == '\r') {
		i++
	}
	return i < len(payload) && payload[i] == '['
}

func invalidBase64() *failure {
	return fail(400, "invalid_base64",
		"isBase64Encoded is true but the body is not valid padded standard base64 (A-Z a-z 0-9 + /, '=' padding, no line breaks); encode it again.")
}

func tooLarge() *failure {
	return fail(413, "payload_too_large",
		"The batch is larger than 32 MiB after decoding; split it into smaller batches.")
}

// Handler is the lambda.Handler: raw payload in, Function URL response out, one log line.
type Handler struct {
	Log io.Writer // the log lines; os.Stdout when nil
	mu  sync.Mutex

	// Store, when not nil, stores a 200 answer's summary first (docs/contract.md §5; store.go).
	Store Store
}

// Invoke implements lambda.Handler. It never returns an error and never panics.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	defer func() {
		if p := recover(); p != nil {
			// A bug: the fuzz target and the vectors exist so that this never runs.
			// Never a 500 (docs/contract.md §4); like the Python handler, the answer is
			// invalid_json and the log line says ERROR with the panic.
			res := Result{StatusCode: 400, Error: aggregate.CodeInvalidJSON, RequestBytes: len(payload),
				Body: appendError(nil, aggregate.CodeInvalidJSON, "The request could not be read; check that the body is a JSON array of events, and report this with the request id if it is.")}
			h.log(res, requestID, fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			out, err = AppendResponse(nil, &res), nil
		}
	}()
	res := Process(payload)
	if h.Store != nil {
		res = h.stored(ctx, requestID, res)
	}
	h.log(res, requestID, "")
	return AppendResponse(nil, &res), nil
}

func (h *Handler) log(res Result, requestID, panicText string) {
	w := h.Log
	if w == nil {
		w = os.Stdout
	}
	b := AppendLog(nil, &res, requestID, panicText)
	h.mu.Lock()
	_, _ = w.Write(b)
	h.mu.Unlock()
}

// AppendLog appends the invocation's structured log line (docs/contract.md, "The log line"),
// with a newline. It never includes the payload.
func AppendLog(b []byte, r *Result, requestID, panicText string) []byte {
	level := "INFO"
	if panicText != "" {
		level = "ERROR"
	}
	level = storeLevel(level, &r.Store)
	b = append(b, `{"level":`...)
	b = jsontext.AppendString(b, level)
	b = append(b, `,"message":"aggregated","language":"`+Language+`","aggregator":`...)
	b = jsontext.AppendString(b, aggregate.Name)
	b = append(b, `,"status_code":`...)
	b = strconv.AppendInt(b, int64(r.StatusCode), 10)
	b = append(b, `,"error":`...)
	if r.Error == "" {
		b = append(b, "null"...)
	} else {
		b = jsontext.AppendString(b, r.Error)
	}
	b = append(b, `,"request_bytes":`...)
	b = strconv.AppendInt(b, int64(r.RequestBytes), 10)
	b = append(b, `,"document_bytes":`...)
	b = strconv.AppendInt(b, int64(r.DocumentBytes), 10)
	b = append(b, `,"total_events":`...)
	b = strconv.AppendInt(b, int64(r.Summary.TotalEvents), 10)
	b = append(b, `,"invalid_events":`...)
	b = strconv.AppendInt(b, int64(r.Summary.InvalidEvents), 10)
	b = append(b, `,"parse_ms":`...)
	b = appendFloat(b, r.ParseMs)
	b = append(b, `,"compute_ms":`...)
	b = appendFloat(b, r.ComputeMs)
	b = append(b, `,"request_id":`...)
	b = jsontext.AppendString(b, requestID)
	if panicText != "" {
		b = append(b, `,"panic":`...)
		b = jsontext.AppendString(b, panicText)
	}
	b = appendStoreLog(b, &r.Store)
	return append(b, "}\n"...)
}
