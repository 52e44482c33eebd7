// Package aggregate is the core of the Go twin: one pass over a JSON batch of telemetry
// events, validating the document as it goes (docs/contract.md §2) and counting the valid
// events (§3) into a Summary (§4).
//
// The scanner reads the bytes once. It validates UTF-8, escapes, surrogate pairs, number
// syntax and range, and nesting depth, and it counts each event as soon as its object closes.
// Nothing on this path uses reflection.
package aggregate

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// Name is the aggregator's name in every answer ("aggregator": "scanner").
const Name = "scanner"

// Limits from docs/contract.md.
const (
	MaxDepth          = 1024 // arrays and objects nested inside each other; the top array is 1
	MaxEndpointPoints = 1024 // code points in an endpoint
	TopN              = 5    // pairs in top_endpoints
)

// Error codes of the document (docs/contract.md §4).
const (
	CodeInvalidJSON   = "invalid_json"
	CodeExpectedArray = "expected_array"
)

// Error is a document the contract rejects: Code is invalid_json or expected_array, Detail a
// sentence a person can act on (it never quotes the payload).
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// EndpointCount is one pair of top_endpoints.
type EndpointCount struct {
	Endpoint string
	Count    int
}

// StatusCount is one entry of status_counts.
type StatusCount struct {
	Status string
	Count  int
}

// Summary is the answer's counting part (docs/contract.md §4).
type Summary struct {
	TotalEvents   int
	InvalidEvents int
	UniqueUsers   int
	P95DurationMs int64
	TopEndpoints  []EndpointCount // count descending, then endpoint ascending by code point
	StatusCounts  []StatusCount   // status text ascending by code point
}

// Aggregate validates body as the contract's document and summarises its events. The error,
// when not nil, is an *Error.
func Aggregate(body []byte) (Summary, error) {
	var s scanner
	s.data = body
	if err := s.run(); err != nil {
		return Summary{}, err
	}
	return s.acc.summary(), nil
}

// kinds of a recorded field value
const (
	kAbsent uint8 = iota // absent or null
	kString
	kNumber
	kOther // a value of a type no field accepts (true, false, an object, an array)
)

type field struct {
	kind  uint8
	esc   bool // string with escapes
	isInt bool // number literal without fraction or exponent
	start int  // string content (between the quotes) or number text
	end   int
}

type scanner struct {
	data []byte
	pos  int
	err  *Error
	buf  []byte // scratch for unescaped strings
	acc  accumulator

	// lenient reads an invocation event as the Python runtime's decoder does: lone surrogates
	// (escaped, or encoded in UTF-8 bytes; noted in lone), NaN, Infinity, -Infinity and numbers
	// beyond a double are let through. Never set for a document.
	lenient bool
	lone    bool
	loneKey bool // an object key held a lone surrogate (lenient only)
}

func (s *scanner) fail(format string, args ...any) bool {
	if s.err == nil {
		s.err = &Error{Code: CodeInvalidJSON, Detail: fmt.Sprintf(format, args...)}
	}
	return false
}

func (s *scanner) failAt(what string) bool {
	if s.pos >= len(s.data) {
		return s.fail("The body is not valid JSON: it ends early, inside %s; send the complete JSON array.", what)
	}
	return s.fail("The body is not valid JSON: unexpected byte at offset %d, in %s; send a JSON array of event objects (RFC 8259, UTF-8).", s.pos, what)
}

func (s *scanner) skipWS() {
	d := s.data
	p := s.pos
	if p < len(d) && d[p] > ' ' {
		return
	}
	for p < len(d) {
		switch d[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			s.pos = p
			return
		}
	}
	s.pos = p
}

func (s *scanner) run() *Error {
	d := s.data
	s.skipWS()
	if s.pos >= len(d) {
		s.fail("The body is empty or only white space, which is not JSON; send a JSON array of events, such as [].")
		return s.err
	}
	if d[s.pos] != '[' {
		if !s.value(1) {
			return s.err
		}
		s.skipWS()
		if s.pos != len(d) {
			s.fail("The body is not valid JSON: there is more after the first value, at offset %d; send one JSON array.", s.pos)
			return s.err
		}
		return &Error{Code: CodeExpectedArray, Detail: "The body is JSON but not an array; send a JSON array of event objects, such as [{\"endpoint\": \"/login\"}]."}
	}
	s.acc.init(len(d))
	s.pos++
	s.skipWS()
	if s.pos < len(d) && d[s.pos] == ']' {
		s.pos++
	} else {
		for {
			s.skipWS()
			if s.pos >= len(d) {
				s.failAt("the top-level array")
				return s.err
			}
			s.acc.total++
			if d[s.pos] == '{' {
				if !s.event() {
					return s.err
				}
			} else {
				if !s.value(2) {
					return s.err
				}
				s.acc.invalid++
			}
			s.skipWS()
			if s.pos >= len(d) {
				s.failAt("the top-level array")
				return s.err
			}
			c := d[s.pos]
			s.pos++
			if c == ']' {
				break
			}
			if c != ',' {
				s.pos--
				s.failAt("the top-level array")
				return s.err
			}
		}
	}
	s.skipWS()
	if s.pos != len(d) {
		s.fail("The body is not valid JSON: there is more after the array, at offset %d; send one JSON array.", s.pos)
		return s.err
	}
	return nil
}

