package aggregate

import (
	"strconv"
	"unsafe"
)

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

// Number is a JSON number's literal text (or NaN, Infinity, -Infinity).
type Number string

// LoneString is a string that held a lone surrogate escape (each one read as U+FFFD here): it
// has no UTF-8 form.
type LoneString string

// ParseEvent parses an invocation event's JSON text into Object, []any, Number, string,
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
		// Decoded into a buffer of its own, viewed as a string without another copy (the
		// body can be 32 MiB).
		var str string
		if esc {
			b := s.appendUnescaped(make([]byte, 0, s.pos-1-start-1), start+1, s.pos-1)
			str = unsafe.String(unsafe.SliceData(b), len(b))
		} else {
			str = string(d[start+1 : s.pos-1])
		}
		if s.lone {
			return LoneString(str), true
		}
		return str, true
	case c == '{':
		obj := Object{Values: map[string]any{}}
		if empty, ok := s.open(depth, '}'); !ok || empty {
			return obj, ok
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
				s.loneKey = true
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
		arr := []any{}
		if empty, ok := s.open(depth, ']'); !ok || empty {
			return arr, ok
		}
		for {
			s.skipWS()
			v, ok := s.tree(depth + 1)
			if !ok {
				return nil, false
			}
			arr = append(arr, v)
			if done, ok := s.next(']', "an array"); !ok {
				return nil, false
			} else if done {
				return arr, true
			}
		}
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

// Redecode answers what the Python handler makes of a direct invocation's array: the Lambda
// runtime decodes the event with json.loads (which lets NaN, Infinity, numbers beyond a double
// and lone surrogates through, and keeps only the last of duplicate keys), and the handler
// encodes that back to JSON text for the document rules. Redecode does the same to data:
// values that a later duplicate key replaced are gone, everything else is written back as it
// was (so NaN, an overflowing number or a lone surrogate that survived still breaks §2). ok is
// false when json.loads itself would refuse data, or a key holds a lone surrogate (a key is
// never replaced, so the document stays invalid).
func Redecode(data []byte) (doc []byte, ok bool) {
	var s scanner
	s.data = data
	s.lenient = true
	s.skipWS()
	v, ok := s.tree(1)
	if ok {
		s.skipWS()
		ok = s.pos == len(data)
	}
	if !ok || s.loneKey {
		return nil, false
	}
	return appendJSON(nil, v), true
}

func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case Number:
		return append(b, v...)
	case string:
		return appendQuoted(b, v)
	case LoneString:
		return append(b, `"\ud800"`...) // still a lone surrogate: the document rules refuse it
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case Object:
		b = append(b, '{')
		for i, k := range v.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, k)
			b = append(b, ':')
			b = appendJSON(b, v.Values[k])
		}
		return append(b, '}')
	}
	panic("aggregate: appendJSON: unexpected type")
}

// appendQuoted writes s (valid UTF-8) as a JSON string.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
