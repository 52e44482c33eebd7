package handler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

// Store writes a 200 answer's summary before the answer is sent (docs/contract.md §5);
// *store.Store is the real one. An error that is a *store.Error says which answer to send
// instead; any other error is a 503 store_unavailable.
type Store interface {
	Put(ctx context.Context, requestID string, s *aggregate.Summary) error
}

// stored runs the store step on a 200 result: the answer gains stored and store_ms after
// compute_ms, or becomes the store's error answer. It never panics.
func (h *Handler) stored(ctx context.Context, requestID string, res Result) (out Result) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			out = h.storeFailed(res, requestID, &store.Error{Status: 503, Code: store.CodeUnavailable,
				Cause: store.CauseService, Err: fmt.Errorf("panic: %v", p)})
		}
	}()
	if err := h.Store.Put(ctx, requestID, &res.Summary); err != nil {
		var se *store.Error
		if !errors.As(err, &se) {
			se = &store.Error{Status: 503, Code: store.CodeUnavailable, Cause: store.CauseService, Err: err}
		}
		return h.storeFailed(res, requestID, se)
	}
	// A 200 answer ends with compute_ms and the closing brace (AppendAnswer): the two keys go after.
	b := append(res.Body[:len(res.Body)-1:len(res.Body)-1], `,"stored":true,"store_ms":`...)
	b = appendFloat(b, ms(time.Since(start)))
	res.Body = append(b, '}')
	return res
}

// storeFailed turns the result into the store's error answer, and logs the SDK's error (for
// the operator; it never goes into the answer) on a line of its own.
func (h *Handler) storeFailed(res Result, requestID string, se *store.Error) Result {
	if se.Err != nil {
		line := append([]byte(`{"level":"WARN","message":"store failed","language":"go","error":`), appendString(nil, se.Code)...)
		line = append(append(line, `,"cause":`...), appendString(nil, string(se.Cause))...)
		line = append(append(line, `,"sdk_error":`...), appendString(nil, se.Reason())...)
		line = append(append(line, `,"request_id":`...), appendString(nil, requestID)...)
		line = append(line, "}\n"...)
		w := h.Log
		if w == nil {
			w = os.Stdout
		}
		h.mu.Lock()
		_, _ = w.Write(line)
		h.mu.Unlock()
	}
	res.StatusCode = se.Status
	res.Error = se.Code
	res.Body = appendError(nil, se.Code, se.Detail())
	return res
}
