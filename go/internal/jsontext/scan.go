// Package jsontext reads and writes JSON text (RFC 8259) without reflection: a validating
// scanner shared by the core (go/aggregate) and the invocation event reader (go/internal/event),
// and the one JSON string encoder of the Go twin.
//
// The scanner holds docs/contract.md §2 (UTF-8, escapes, surrogate pairs, number syntax and
// range, nesting depth). Its lenient mode reads an invocation event as the Python runtime's
// decoder does: lone surrogates, NaN, Infinity, -Infinity and numbers beyond a double pass.
package jsontext

import (
	"fmt"
	"unsafe"
)

// MaxDepth is the deepest nesting of arrays and objects; a top-level container is level 1.
const MaxDepth = 1024

// SyntaxError is text the scanner refuses (docs/contract.md §2: invalid_json). Detail is a
// sentence a person can act on; it never quotes the input.
type SyntaxError struct {
	Detail string
}

func (e *SyntaxError) Error() string { return e.Detail }

// Scanner reads Data from Pos. Each method validates one piece of JSON text and leaves Pos
// after it; a method that returns false has recorded the first failure in Err.
type Scanner struct {
	Data []byte
	Pos  int
	Err  *SyntaxError

	// Lenient reads an invocation event as the Python runtime's decoder does: lone surrogates
	// (escaped, or encoded in UTF-8 bytes), NaN, Infinity, -Infinity and numbers beyond a double
	// are let through. Lone is set when a string held a lone surrogate (the caller resets it).
	// Never set for a document.
	Lenient bool
	Lone    bool
}

// Fail records a failure (the first one wins) and returns false.
func (s *Scanner) Fail(format string, args ...any) bool {
	if s.Err == nil {
		s.Err = &SyntaxError{Detail: fmt.Sprintf(format, args...)}
	}
	return false
}

// FailAt records that the text ends early, or holds an unexpected byte at Pos, inside what.
func (s *Scanner) FailAt(what string) bool {
	if s.Pos >= len(s.Data) {
		return s.Fail("The body is not valid JSON: it ends early, inside %s; send the complete JSON array.", what)
	}
	return s.Fail("The body is not valid JSON: unexpected byte at offset %d, in %s; send a JSON array of event objects (RFC 8259, UTF-8).", s.Pos, what)
}

// SkipWS skips JSON white space.
func (s *Scanner) SkipWS() {
	d := s.Data
	p := s.Pos
	if p < len(d) && d[p] > ' ' {
		return
	}
	for p < len(d) {
		switch d[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			s.Pos = p
			return
		}
	}
	s.Pos = p
}

// Value validates any JSON value at Pos; depth is the level a container there would have.
func (s *Scanner) Value(depth int) bool {
	d := s.Data
	if s.Pos >= len(d) {
		return s.FailAt("a value")
	}
	switch c := d[s.Pos]; c {
	case '"':
		_, ok := s.Str()
		return ok
	case '{':
		if empty, ok := s.Open(depth, '}'); !ok || empty {
			return ok
		}
		for {
			if !s.Key() || !s.Value(depth+1) {
				return false
			}
			if done, ok := s.Next('}', "an object"); !ok || done {
				return ok
			}
		}
	case '[':
		if empty, ok := s.Open(depth, ']'); !ok || empty {
			return ok
		}
		for {
			s.SkipWS()
			if !s.Value(depth + 1) {
				return false
			}
			if done, ok := s.Next(']', "an array"); !ok || done {
				return ok
			}
		}
	case 't':
		return s.Literal("true")
	case 'f':
		return s.Literal("false")
	case 'n':
		return s.Literal("null")
	case 'N':
		if s.Lenient {
			return s.Literal("NaN")
		}
	case 'I':
		if s.Lenient {
			return s.Literal("Infinity")
		}
	}
	if c := d[s.Pos]; c == '-' || (c >= '0' && c <= '9') {
		if s.Lenient && c == '-' && s.Pos+1 < len(d) && d[s.Pos+1] == 'I' {
			return s.Literal("-Infinity")
		}
		_, ok := s.Number()
		return ok
	}
	return s.FailAt("a value")
}

// Key validates an object's key at Pos (after white space) and the ':' after it.
func (s *Scanner) Key() bool {
	s.SkipWS()
	if s.Pos >= len(s.Data) || s.Data[s.Pos] != '"' {
		return s.FailAt("an object (expected a key)")
	}
	if _, ok := s.Str(); !ok {
		return false
	}
	return s.Colon()
}

// Open enters the array or object at Pos, whose level is depth; empty says it closed at once.
func (s *Scanner) Open(depth int, closing byte) (empty, ok bool) {
	if depth > MaxDepth {
		return false, s.Fail("The JSON nests arrays and objects more than %d levels deep; flatten it.", MaxDepth)
	}
	s.Pos++
	s.SkipWS()
	if s.Pos < len(s.Data) && s.Data[s.Pos] == closing {
		s.Pos++
		return true, true
	}
	return false, true
}

// Colon skips white space, a ':' and white space.
func (s *Scanner) Colon() bool {
	if p := s.Pos; p+2 < len(s.Data) && s.Data[p] == ':' && s.Data[p+1] == ' ' && s.Data[p+2] > ' ' {
		s.Pos = p + 2 // the usual ": "
		return true
	}
	s.SkipWS()
	if s.Pos >= len(s.Data) || s.Data[s.Pos] != ':' {
		return s.FailAt("an object (expected ':')")
	}
	s.Pos++
	s.SkipWS()
	return true
}

// Next reads the ',' or closing byte after a member; done is true after the closing byte.
func (s *Scanner) Next(closing byte, what string) (done, ok bool) {
	s.SkipWS()
	if s.Pos >= len(s.Data) {
		return false, s.FailAt(what)
	}
	switch s.Data[s.Pos] {
	case ',':
		s.Pos++
		return false, true
	case closing:
		s.Pos++
		return true, true
	}
	return false, s.FailAt(what)
}

// Literal reads word (true, false, null; NaN and the infinities in a lenient scan).
func (s *Scanner) Literal(word string) bool {
	d := s.Data
	if len(d)-s.Pos >= len(word) && string(d[s.Pos:s.Pos+len(word)]) == word {
		s.Pos += len(word)
		return true
	}
	return s.FailAt("a value (true, false and null are the only JSON words; NaN and Infinity are not JSON)")
}

// View views b as a string without copying. The string is only good while b is unchanged:
// callers use it for calls that do not keep it, or for map keys into bytes that outlive the map.
func View(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
