package aggregate

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/telemetry-agg/telemetry-agg/go/internal/study"
)

func ExampleAggregate() {
	body := []byte(`[
	  {"endpoint": "/login", "status": 200, "duration_ms": 12.9, "user_id": "u_1"},
	  {"endpoint": "/login", "status": 401, "duration_ms": 30, "user_id": 42},
	  {"endpoint": "/feed", "status": 200, "duration_ms": 7, "user_id": "42"},
	  {"endpoint": "/feed", "status": "200"},
	  "not an event"
	]`)
	sum, err := Aggregate(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.TotalEvents, sum.InvalidEvents, sum.UniqueUsers, sum.P95DurationMs)
	fmt.Println(sum.TopEndpoints)
	fmt.Println(sum.StatusCounts)
	// Output:
	// 5 2 2 12
	// [{/login 2} {/feed 1}]
	// [{200 2} {401 1}]
}

func ExampleAggregate_errors() {
	for _, body := range []string{`{"endpoint": "/a"}`, `[NaN]`, `[1e400]`, `["\ud800"]`} {
		_, err := Aggregate([]byte(body))
		var e *Error
		if errors.As(err, &e) {
			fmt.Println(e.Code)
		}
	}
	// Output:
	// expected_array
	// invalid_json
	// invalid_json
	// invalid_json
}

// TestDocumentRules holds the scanner to §2 case by case (the shared vectors cover the same
// rules through the handler; these pin the scanner alone, with short inputs).
func TestDocumentRules(t *testing.T) {
	valid := []string{
		`[]`, " \t\r\n[ ] \n", `[1e-400]`, `[-0, 0.0e+0, 1E5]`, `["\ud83d\ude00"]`, `[{"\u0065ndpoint":"/a"}]`,
		`[1.7976931348623157e308]`, `[` + strings.Repeat("9", 308) + `]`, `["é\u00e9"]`, `[{}, [], [[]]]`,
		`[0.000001e313]`, "[\"\xed\x9f\xbf\xe0\xa0\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]", strings.Repeat("[", 1024) + strings.Repeat("]", 1024),
		`[` + strings.Repeat(`{"a":`, 1023) + `1` + strings.Repeat("}", 1023) + `]`,
	}
	for _, body := range valid {
		if _, err := Aggregate([]byte(body)); err != nil {
			t.Errorf("%.60q: %v, want valid", body, err)
		}
	}
	invalid := []string{
		``, ` `, `[`, `[1,]`, `[,1]`, `[01]`, `[+1]`, `[.5]`, `[1.]`, `[1e]`, `[-]`, `[NaN]`, `[Infinity]`,
		`[-Infinity]`, `[True]`, `[nul]`, "\xef\xbb\xbf[]", "[\"\x01\"]", `["\ud800"]`, `["\udc00"]`,
		`["\ud800\u0041"]`, `["\ud800\\n"]`, `[{"\ud800": 1}]`, `["\x"]`, `["\u12G4"]`, "[\"\xff\"]",
		"[\"\xed\xa0\x80\"]", "[\"\xc0\x80\"]", "[\"\xe0\x80\x80\"]", "[\"\xf0\x80\x80\x80\"]", "[\"\xf8\x88\x80\x80\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]", `[] x`, `[][]`,
		`[1e309]`, `[-1e309]`, `[` + strings.Repeat("9", 309) + `]`, `[{"a":1e400}]`, `[{"a" 1}]`,
		`[{"a":1,}]`, `[{1:1}]`, `["abc]`, `[1 2]`, `[0.000001e315]`,
		strings.Repeat("[", 1025) + strings.Repeat("]", 1025),
		`[` + strings.Repeat(`{"a":`, 1024) + `1` + strings.Repeat("}", 1024) + `]`,
	}
	for _, body := range invalid {
		_, err := Aggregate([]byte(body))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidJSON || e.Detail == "" {
			t.Errorf("%.60q: %v, want invalid_json", body, err)
		}
	}
	for _, body := range []string{`{}`, `"[]"`, `1`, `true`, `null`, ` {"a":[1]} `} {
		_, err := Aggregate([]byte(body))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeExpectedArray {
			t.Errorf("%q: %v, want expected_array", body, err)
		}
	}
}

