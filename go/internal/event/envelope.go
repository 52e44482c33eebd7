package event

import (
	"strings"

	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// Kind is what a member of the event holds, as far as the handler cares.
type Kind uint8

// The kinds of a member's value.
const (
	Absent Kind = iota // absent or null
	String             // a string with a UTF-8 form: Text holds it, decoded
	Lone               // a string that holds a lone surrogate: it has no UTF-8 form
	Other              // any other JSON value
)

// Member is one member of the event that the handler reads.
type Member struct {
	Kind Kind
	Text []byte // a String's decoded text (read only)
}

// Envelope is what the handler reads of a Function URL event object (docs/contract.md §1);
// the last of duplicate keys wins, as in json.loads.
type Envelope struct {
	Method   Member // requestContext.http.method; Absent unless requestContext and http are objects
	Body     Member // body, decoded into Buf
	Encoding Member // headers["content-encoding"] (headers/content_encoding decisions); Absent unless headers is an object
	Base64   bool   // isBase64Encoded is the JSON value true
	Buf      []byte // the buffer Read was given, grown to hold the body: the caller may reuse it
}

// Read reads the event object in payload in one pass, without building a tree: every member
// is validated as leniently as json.loads reads it, only the four the handler needs are kept,
// and the body is validated and decoded into buf in the same pass (the body is most of the
// event, a JSON text whose every quote is escaped). isObject is false when payload is JSON but
// not an object. The error, a *jsontext.SyntaxError, says payload is not JSON.
func Read(payload, buf []byte) (env Envelope, isObject bool, err error) {
	r := reader{Scanner: jsontext.Scanner{Data: payload, Lenient: true}}
	env.Buf = buf
	r.SkipWS()
	isObject = r.Pos < len(payload) && payload[r.Pos] == '{'
	ok := false
	if isObject {
		ok = r.event(&env)
	} else {
		ok = r.Value(1)
	}
	if ok {
		r.SkipWS()
		if r.Pos != len(payload) {
			ok = r.Fail("The JSON text has more after its first value, at offset %d; send one JSON value.", r.Pos)
		}
	}
	if !ok {
		return Envelope{Buf: env.Buf}, isObject, r.Err
	}
	return env, isObject, nil
}

type reader struct {
	jsontext.Scanner
	key []byte // scratch for keys with escapes
}

// event reads the event object at Pos (level 1): the body as it comes, and where the last
// requestContext and headers values start, which it reads again once the whole event is valid.
func (r *reader) event(env *Envelope) bool {
	d := r.Data
	rc, headers := -1, -1
	if empty, ok := r.Open(1, '}'); !ok || empty {
		return ok
	}
	for {
		name, ok := r.name()
		if !ok {
			return false
		}
		switch start := r.Pos; name {
		case "body":
			env.Body, env.Buf, ok = r.member(2, env.Buf[:0], true)
		case "requestContext":
			rc, ok = start, r.Value(2)
		case "headers":
			headers, ok = start, r.Value(2)
		case "isBase64Encoded":
			env.Base64, ok = start < len(d) && d[start] == 't', r.Value(2)
		default:
			ok = r.Value(2)
		}
		if !ok {
			return false
		}
		if done, ok := r.Next('}', "an object"); !ok {
			return false
		} else if done {
			break
		}
	}
	end := r.Pos
	if http := r.lookup(rc, 2, "http"); http >= 0 {
		if method := r.lookup(http, 3, "method"); method >= 0 {
			r.Pos = method
			env.Method, _, _ = r.member(4, nil, false)
		}
	}
	env.Encoding = r.encoding(headers)
	r.Pos = end
	return true
}

// name reads an object's key and the ':' after it. The name is only good until the next key;
// one that holds a lone surrogate is returned as a name no member has.
func (r *reader) name() (string, bool) {
	r.SkipWS()
	d := r.Data
	if r.Pos >= len(d) || d[r.Pos] != '"' {
		return "", r.FailAt("an object (expected a key)")
	}
	start := r.Pos + 1
	r.Lone = false
	esc, ok := r.Str()
	end := r.Pos - 1
	if !ok || !r.Colon() {
		return "", false
	}
	if r.Lone {
		return "\x00lone", true
	}
	key := d[start:end]
	if esc {
		r.key = r.Unescape(r.key[:0], start, end)
		key = r.key
	}
	return jsontext.View(key), true
}

// member reads the value at Pos (level depth). A string is decoded: into dst, in the same pass
// that validates it, with inPlace; otherwise as a view of the payload when it has no escapes.
func (r *reader) member(depth int, dst []byte, inPlace bool) (Member, []byte, bool) {
	d := r.Data
	if r.Pos < len(d) {
		switch start := r.Pos; d[start] {
		case '"':
			r.Lone = false
			var ok bool
			if inPlace {
				dst, ok = r.AppendStr(dst)
			} else {
				var esc bool
				if esc, ok = r.Str(); ok {
					dst = d[start+1 : r.Pos-1]
					if esc {
						dst = r.Unescape(nil, start+1, r.Pos-1)
					}
				}
			}
			m := Member{Kind: String, Text: dst}
			if r.Lone {
				m = Member{Kind: Lone}
			}
			return m, dst, ok
		case 'n':
			return Member{}, dst, r.Literal("null")
		}
	}
	return Member{Kind: Other}, dst, r.Value(depth)
}

// lookup returns where the value of the last member called name starts, in the validated
// value at start (level depth), or -1 when that is not an object or has no such member.
func (r *reader) lookup(start, depth int, name string) int {
	found := -1
	r.members(start, depth, func(key string, value int) {
		if key == name {
			found = value
		}
	})
	return found
}

// encoding reads the content-encoding header of the validated headers value at start: the
// name "content-encoding" exactly wins, then the first other spelling in the event's order
// (docs/contract.md §1 step 4); each name's last value counts.
func (r *reader) encoding(start int) Member {
	exact, other, otherName := -1, -1, ""
	r.members(start, 2, func(key string, value int) {
		switch {
		case key == "content-encoding":
			exact = value
		case otherName == "" && strings.EqualFold(key, "content-encoding"):
			otherName, other = strings.Clone(key), value
		case otherName != "" && key == otherName:
			other = value
		}
	})
	if exact < 0 {
		exact = other
	}
	if exact < 0 {
		return Member{}
	}
	r.Pos = exact
	m, _, _ := r.member(3, nil, false)
	return m
}

// members calls fn with each key of the validated object at start (level depth) and where its
// value starts; it does nothing when start is -1 or not an object.
func (r *reader) members(start, depth int, fn func(key string, value int)) {
	if start < 0 || r.Data[start] != '{' {
		return
	}
	r.Pos = start
	if empty, _ := r.Open(depth, '}'); empty {
		return
	}
	for {
		key, _ := r.name()
		fn(key, r.Pos)
		r.Value(depth + 1)
		if done, ok := r.Next('}', "an object"); done || !ok {
			return
		}
	}
}
