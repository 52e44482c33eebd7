package aggregate

import (
	"math"
	"strconv"

	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// One event object (docs/contract.md §3): its four fields are recorded as they are read (the
// last of duplicate keys wins), then checked and counted when the object closes.

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

// event reads the object at s.Pos (an element of the top array, level 2) and counts it.
func (s *scanner) event() bool {
	d := s.Data
	var fEndpoint, fStatus, fDuration, fUser field
	s.Pos++
	s.SkipWS()
	if s.Pos < len(d) && d[s.Pos] == '}' {
		s.Pos++
	} else {
		for {
			s.SkipWS()
			if s.Pos >= len(d) || d[s.Pos] != '"' {
				return s.FailAt("an event object (expected a key)")
			}
			var f *field
			// The four names as they usually come (no escapes): matched with their closing
			// quote, without the string scanner.
			switch rest := d[s.Pos+1:]; {
			case hasKey(rest, "endpoint\""):
				f, s.Pos = &fEndpoint, s.Pos+10
			case hasKey(rest, "status\""):
				f, s.Pos = &fStatus, s.Pos+8
			case hasKey(rest, "duration_ms\""):
				f, s.Pos = &fDuration, s.Pos+13
			case hasKey(rest, "user_id\""):
				f, s.Pos = &fUser, s.Pos+9
			default:
				ks := s.Pos + 1
				kesc, ok := s.Str()
				if !ok {
					return false
				}
				key := d[ks : s.Pos-1]
				if kesc {
					s.buf = s.Unescape(s.buf[:0], ks, s.Pos-1)
					key = s.buf
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
			if !s.Colon() {
				return false
			}
			if f == nil {
				if !s.Value(3) {
					return false
				}
			} else if !s.fieldValue(f) {
				return false
			}
			if done, ok := s.Next('}', "an event object"); !ok {
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
	d := s.Data
	if s.Pos >= len(d) {
		return s.FailAt("a value")
	}
	start := s.Pos
	switch c := d[start]; {
	case c == '"':
		esc, ok := s.Str()
		if !ok {
			return false
		}
		*f = field{kind: kString, esc: esc, start: start + 1, end: s.Pos - 1}
	case c == '-' || (c >= '0' && c <= '9'):
		isInt, ok := s.Number()
		if !ok {
			return false
		}
		*f = field{kind: kNumber, isInt: isInt, start: start, end: s.Pos}
	case c == 'n':
		if !s.Literal("null") {
			return false
		}
		*f = field{}
	default:
		if !s.Value(3) {
			return false
		}
		*f = field{kind: kOther}
	}
	return true
}

const twoTo53 = 1 << 53

// count applies §3 to the recorded fields of one event object.
func (s *scanner) count(fe, fs, fd, fu *field) {
	d := s.Data
	a := &s.acc
	// endpoint
	var endpoint []byte
	switch fe.kind {
	case kAbsent:
	case kString:
		if fe.esc {
			s.buf = s.Unescape(s.buf[:0], fe.start, fe.end)
			endpoint = s.buf
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
		s.buf = s.Unescape(s.buf[:0], fu.start, fu.end)
		user = s.buf
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
	f, _ := strconv.ParseFloat(jsontext.View(b), 64)
	if !(f > -twoTo53 && f < twoTo53) {
		return 0, false
	}
	return int64(f), true
}