func TestFields(t *testing.T) {
	cases := []struct {
		body  string
		valid bool
	}{
		{`{"status": 9223372036854775807}`, true},
		{`{"status": -9223372036854775808}`, true},
		{`{"status": 9223372036854775808}`, false},
		{`{"status": -9223372036854775809}`, false},
		{`{"status": 99999999999999999999}`, false},
		{`{"status": 200.0}`, false},
		{`{"status": 2e2}`, false},
		{`{"status": "200"}`, false},
		{`{"status": true}`, false},
		{`{"status": null}`, true},
		{`{"duration_ms": 9007199254740991}`, true},
		{`{"duration_ms": 9007199254740992}`, false},
		{`{"duration_ms": 9007199254740993}`, false},
		{`{"duration_ms": -9007199254740991.4}`, true},
		{`{"duration_ms": 9.007199254740991e15}`, true},
		{`{"duration_ms": 1e300}`, false},
		{`{"duration_ms": "5"}`, false},
		{`{"duration_ms": [5]}`, false},
		{`{"user_id": 1.5}`, false},
		{`{"user_id": 1e2}`, false},
		{`{"user_id": true}`, false},
		{`{"user_id": {}}`, false},
		{`{"user_id": 9223372036854775808}`, false},
		{`{"endpoint": 5}`, false},
		{`{"endpoint": "` + strings.Repeat("é", 1024) + `"}`, true},
		{`{"endpoint": "` + strings.Repeat("é", 1025) + `"}`, false},
		{`{"endpoint": "` + strings.Repeat(`\ud83d\ude00`, 1024) + `"}`, true},
		{`{"endpoint": "` + strings.Repeat(`\u00e9`, 1025) + `"}`, false},
		{`{"status": "x", "status": 200}`, true},
		{`{"status": 200, "status": "x"}`, false},
		{`{"status": 200, "status": null}`, true},
		{`{"Status": "x", "STATUS": []}`, true},
	}
	for _, c := range cases {
		sum, err := Aggregate([]byte("[" + c.body + "]"))
		if err != nil {
			t.Errorf("%.60s: %v", c.body, err)
			continue
		}
		if got := sum.InvalidEvents == 0; got != c.valid || sum.TotalEvents != 1 {
			t.Errorf("%.60s: valid=%v total=%d, want valid=%v", c.body, got, sum.TotalEvents, c.valid)
		}
	}
}

