package aggregate

import "unsafe"

// The invocation event (a Function URL event object) is read with the same strict scanner as
// the document, into these few types: enough to find the method, the headers, the body and
// isBase64Encoded, never more. Strings are decoded, lone surrogates and invalid UTF-8 refused.

// Object is a JSON object: the last of duplicate keys wins; Keys keeps each name once, in the
// order it first appeared.
type Object struct {
	Keys   []string
	Values map[string]any
}

// Get returns the member's value and whether the member is present.
func (o Object) Get(name string) (any, bool) {
	v, ok := o.Values[name]
	return v, ok
}

// Array stands for a JSON array: validated, not kept (no field of the event needs one).
type Array struct{}

// Number is a JSON number's literal text (or NaN, Infinity, -Infinity).
type Number string

// LoneString is a string that held a lone surrogate escape (each one read as U+FFFD here): it
// has no UTF-8 form.
type LoneString string

// ParseEvent parses an invocation event's JSON text into Object, Array, Number, string,
// LoneString, bool or nil, as leniently as the Python runtime's json.loads: lone surrogate
// escapes, NaN, Infinity, -Infinity and numbers beyond a double pass; everything else of
// docs/contract.md §2 holds (UTF-8, escapes, syntax, depth). The error is an *Error with code
// invalid_json.
func ParseEvent(data []byte) (any, error) {
	var s scanner
	s.data = data
	s.lenient = true
	s.skipWS()
	v, ok := s.tree(1)
	if ok {
		s.skipWS()
		if s.pos != len(data) {
			ok = s.fail("The JSON text has more after its first value, at offset %d; send one JSON value.", s.pos)
		}
	}
	if !ok {
		return nil, s.err
	}
	return v, nil
}

func (s *scanner) tree(depth int) (any, bool) {
	d := s.data
	if s.pos >= len(d) {
		return nil, s.failAt("a value")
	}
	start := s.pos
	switch c := d[start]; {
	case c == '"':
		s.lone = false
		esc, ok := s.str()
		if !ok {
			return nil, false
		}
		if s.lone {
			return LoneString(s.unescape(start+1, s.pos-1)), true
		}
		if esc {
			return string(s.unescape(start+1, s.pos-1)), true
		}
		return string(d[start+1 : s.pos-1]), true
	case c == '{':
		if depth > MaxDepth {
			return nil, s.fail("The JSON nests arrays and objects more than %d levels deep; flatten it.", MaxDepth)
		}
		obj := Object{Values: map[string]any{}}
		s.pos++
		s.skipWS()
		if s.pos < len(d) && d[s.pos] == '}' {
			s.pos++
			return obj, true
		}
		for {
			s.skipWS()
			if s.pos >= len(d) || d[s.pos] != '"' {
				return nil, s.failAt("an object (expected a key)")
			}
			k, ok := s.tree(depth)
			if !ok || !s.colon() {
				return nil, false
			}
			if lone, isLone := k.(LoneString); isLone {
				k = "\x00lone:" + string(lone) // never one of the names the handler reads
			}
			v, ok := s.tree(depth + 1)
			if !ok {
				return nil, false
			}
			key, _ := k.(string)
			if _, seen := obj.Values[key]; !seen {
				obj.Keys = append(obj.Keys, key)
			}
			obj.Values[key] = v
			if done, ok := s.next('}', "an object"); !ok {
				return nil, false
			} else if done {
				return obj, true
			}
		}
	case c == '[':
		if !s.value(depth) {
			return nil, false
		}
		return Array{}, true
	case c == 'N' || c == 'I' || (c == '-' && start+1 < len(d) && d[start+1] == 'I'):
		word := "NaN"
		switch c {
		case 'I':
			word = "Infinity"
		case '-':
			word = "-Infinity"
		}
		if !s.literal(word) {
			return nil, false
		}
		return Number(word), true
	case c == '-' || (c >= '0' && c <= '9'):
		if _, ok := s.number(); !ok {
			return nil, false
		}
		return Number(d[start:s.pos]), true
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	}
	return nil, s.failAt("a value")
}

// Bytes views a string as bytes without copying; the caller must not write to them.
func Bytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
