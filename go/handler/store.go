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
	On       bool    // the request reached the store (a 200, or the 503 or 413 it became)
	Stored   bool    // the summary is in the table
	TooLarge bool    // a 413: nothing was sent, store_ms is null
	StoreMs  float64 // the time spent
	Cause    string  // on a 503: the cause class
	SDKError string  // on a 503: the SDK's error code or error type
}

// stored runs the store step for one result with the store on: a 200's summary is stored, and
// the answer gains stored and store_ms after compute_ms, or becomes the store's error answer.
// Any other answer passes as it is (it writes nothing, and logs as without the store). It
// never panics.
func (h *Handler) stored(ctx context.Context, requestID string, res Result) (out Result) {
	if res.StatusCode != 200 {
		return res
	}
	res.Store.On = true
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
			se = &fault.Error{Status: 503, Code: fault.CodeUnavailable, Cause: fault.CauseService, SDKError: "error", Err: err}
		}
		return storeFailed(res, se, start)
	}
	res.Store.Stored, res.Store.StoreMs = true, ms(time.Since(start))
	// A 200 answer ends with compute_ms and the closing brace (AppendAnswer): the two keys go after.
	b := append(res.Body[:len(res.Body)-1:len(res.Body)-1], `,"stored":true,"store_ms":`...)
	b = appendFloat(b, res.Store.StoreMs)
	res.Body = append(b, '}')
	return res
}

func storeFailed(res Result, se *fault.Error, start time.Time) Result {
	res.Store.TooLarge, res.Store.StoreMs = se.Code == fault.CodeTooLarge, ms(time.Since(start))
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

// appendStoreLog appends the log line's store keys for a request that reached the store
// (§5.9): stored and store_ms (null for a 413); for a 503 or 413 also store_cause and
// store_error (null for a 413).
func appendStoreLog(b []byte, s *StoreLog) []byte {
	if !s.On {
		return b
	}
	b = append(b, `,"stored":`...)
	b = strconv.AppendBool(b, s.Stored)
	b = append(b, `,"store_ms":`...)
	if s.TooLarge {
		b = append(b, "null"...)
	} else {
		b = appendFloat(b, s.StoreMs)
	}
	if !s.Stored {
		b = append(b, `,"store_cause":`...)
		b = appendJSONOrNull(b, s.Cause)
		b = append(b, `,"store_error":`...)
		b = appendJSONOrNull(b, s.SDKError)
	}
	return b
}

// appendJSONOrNull appends s as a JSON string, or null when it is empty (only a store
// failure's log line needs it).
func appendJSONOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
