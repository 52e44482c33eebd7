package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// Store writes a 200 answer's summary before the answer is sent (docs/contract.md §5);
// *store.Store is the real one. An error that is a *fault.Error says which answer to send
// instead; any other error is a 503 store_unavailable (service error).
type Store interface {
	Put(ctx context.Context, requestID string, s *aggregate.Summary) error
}

// StoreLog is what the log line says about the store step (docs/contract.md §5.9).
type StoreLog struct {
	On       bool    // the store is on: the log line carries stored and store_ms
	Stored   bool    // the summary is in the table
	Sent     bool    // a PutItem was sent: store_ms is a number, else null
	StoreMs  float64 // the store step's milliseconds
	Cause    string  // on a 503: the cause class
	SDKError string  // on a 503: the SDK's error code or error type
}

// stored runs the store step for one result with the store on: a 200's summary is stored, and
// the answer gains stored and store_ms after compute_ms, or becomes the store's error answer.
// Any other answer passes as it is (it writes nothing). It never panics.
func (h *Handler) stored(ctx context.Context, requestID string, res Result) (out Result) {
	res.Store.On = true
	if res.StatusCode != 200 {
		return res
	}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil { // a bug of ours, not the network's: still never a 500
			out = storeFailed(res, &fault.Error{Status: 503, Code: fault.CodeUnavailable, Cause: fault.CauseService,
				SDKError: "panic", Err: fmt.Errorf("panic: %v", p)}, start)
		}
	}()
	if err := h.Store.Put(ctx, requestID, &res.Summary); err != nil {
		var se *fault.Error
		if !errors.As(err, &se) {
			se = &fault.Error{Status: 503, Code: fault.CodeUnavailable, Cause: fault.CauseService, SDKError: "error", Sent: true, Err: err}
		}
		return storeFailed(res, se, start)
	}
	res.Store.Stored, res.Store.Sent, res.Store.StoreMs = true, true, ms(time.Since(start))
	// A 200 answer ends with compute_ms and the closing brace (AppendAnswer): the two keys go after.
	b := append(res.Body[:len(res.Body)-1:len(res.Body)-1], `,"stored":true,"store_ms":`...)
	b = appendFloat(b, res.Store.StoreMs)
	res.Body = append(b, '}')
	return res
}

func storeFailed(res Result, se *fault.Error, start time.Time) Result {
	res.Store.Sent, res.Store.StoreMs = se.Sent, ms(time.Since(start))
	res.Store.Cause, res.Store.SDKError = string(se.Cause), se.SDKError
	res.StatusCode = se.Status
	res.Error = se.Code
	res.Body = appendError(nil, se.Code, se.Detail())
	return res
}

// storeLevel is the log line's level: WARNING for a 503 of the store (as the Python side logs
// it), else level as it is.
func storeLevel(level string, s *StoreLog) string {
	if level == "INFO" && s.Cause != "" {
		return "WARNING"
	}
	return level
}

// appendStoreLog appends the log line's store keys when the store is on (§5.9).
func appendStoreLog(b []byte, s *StoreLog) []byte {
	if !s.On {
		return b
	}
	b = append(b, `,"stored":`...)
	b = strconv.AppendBool(b, s.Stored)
	b = append(b, `,"store_ms":`...)
	if s.Sent {
		b = appendFloat(b, s.StoreMs)
	} else {
		b = append(b, "null"...)
	}
	if s.Cause != "" {
		b = append(b, `,"store_cause":`...)
		b = appendJSON(b, s.Cause)
		b = append(b, `,"store_error":`...)
		b = appendJSON(b, s.SDKError)
	}
	return b
}

// appendJSON appends s as a JSON string (only a store failure's log line needs it).
func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