// value validates any JSON value at s.pos; depth is the level a container here would have.
func (s *scanner) value(depth int) bool {
	d := s.data
	if s.pos >= len(d) {
		return s.failAt("a value")
	}
	switch c := d[s.pos]; c {
	case '"':
		_, ok := s.str()
		return ok
	case '{':
		if empty, ok := s.open(depth, '}'); !ok || empty {
			return ok
		}
		for {
			s.skipWS()
			if s.pos >= len(d) || d[s.pos] != '"' {
				return s.failAt("an object (expected a key)")
			}
			if _, ok := s.str(); !ok {
				return false
			}
			if !s.colon() {
				return false
			}
			if !s.value(depth + 1) {
				return false
			}
			if done, ok := s.next('}', "an object"); !ok || done {
				return ok
			}
		}
	case '[':
		if empty, ok := s.open(depth, ']'); !ok || empty {
			return ok
		}
		for {
			s.skipWS()
			if !s.value(depth + 1) {
				return false
			}
			if done, ok := s.next(']', "an array"); !ok || done {
				return ok
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			_, ok := s.number()
			return ok
		}
		return s.failAt("a value")
	}
}

// open enters the array or object at s.pos, whose level is depth; empty says it closed at once.
func (s *scanner) open(depth int, closing byte) (empty, ok bool) {
	if depth > MaxDepth {
		return false, s.fail("The JSON nests arrays and objects more than %d levels deep; flatten it.", MaxDepth)
	}
	s.pos++
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == closing {
		s.pos++
		return true, true
	}
	return false, true
}

// colon skips white space, a ':' and white space.
func (s *scanner) colon() bool {
	if p := s.pos; p+2 < len(s.data) && s.data[p] == ':' && s.data[p+1] == ' ' && s.data[p+2] > ' ' {
		s.pos = p + 2 // the usual ": "
		return true
	}
	s.skipWS()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.failAt("an object (expected ':')")
	}
	s.pos++
	s.skipWS()
	return true
}

// next reads the ',' or closing byte after a member; done is true after the closing byte.
func (s *scanner) next(closing byte, what string) (done, ok bool) {
	s.skipWS()
	if s.pos >= len(s.data) {
		return false, s.failAt(what)
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return false, true
	case closing:
		s.pos++
		return true, true
	}
	return false, s.failAt(what)
}