func TestCounting(t *testing.T) {
	sum, err := Aggregate([]byte(`[
		{"endpoint": "", "status": -0, "user_id": -0},
		{"endpoint": "unknown", "user_id": "0"},
		{"status": 7, "user_id": ""},
		{"endpoint": "\u00e9", "duration_ms": -1.5},
		{"endpoint": "\ud83d\ude00", "duration_ms": 3},
		{"endpoint": "\uffff", "duration_ms": 3},
		{"endpoint": "z", "duration_ms": -0.5}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{
		TotalEvents: 7, UniqueUsers: 1, P95DurationMs: 3,
		// "\uffff" sorts before "\U0001F600" in code points (not in UTF-16 units).
		TopEndpoints: []EndpointCount{{"unknown", 3}, {"z", 1}, {"é", 1}, {"\uffff", 1}, {"😀", 1}},
		StatusCounts: []StatusCount{{"0", 1}, {"7", 1}, {"unknown", 5}},
	}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("got  %+v\nwant %+v", sum, want)
	}
}

func TestSelectKth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 300; n++ {
		v := make([]int64, n)
		for i := range v {
			v[i] = r.Int64N(int64(n/3 + 1))
		}
		sorted := append([]int64(nil), v...)
		slices.Sort(sorted)
		k := r.IntN(n)
		if got := selectKth(v, k); got != sorted[k] {
			t.Fatalf("n=%d k=%d: %d, want %d", n, k, got, sorted[k])
		}
	}
}

// TestAgainstReference compares the scanner with the slow reference on random batches that mix
// valid events with every kind of wrong field.
func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		body := randomBatch(r, r.IntN(40))
		checkAgainstReference(t, body)
		if t.Failed() {
			t.Fatalf("case %d: %s", i, body)
		}
	}
}

func checkAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	sum, err := Aggregate(body)
	want, isArray, refOK := reference(body)
	if err == nil {
		checkInvariants(t, sum)
		if !refOK || !isArray {
			t.Errorf("scanner accepts what encoding/json rejects (or is not an array): %q", body)
			return
		}
		if !reflect.DeepEqual(sum, want) {
			t.Errorf("scanner and reference differ on %q\n scanner:   %+v\n reference: %+v", body, sum, want)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error of the wrong type: %v", err)
	}
	if e.Code == CodeExpectedArray && (!refOK || isArray) {
		t.Errorf("expected_array on %q, reference ok=%v array=%v", body, refOK, isArray)
	}
}

func checkInvariants(t *testing.T, s Summary) {
	t.Helper()
	valid := 0
	for _, c := range s.StatusCounts {
		if c.Count <= 0 {
			t.Errorf("status count %d", c.Count)
		}
		valid += c.Count
	}
	if s.TotalEvents < 0 || s.InvalidEvents < 0 || s.UniqueUsers < 0 || s.TotalEvents != valid+s.InvalidEvents {
		t.Errorf("total %d != valid %d + invalid %d", s.TotalEvents, valid, s.InvalidEvents)
	}
	if s.UniqueUsers > valid {
		t.Errorf("%d users from %d valid events", s.UniqueUsers, valid)
	}
	top := 0
	for i, e := range s.TopEndpoints {
		top += e.Count
		if e.Count <= 0 || (i > 0 && !before(s.TopEndpoints[i-1], e)) {
			t.Errorf("top_endpoints out of order: %+v", s.TopEndpoints)
		}
	}
	if top > valid || len(s.TopEndpoints) > TopN || (valid > 0 && len(s.TopEndpoints) == 0) {
		t.Errorf("top_endpoints %+v from %d valid events", s.TopEndpoints, valid)
	}
	for i := 1; i < len(s.StatusCounts); i++ {
		if s.StatusCounts[i-1].Status >= s.StatusCounts[i].Status {
			t.Errorf("status_counts out of order: %+v", s.StatusCounts)
		}
	}
}

// FuzzAggregate: no input makes the scanner panic or break the answer's invariants, and where
// encoding/json can read the batch, the scanner agrees with the reference.
func FuzzAggregate(f *testing.F) {
	seeds := []string{
		`[]`, `[{"endpoint":"/a","status":200,"duration_ms":12.5,"user_id":"u_1"}]`,
		`[{"status":9223372036854775808,"user_id":-0},{"endpoint":"\ud83d\ude00"},1,"x",null]`,
		`[{"duration_ms":9007199254740992},{"duration_ms":-0.5,"status":-0}]`, `[1e400]`, `["\ud800"]`,
		`{"a":1}`, `[{"endpoint":"a","endpoint":5}]`, "[\"\xed\xa0\x80\"]", `[[[[[]]]]]`,
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		seeds = append(seeds, string(randomBatch(r, 5)))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReference(t, body)
	})
}

// randomBatch writes n events: mostly the study's shape, with odd and wrong fields mixed in.
func randomBatch(r *rand.Rand, n int) []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if r.IntN(12) == 0 {
			b.WriteString(pick(r, `1`, `"x"`, `null`, `[]`, `true`, `[{"endpoint":"/a"}]`))
			continue
		}
		b.WriteString("{")
		fields := []string{
			`"endpoint":` + pick(r, strconv.Quote(study.Endpoints[r.IntN(6)]), `""`, `"unknown"`, `null`, `5`, `"\u00e9\n"`, `"\ud83d\ude00"`, `"/l\u006fgin"`),
			`"status":` + pick(r, strconv.Itoa(study.Statuses[r.IntN(8)]), `-0`, `"200"`, `200.0`, `2e2`, `null`, `9223372036854775808`, `-9223372036854775808`, `true`),
			`"duration_ms":` + pick(r, strconv.Itoa(r.IntN(500)), `12.9`, `-0.5`, `-1.5`, `1e3`, `"5"`, `null`, `9007199254740992`, `1e-400`, `-0.0`),
			`"user_id":` + pick(r, `"u_`+strconv.Itoa(r.IntN(10))+`"`, strconv.Itoa(r.IntN(10)), `""`, `-0`, `1.5`, `null`, `true`, `9223372036854775808`),
			`"extra":` + pick(r, `{"k":[1,2,{"x":null}]}`, `"x"`, `1e300`),
			`"status":` + pick(r, `201`, `"bad"`),
		}
		r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		fields = fields[:r.IntN(len(fields)+1)]
		b.WriteString(strings.Join(fields, ","))
		b.WriteString("}")
	}
	b.WriteString("]")
	return []byte(b.String())
}

func pick(r *rand.Rand, options ...string) string {
	if r.IntN(3) > 0 {
		return options[0]
	}
	return options[r.IntN(len(options))]
}
