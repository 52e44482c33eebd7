package main

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkColdStart measures the bootstrap's start-up as Lambda's init phase sees it: from
// starting the process to its first request for an invocation (GET .../invocation/next) on a
// stand-in Runtime API. "on" sets TELEMETRY_AGG_TABLE, so main makes the DynamoDB client;
// "off" is the same build without it; "nostore" is the build with -tags nostore (no AWS SDK
// linked). The three take turns within each iteration, so that the machine's load falls on
// all alike; each is reported as its median (ms), with the ratios:
//
//	go test -run '^$' -bench ColdStart -benchtime 60x ./cmd/bootstrap
func BenchmarkColdStart(b *testing.B) {
	type start struct {
		name, bin string
		env       []string
		took      []time.Duration
	}
	bin := buildBootstrap(b, "")
	cases := []*start{
		{name: "nostore", bin: buildBootstrap(b, "nostore")},
		{name: "off", bin: bin},
		{name: "on", bin: bin, env: []string{"TELEMETRY_AGG_TABLE=summaries", "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9"}},
	}
	b.StopTimer()
	for range b.N {
		for _, c := range cases {
			c.took = append(c.took, startOnce(b, c.bin, c.env))
		}
	}
	medians := map[string]float64{}
	for _, c := range cases {
		slices.Sort(c.took)
		medians[c.name] = float64(c.took[len(c.took)/2].Microseconds()) / 1000
		b.ReportMetric(medians[c.name], c.name+"-ms")
	}
	b.ReportMetric(medians["off"]/medians["nostore"], "off/nostore")
	b.ReportMetric(medians["on"]/medians["nostore"], "on/nostore")
	b.ReportMetric(0, "ns/op") // the medians above are the result
}

// startOnce starts the bootstrap, waits for its first GET .../invocation/next and returns how
// long that took.
func startOnce(b *testing.B, bin string, env []string) time.Duration {
	api := newRuntimeAPI(b)
	began := time.Now()
	cmd := api.start(b, bin, env...)
	select {
	case <-api.asked:
	case <-time.After(10 * time.Second):
		b.Fatalf("%s did not ask for an invocation within 10 s", bin)
	}
	took := time.Since(began)
	_ = cmd.Process.Kill()
	return took
}
