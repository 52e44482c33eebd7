package handler

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/internal/study"
)

// BenchmarkHandlerVsCore times the whole handler on a Function URL event (Process: the event
// read, the body decoded, the aggregation, the answer's JSON) and the core alone on the same
// body (aggregate.Aggregate), one right after the other in each round so that both see the same
// machine load, and reports the handler's time over the core's (fastest over fastest, median
// over median):
//
//	go test -run '^$' -bench HandlerVsCore -benchtime 200x ./handler/
func BenchmarkHandlerVsCore(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		body := study.Payload(n, 1)
		event := study.FunctionURLEvent(body)
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			if res := Process(event); res.StatusCode != 200 || res.Summary.TotalEvents != n {
				b.Fatalf("the handler answered %d on the event: %s", res.StatusCode, res.Body)
			}
			b.SetBytes(int64(len(event)))
			var core, handler []time.Duration
			for b.Loop() {
				t := time.Now()
				if _, err := aggregate.Aggregate(body); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				Process(event)
				core, handler = append(core, t2.Sub(t)), append(handler, time.Since(t2))
			}
			slices.Sort(core)
			slices.Sort(handler)
			med := len(core) / 2
			b.ReportMetric(float64(core[0].Microseconds()), "core-min-µs")
			b.ReportMetric(float64(handler[0].Microseconds()), "handler-min-µs")
			b.ReportMetric(float64(handler[0])/float64(core[0]), "handler/core-min")
			b.ReportMetric(float64(handler[med])/float64(core[med]), "handler/core-median")
		})
	}
}
