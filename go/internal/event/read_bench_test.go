package event

import (
	"testing"

	"github.com/telemetry-agg/telemetry-agg/go/internal/study"
)

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
