package aggregate

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// accumulator holds the counts of the valid events.
type accumulator struct {
	total, invalid  int
	durations       []int64
	statusSmall     [1000]int // statuses 0..999, by value
	statusMap       map[int64]int
	statusUnknown   int
	endpoints       map[string]int // endpoint -> index into endpointCounts
	endpointCounts  []int
	recent          [8]string // the first endpoints, index i at endpointCounts[i]
	nRecent         int
	unknownEndpoint int
	users           map[string]struct{}
}

func (a *accumulator) init(n int) {
	events := n / 64
	a.durations = make([]int64, 0, min(events+8, 1<<20))
	a.endpoints = make(map[string]int, 16)
	a.users = make(map[string]struct{}, min(events+8, 1<<18))
}

func (a *accumulator) addStatus(v int64) {
	if v >= 0 && v < int64(len(a.statusSmall)) {
		a.statusSmall[v]++
		return
	}
	if a.statusMap == nil {
		a.statusMap = make(map[int64]int)
	}
	a.statusMap[v]++
}

// addEndpoint counts an endpoint; scratch says b is scratch that must be copied to be kept.
// Otherwise b lies inside the body, which outlives the map (the top endpoints are cloned
// before Aggregate returns).
func (a *accumulator) addEndpoint(b []byte, scratch bool) {
	// The first few distinct endpoints are compared directly, before any hashing: real
	// batches hold a handful of endpoints.
	for i := range a.recent[:a.nRecent] {
		if string(b) == a.recent[i] {
			a.endpointCounts[i]++
			return
		}
	}
	if i, ok := a.endpoints[string(b)]; ok { // no allocation for a lookup
		a.endpointCounts[i]++
		return
	}
	key := jsontext.View(b)
	if scratch {
		key = string(b)
	}
	i := len(a.endpointCounts)
	a.endpoints[key] = i
	a.endpointCounts = append(a.endpointCounts, 1)
	if i == a.nRecent && i < len(a.recent) {
		a.recent[i] = key
		a.nRecent++
	}
}

func (a *accumulator) addUser(b []byte, scratch bool) {
	if !scratch {
		a.users[jsontext.View(b)] = struct{}{} // one hash; the key stays inside the body
		return
	}
	if _, ok := a.users[string(b)]; !ok {
		a.users[string(b)] = struct{}{}
	}
}

func (a *accumulator) summary() Summary {
	sum := Summary{
		TotalEvents:   a.total,
		InvalidEvents: a.invalid,
		UniqueUsers:   len(a.users),
		TopEndpoints:  []EndpointCount{},
		StatusCounts:  []StatusCount{},
	}
	if m := len(a.durations); m > 0 {
		k := int(math.Floor(0.95 * float64(m-1)))
		sum.P95DurationMs = selectKth(a.durations, k)
	}
	// top endpoints: "unknown" (absent or "") and a string "unknown" are one endpoint.
	if u := a.unknownEndpoint; u > 0 {
		if i, ok := a.endpoints["unknown"]; ok {
			a.endpointCounts[i] += u
		} else {
			a.endpoints["unknown"] = len(a.endpointCounts)
			a.endpointCounts = append(a.endpointCounts, u)
		}
	}
	var top [TopN]EndpointCount
	n := 0
	for ep, i := range a.endpoints {
		e := EndpointCount{ep, a.endpointCounts[i]}
		if n < TopN {
			top[n] = e
			n++
		} else if !before(e, top[n-1]) {
			continue
		} else {
			top[n-1] = e
		}
		for i := n - 1; i > 0 && before(top[i], top[i-1]); i-- {
			top[i], top[i-1] = top[i-1], top[i]
		}
	}
	for _, e := range top[:n] {
		sum.TopEndpoints = append(sum.TopEndpoints, EndpointCount{strings.Clone(e.Endpoint), e.Count})
	}
	// status counts
	for v, c := range a.statusSmall {
		if c > 0 {
			sum.StatusCounts = append(sum.StatusCounts, StatusCount{strconv.Itoa(v), c})
		}
	}
	for v, c := range a.statusMap {
		sum.StatusCounts = append(sum.StatusCounts, StatusCount{strconv.FormatInt(v, 10), c})
	}
	if a.statusUnknown > 0 {
		sum.StatusCounts = append(sum.StatusCounts, StatusCount{"unknown", a.statusUnknown})
	}
	slices.SortFunc(sum.StatusCounts, func(x, y StatusCount) int { return cmp.Compare(x.Status, y.Status) })
	return sum
}

// before orders top_endpoints: count descending, then endpoint ascending (UTF-8 byte order is
// code-point order).
func before(x, y EndpointCount) bool {
	if x.Count != y.Count {
		return x.Count > y.Count
	}
	return x.Endpoint < y.Endpoint
}

// selectKth returns the k-th smallest element (0-based) of v, reordering v: a quickselect
// with median-of-three pivots that falls back to sorting when it stops shrinking fast.
func selectKth(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	budget := 64
	for hi > lo {
		if budget == 0 {
			slices.Sort(v[lo : hi+1])
			return v[k]
		}
		budget--
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
