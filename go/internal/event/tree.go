// Package event reads the Lambda invocation event for the handler (docs/contract.md §1), as
// leniently as the Python runtime's decoder (json.loads) reads it: lone surrogate escapes, NaN,
// Infinity, -Infinity and numbers beyond a double pass; everything else of §2 holds (UTF-8,
// escapes, syntax, depth).
package event

import (
	"strconv"

	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// The tree of a lenient scan, for Redecode: a direct array that breaks §2 is read whole, as
// json.loads reads it, and written back.

// object is a JSON object: the last of duplicate keys wins; keys keeps each name once, in the
// order it first appeared.
type object struct {
	keys   []string
	values map[string]any
}

// number is a JSON number's literal text (or NaN, Infinity, -Infinity).
type number string

// loneString is a string that held a lone surrogate: it has no UTF-8 form.
type loneString string

// parser builds the tree of a lenient scan.
type parser struct {
	jsontext.Scanner
	loneKey bool // an object key held a lone surrogate
}

// parse reads data as one JSON value into object, []any, number, string, loneString, bool or
// nil. The error is the scanner's.
func parse(data []byte) (*parser, any, error) {
	p := &parser{Scanner: jsontext.Scanner{Data: data, Lenient: true}}
	p.SkipWS()
	v, ok := p.tree(1)
	if ok {
		p.SkipWS()
		if p.Pos != len(data) {
			ok = p.Fail("The JSON text has more after its first value, at offset %d; send one JSON value.", p.Pos)
		}
	}
	if !ok {
		return p, nil, p.Err
	}
	return p, v, nil
}

func (p *parser) tree(depth int) (any, bool) {
	d := p.Data
	if p.Pos >= len(d) {
		return nil, p.FailAt("a value")
	}
	start := p.Pos
	switch d[start] {
	case '"':
		p.Lone = false
		esc, ok := p.Str()
		if !ok {
			return nil, false
		}
		// Decoded into a buffer of its own, viewed as a string without another copy.
		str := string(d[start+1 : p.Pos-1])
		if esc {
			str = jsontext.View(p.Unescape(nil, start+1, p.Pos-1))
		}
		if p.Lone {
			return loneString(str), true
		}
		return str, true
	case '{':
		return p.object(depth)
	case '[':
		arr := []any{}
		if empty, ok := p.Open(depth, ']'); !ok || empty {
			return arr, ok
		}
		for {
			p.SkipWS()
			v, ok := p.tree(depth + 1)
			if !ok {
				return nil, false
			}
			arr = append(arr, v)
			if done, ok := p.Next(']', "an array"); !ok {
				return nil, false
			} else if done {
				return arr, true
			}
		}
	}
	if !p.Value(depth) {
		return nil, false
	}
	switch d[start] {
	case 't':
		return true, true
	case 'f':
		return false, true
	case 'n':
		return nil, true
	}
	return number(d[start:p.Pos]), true
}

func (p *parser) object(depth int) (any, bool) {
	d := p.Data
	obj := object{values: map[string]any{}}
	if empty, ok := p.Open(depth, '}'); !ok || empty {
		return obj, ok
	}
	for {
		p.SkipWS()
		if p.Pos >= len(d) || d[p.Pos] != '"' {
			return nil, p.FailAt("an object (expected a key)")
		}
		k, ok := p.tree(depth)
		if !ok || !p.Colon() {
			return nil, false
		}
		if lone, isLone := k.(loneString); isLone {
			p.loneKey = true
			k = "\x00lone:" + string(lone) // never one of the names the handler reads
		}
		v, ok := p.tree(depth + 1)
		if !ok {
			return nil, false
		}
		key, _ := k.(string)
		if _, seen := obj.values[key]; !seen {
			obj.keys = append(obj.keys, key)
		}
		obj.values[key] = v
		if done, ok := p.Next('}', "an object"); !ok {
			return nil, false
		} else if done {
			return obj, true
		}
	}
}

// Redecode answers what the Python handler makes of a direct invocation's array: the Lambda
// runtime decodes the event with json.loads (which lets NaN, Infinity, numbers beyond a double
// and lone surrogates through, and keeps only the last of duplicate keys), and the handler
// encodes that back to JSON text for the document rules. Redecode does the same to data:
// values that a later duplicate key replaced are gone, everything else is written back as it
// was (so NaN, an overflowing number or a lone surrogate that survived still breaks §2). ok is
// false when json.loads itself would refuse data, or a key holds a lone surrogate (a key is
// never replaced, so the document stays invalid).
func Redecode(data []byte) (doc []byte, ok bool) {
	p, v, err := parse(data)
	if err != nil || p.loneKey {
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
	case number:
		return append(b, v...)
	case string:
		return jsontext.AppendString(b, v)
	case loneString:
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
	case object:
		b = append(b, '{')
		for i, k := range v.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, k)
			b = append(b, ':')
			b = appendJSON(b, v.values[k])
		}
		return append(b, '}')
	}
	panic("event: appendJSON: unexpected type")
}
