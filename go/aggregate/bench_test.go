package aggregate

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"testing"

	"github.com/telemetry-agg/telemetry-agg/go/internal/study"
)

// naiveEvent and naiveAggregate are the baseline the bar is measured against: what a first Go
// version writes (encoding/json into structs, sort.Ints). It reads the study's payloads only
// and does not follow the contract's rules; it is here to be timed, not trusted.
type naiveEvent struct {
	Endpoint   string  `json:"endpoint"`
	Status     int     `json:"status"`
	DurationMs float64 `json:"duration_ms"`
	UserID     string  `json:"user_id"`
}

func naiveAggregate(body []byte) (Summary, error) {
	var events []naiveEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return Summary{}, err
	}
	endpoints := map[string]int{}
	statuses := map[string]int{}
	users := map[string]struct{}{}
	durations := make([]int, 0, len(events))
	for _, e := range events {
		endpoints[e.Endpoint]++
		statuses[strconv.Itoa(e.Status)]++
		users[e.UserID] = struct{}{}
		durations = append(durations, int(e.DurationMs))
	}
	sort.Ints(durations)
	s := Summary{TotalEvents: len(events), UniqueUsers: len(users)}
	if len(durations) > 0 {
		s.P95DurationMs = int64(durations[int(math.Floor(0.95*float64(len(durations)-1)))])
	}
	for k, v := range endpoints {
		s.TopEndpoints = append(s.TopEndpoints, EndpointCount{k, v})
	}
	sort.Slice(s.TopEndpoints, func(i, j int) bool { return before(s.TopEndpoints[i], s.TopEndpoints[j]) })
	if len(s.TopEndpoints) > TopN {
		s.TopEndpoints = s.TopEndpoints[:TopN]
	}
	for k, v := range statuses {
		s.StatusCounts = append(s.StatusCounts, StatusCount{k, v})
	}
	sort.Slice(s.StatusCounts, func(i, j int) bool { return s.StatusCounts[i].Status < s.StatusCounts[j].Status })
	return s, nil
}

var benchSizes = []int{100, 1000, 5000, 20000, 100000}

// TestNaiveAgrees makes sure the baseline does the same work (same answer on the study's payload).
func TestNaiveAgrees(t *testing.T) {
	body := study.Payload(3000, 7)
	want, err := naiveAggregate(body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Aggregate(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalEvents != want.TotalEvents || got.UniqueUsers != want.UniqueUsers ||
		got.P95DurationMs != want.P95DurationMs || len(got.TopEndpoints) != len(want.TopEndpoints) ||
		got.TopEndpoints[0] != want.TopEndpoints[0] || len(got.StatusCounts) != len(want.StatusCounts) {
		t.Fatalf("scanner %+v\nnaive %+v", got, want)
	}
	ref, _, _ := reference(body)
	if got.P95DurationMs != ref.P95DurationMs || got.UniqueUsers != ref.UniqueUsers {
		t.Fatalf("scanner %+v\nreference %+v", got, ref)
	}
}

// BenchmarkAggregate times the core (scanner) and the naive baseline on the study's payloads,
// side by side for each size so that both see the same machine load:
//
//	go test -run '^$' -bench Aggregate -benchmem ./aggregate/
func BenchmarkAggregate(b *testing.B) {
	impls := []struct {
		name string
		fn   func([]byte) (Summary, error)
	}{{"scanner", Aggregate}, {"naive", naiveAggregate}}
	for _, n := range benchSizes {
		body := study.Payload(n, 1)
		for _, impl := range impls {
			b.Run(fmt.Sprintf("events=%d/%s", n, impl.name), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.fn(body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
