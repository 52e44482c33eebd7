package event

import (
	"testing"

	"github.com/telemetry-agg/telemetry-agg/go/internal/study"
)

// BenchmarkRead times the event reader alone (the body's decoding is nearly all of it) on the
// 20,000-event Function URL event, its buffer reused as the handler reuses it:
//
//	go test -run '^$' -bench Read ./internal/event/
func BenchmarkRead(b *testing.B) {
	event := study.FunctionURLEvent(study.Payload(20000, 1))
	var buf []byte
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		env, _, err := Read(event, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = env.Buf
	}
}