func (s *scanner) literal(word string) bool {
	d := s.data
	if len(d)-s.pos >= len(word) && string(d[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return s.failAt("a value (true, false and null are the only JSON words; NaN and Infinity are not JSON)")
}

// strClass marks bytes a string's fast loop must stop at: '"', '\\', control characters and
// every byte >= 0x80 (UTF-8 to validate).
var strClass = func() (t [256]bool) {
	for i := range 0x20 {
		t[i] = true
	}
	t['"'] = true
	t['\\'] = true
	for i := 0x80; i < 256; i++ {
		t[i] = true
	}
	return t
}()

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// hasSpecial reports whether any of the eight bytes in x is one strClass marks: below 0x20,
// '"', '\\' or 0x80 and above. (Each test may flag a byte next to a hit, never miss one.)
func hasSpecial(x uint64) bool {
	quote := x ^ (ones * '"')
	bslash := x ^ (ones * '\\')
	return ((x-ones*0x20)|(quote-ones)|(bslash-ones)|x)&high != 0
}

// str validates the string starting at the '"' at s.pos and leaves s.pos after its closing
// quote. It reports whether the content holds escapes.
func (s *scanner) str() (esc bool, ok bool) {
	d := s.data
	p := s.pos + 1
	for {
		// Eight plain bytes at a time, then byte by byte up to the next special one.
		for p+8 <= len(d) && !hasSpecial(binary.LittleEndian.Uint64(d[p:])) {
			p += 8
		}
		for p < len(d) && !strClass[d[p]] {
			p++
		}
		if p >= len(d) {
			s.pos = p
			return false, s.failAt("a string")
		}
		c := d[p]
		switch {
		case c == '"':
			s.pos = p + 1
			return esc, true
		case c == '\\':
			esc = true
			n, ok := s.escapeLen(p)
			if !ok {
				return false, false
			}
			p += n
		case c < 0x20:
			s.pos = p
			return false, s.fail("The body is not valid JSON: a control character (U+%04X) at offset %d sits unescaped inside a string; escape it (for example \\n or \\u0000).", c, p)
		default:
			n := utf8Len(d, p)
			if n == 0 && s.lenient && c == 0xED && p+2 < len(d) && d[p+1] >= 0xA0 && d[p+1] <= 0xBF && d[p+2]&0xC0 == 0x80 {
				// An encoded surrogate: Python's json.loads reads bytes with "surrogatepass".
				s.lone = true
				n = 3
			}
			if n == 0 {
				s.pos = p
				return false, s.fail("The body is not valid UTF-8 at offset %d; send UTF-8 text.", p)
			}
			p += n
		}
	}
}

// escapeLen validates the escape at d[p] ('\\') and returns its length: 2, 6, or 12 for a
// surrogate pair. A lone surrogate is an error, except in a lenient scan (which notes it).
func (s *scanner) escapeLen(p int) (int, bool) {
	d := s.data
	if p+1 >= len(d) {
		s.pos = len(d)
		return 0, s.failAt("a string")
	}
	switch d[p+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
	default:
		s.pos = p
		return 0, s.fail("The body is not valid JSON: unknown escape at offset %d; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.", p)
	}
	r, ok := hex4(d, p+2)
	if !ok {
		s.pos = p
		return 0, s.fail("The body is not valid JSON: a \\u escape at offset %d needs four hex digits.", p)
	}
	if r < 0xD800 || r > 0xDFFF {
		return 6, true
	}
	if r <= 0xDBFF && p+7 < len(d) && d[p+6] == '\\' && d[p+7] == 'u' {
		// A high surrogate must be followed by an escaped low surrogate.
		if lo, ok := hex4(d, p+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 12, true
		}
	}
	if s.lenient {
		s.lone = true
		return 6, true
	}
	s.pos = p
	return 0, s.fail("The body is not valid JSON: the \\u escape at offset %d is a lone surrogate (a high surrogate needs a low one right after it, a low one needs a high one before it); send valid Unicode.", p)
}

// utf8Len returns the length of the valid UTF-8 sequence starting at d[p] (a byte >= 0x80),
// or 0 when it is invalid (overlong forms, surrogates, beyond U+10FFFF, truncated).
func utf8Len(d []byte, p int) int {
	c := d[p]
	switch {
	case c >= 0xC2 && c <= 0xDF:
		if p+1 < len(d) && d[p+1]&0xC0 == 0x80 {
			return 2
		}
	case c >= 0xE0 && c <= 0xEF:
		if p+2 < len(d) {
			c1, c2 := d[p+1], d[p+2]
			lo, hi := byte(0x80), byte(0xBF)
			if c == 0xE0 {
				lo = 0xA0
			} else if c == 0xED {
				hi = 0x9F
			}
			if c1 >= lo && c1 <= hi && c2&0xC0 == 0x80 {
				return 3
			}
		}
	case c >= 0xF0 && c <= 0xF4:
		if p+3 < len(d) {
			c1, c2, c3 := d[p+1], d[p+2], d[p+3]
			lo, hi := byte(0x80), byte(0xBF)
			if c == 0xF0 {
				lo = 0x90
			} else if c == 0xF4 {
				hi = 0x8F
			}
			if c1 >= lo && c1 <= hi && c2&0xC0 == 0x80 && c3&0xC0 == 0x80 {
				return 4
			}
		}
	}
	return 0
}

func hex4(d []byte, p int) (rune, bool) {
	if p+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[p : p+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// unescape decodes the content of a validated string that holds escapes into s.buf.
func (s *scanner) unescape(start, end int) []byte {
	s.buf = s.appendUnescaped(s.buf[:0], start, end)
	return s.buf
}

// appendUnescaped appends the decoded content of the validated string s.data[start:end]: plain
// runs are copied whole, escapes decoded one by one.
func (s *scanner) appendUnescaped(b []byte, start, end int) []byte {
	d := s.data
	for p := start; p < end; {
		q := p
		for q < end && d[q] != '\\' {
			q++
		}
		b = append(b, d[p:q]...)
		if p = q; p == end {
			return b
		}
		switch d[p+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, _ := hex4(d, p+2)
			if r >= 0xD800 && r <= 0xDFFF {
				lo, ok := rune(0), false
				if r <= 0xDBFF && p+7 < end && d[p+6] == '\\' && d[p+7] == 'u' {
					lo, ok = hex4(d, p+8)
				}
				if ok && lo >= 0xDC00 && lo <= 0xDFFF {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					p += 6
				} else {
					r = 0xFFFD // a lone surrogate: only the lenient event scan lets one through
				}
			}
			b = appendRune(b, r)
			p += 6
			continue
		default: // '"', '\\', '/'
			b = append(b, d[p+1])
		}
		p += 2
	}
	return b
}

func appendRune(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}

// number validates the number at s.pos and reports whether it is an integer literal (no
// fraction, no exponent). A number whose value rounds to an infinite double is invalid_json.
func (s *scanner) number() (isInt bool, ok bool) {
	d := s.data
	start := s.pos
	p := start
	if d[p] == '-' {
		p++
	}
	if p >= len(d) {
		s.pos = p
		return false, s.failAt("a number")
	}
	intStart := p
	switch c := d[p]; {
	case c == '0':
		p++
	case c >= '1' && c <= '9':
		p++
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
		}
	default:
		s.pos = p
		return false, s.failAt("a number")
	}
	intDigits := p - intStart
	isInt = true
	if p < len(d) && d[p] == '.' {
		isInt = false
		p++
		fs := p
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
		}
		if p == fs {
			s.pos = p
			return false, s.failAt("a number (a '.' needs digits after it)")
		}
	}
	exp := 0
	if p < len(d) && (d[p] == 'e' || d[p] == 'E') {
		isInt = false
		p++
		neg := false
		if p < len(d) && (d[p] == '+' || d[p] == '-') {
			neg = d[p] == '-'
			p++
		}
		es := p
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			if exp < 100000 {
				exp = exp*10 + int(d[p]-'0')
			}
			p++
		}
		if p == es {
			s.pos = p
			return false, s.failAt("a number (an exponent needs digits)")
		}
		if neg {
			exp = -exp
		}
	}
	s.pos = p
	// |value| < 10^(intDigits+exp): below 10^308 it cannot overflow a double.
	if intDigits+exp > 308 && !s.lenient {
		f, err := strconv.ParseFloat(bstr(d[start:p]), 64)
		if err != nil && math.IsInf(f, 0) {
			return false, s.fail("The body is not valid JSON for this service: the number at offset %d is too large for a double; send numbers within ±1.7976931348623157e308.", start)
		}
	}
	return isInt, true
}

// bstr views b as a string without copying. The string is only good while b is unchanged: it
// serves calls that do not keep it, and map keys that point into the body, which no one writes
// to during Aggregate and which outlives the maps (anything returned is cloned).
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// event reads the object at s.pos (an element of the top array, level 2) and counts it.
func (s *scanner) event() bool {
	d := s.data
	var fEndpoint, fStatus, fDuration, fUser field
	s.pos++
	s.skipWS()
	if s.pos < len(d) && d[s.pos] == '}' {
		s.pos++
	} else {
		for {
			s.skipWS()
			if s.pos >= len(d) || d[s.pos] != '"' {
				return s.failAt("an event object (expected a key)")
			}
			var f *field
			// The four names as they usually come (no escapes): matched with their closing
			// quote, without the string scanner.
			switch rest := d[s.pos+1:]; {
			case hasKey(rest, "endpoint\""):
				f, s.pos = &fEndpoint, s.pos+10
			case hasKey(rest, "status\""):
				f, s.pos = &fStatus, s.pos+8
			case hasKey(rest, "duration_ms\""):
				f, s.pos = &fDuration, s.pos+13
			case hasKey(rest, "user_id\""):
				f, s.pos = &fUser, s.pos+9
			default:
				ks := s.pos + 1
				kesc, ok := s.str()
				if !ok {
					return false
				}
				key := d[ks : s.pos-1]
				if kesc {
					key = s.unescape(ks, s.pos-1)
				}
				switch string(key) {
				case "endpoint":
					f = &fEndpoint
				case "status":
					f = &fStatus
				case "duration_ms":
					f = &fDuration
				case "user_id":
					f = &fUser
				}
			}
			if !s.colon() {
				return false
			}
			if f == nil {
				if !s.value(3) {
					return false
				}
			} else if !s.fieldValue(f) {
				return false
			}
			if done, ok := s.next('}', "an event object"); !ok {
				return false
			} else if done {
				break
			}
		}
	}
	s.count(&fEndpoint, &fStatus, &fDuration, &fUser)
	return true
}

// hasKey reports whether b starts with key (a name and its closing quote).
func hasKey(b []byte, key string) bool {
	return len(b) >= len(key) && string(b[:len(key)]) == key
}

// fieldValue reads the value of one of the four fields, recording it in f (the last
// duplicate wins: f is overwritten).
func (s *scanner) fieldValue(f *field) bool {
	d := s.data
	if s.pos >= len(d) {
		return s.failAt("a value")
	}
	start := s.pos
	switch c := d[start]; {
	case c == '"':
		esc, ok := s.str()
		if !ok {
			return false
		}
		*f = field{kind: kString, esc: esc, start: start + 1, end: s.pos - 1}
	case c == '-' || (c >= '0' && c <= '9'):
		isInt, ok := s.number()
		if !ok {
			return false
		}
		*f = field{kind: kNumber, isInt: isInt, start: start, end: s.pos}
	case c == 'n':
		if !s.literal("null") {
			return false
		}
		*f = field{}
	default:
		if !s.value(3) {
			return false
		}
		*f = field{kind: kOther}
	}
	return true
}

const twoTo53 = 1 << 53

// count applies §3 to the recorded fields of one event object.
func (s *scanner) count(fe, fs, fd, fu *field) {
	d := s.data
	a := &s.acc
	// endpoint
	var endpoint []byte
	switch fe.kind {
	case kAbsent:
	case kString:
		if fe.esc {
			endpoint = s.unescape(fe.start, fe.end)
		} else {
			endpoint = d[fe.start:fe.end]
		}
		if len(endpoint) > MaxEndpointPoints && runeCount(endpoint) > MaxEndpointPoints {
			a.invalid++
			return
		}
	default:
		a.invalid++
		return
	}
	// status
	status, statusKnown := int64(0), false
	switch fs.kind {
	case kAbsent:
	case kNumber:
		v, ok := parseInt64(d[fs.start:fs.end], fs.isInt)
		if !ok {
			a.invalid++
			return
		}
		status, statusKnown = v, true
	default:
		a.invalid++
		return
	}
	// duration_ms
	var duration int64
	switch fd.kind {
	case kAbsent:
	case kNumber:
		v, ok := durationValue(d[fd.start:fd.end], fd.isInt)
		if !ok {
			a.invalid++
			return
		}
		duration = v
	default:
		a.invalid++
		return
	}
	// user_id
	var user []byte
	userEsc := false
	switch fu.kind {
	case kAbsent:
	case kString:
		user = d[fu.start:fu.end]
		userEsc = fu.esc
	case kNumber:
		if _, ok := parseInt64(d[fu.start:fu.end], fu.isInt); !ok {
			a.invalid++
			return
		}
		user = d[fu.start:fu.end]
		if len(user) == 2 && user[0] == '-' && user[1] == '0' {
			user = user[1:]
		}
	default:
		a.invalid++
		return
	}

	// A valid event: count it.
	a.durations = append(a.durations, duration)
	if statusKnown {
		a.addStatus(status)
	} else {
		a.statusUnknown++
	}
	if len(endpoint) == 0 {
		a.unknownEndpoint++
	} else if fe.esc {
		a.addEndpoint(endpoint, true)
	} else {
		a.addEndpoint(endpoint, false)
	}
	if userEsc {
		user = s.unescape(fu.start, fu.end)
		if len(user) > 0 {
			a.addUser(user, true)
		}
	} else if len(user) > 0 {
		a.addUser(user, false)
	}
}

func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// parseInt64 reads an integer literal in the signed 64-bit range.
func parseInt64(b []byte, isInt bool) (int64, bool) {
	if !isInt {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) > 19 {
		return 0, false
	}
	var u uint64 // 19 digits stay below 2^64: no wrap-around
	for _, c := range b {
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// durationValue is the value of a duration_ms number, rounded to double and truncated
// toward zero; it must lie strictly between -2^53 and 2^53.
func durationValue(b []byte, isInt bool) (int64, bool) {
	if isInt && len(b) <= 16 { // at most 15 digits (16 with '-'): exact, below 2^53
		digits := b
		if b[0] == '-' {
			digits = b[1:]
		}
		if len(digits) <= 15 {
			var v int64
			for _, c := range digits {
				v = v*10 + int64(c-'0')
			}
			if b[0] == '-' {
				v = -v
			}
			return v, true
		}
	}
	// number() already refused literals that round to an infinite double, so f is finite
	// (an underflow is 0).
	f, _ := strconv.ParseFloat(bstr(b), 64)
	if !(f > -twoTo53 && f < twoTo53) {
		return 0, false
	}
	return int64(f), true
}

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
	key := bstr(b)
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
		a.users[bstr(b)] = struct{}{} // one hash; the key stays inside the body
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
