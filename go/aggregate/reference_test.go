package aggregate

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// reference is a slow, obvious implementation of docs/contract.md §3 and §4 over
// encoding/json's generic decoding, for the fuzz target and the property tests to compare the
// scanner against. It only answers documents that encoding/json reads and that hold none of
// what encoding/json does not check (ok is false otherwise).
func reference(body []byte) (sum Summary, isArray bool, ok bool) {
	if !utf8.Valid(body) || !json.Valid(body) {
		return Summary{}, false, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return Summary{}, false, false
	}
	arr, isArray := doc.([]any)
	if !isArray {
		return Summary{}, false, true
	}
	endpoints := map[string]int{}
	statuses := map[string]int{}
	users := map[string]bool{}
	var durations []int64
	sum.TotalEvents = len(arr)
	for _, el := range arr {
		obj, isObj := el.(map[string]any)
		if !isObj {
			sum.InvalidEvents++
			continue
		}
		endpoint, status, user := "unknown", "unknown", ""
		var duration int64
		valid := true
		if v, has := obj["endpoint"]; has && v != nil {
			s, isStr := v.(string)
			valid = valid && isStr && utf8.RuneCountInString(s) <= MaxEndpointPoints
			if s != "" {
				endpoint = s
			}
		}
		if v, has := obj["status"]; has && v != nil {
			n, isNum := v.(json.Number)
			i, err := strconv.ParseInt(string(n), 10, 64)
			valid = valid && isNum && err == nil
			status = strconv.FormatInt(i, 10)
		}
		if v, has := obj["duration_ms"]; has && v != nil {
			n, isNum := v.(json.Number)
			f, _ := strconv.ParseFloat(string(n), 64)
			valid = valid && isNum && f > -(1<<53) && f < 1<<53
			duration = int64(math.Trunc(f))
		}
		if v, has := obj["user_id"]; has && v != nil {
			switch u := v.(type) {
			case string:
				user = u
			case json.Number:
				i, err := strconv.ParseInt(string(u), 10, 64)
				valid = valid && err == nil
				user = strconv.FormatInt(i, 10)
			default:
				valid = false
			}
		}
		if !valid {
			sum.InvalidEvents++
			continue
		}
		endpoints[endpoint]++
		statuses[status]++
		if user != "" {
			users[user] = true
		}
		durations = append(durations, duration)
	}
	sum.UniqueUsers = len(users)
	slices.Sort(durations)
	if m := len(durations); m > 0 {
		sum.P95DurationMs = durations[int(math.Floor(0.95*float64(m-1)))]
	}
	sum.TopEndpoints = []EndpointCount{}
	for e, c := range endpoints {
		sum.TopEndpoints = append(sum.TopEndpoints, EndpointCount{e, c})
	}
	slices.SortFunc(sum.TopEndpoints, func(a, b EndpointCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Endpoint, b.Endpoint)
	})
	sum.TopEndpoints = sum.TopEndpoints[:min(TopN, len(sum.TopEndpoints))]
	sum.StatusCounts = []StatusCount{}
	for s, c := range statuses {
		sum.StatusCounts = append(sum.StatusCounts, StatusCount{s, c})
	}
	slices.SortFunc(sum.StatusCounts, func(a, b StatusCount) int { return strings.Compare(a.Status, b.Status) })
	return sum, true, true
}
