package event

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fromTree answers what Read must, the slow way: the whole event parsed into a tree (as the
// handler read it before Read existed), then the members looked up in it.
func fromTree(payload []byte) (env Envelope, isObject, valid bool) {
	_, v, err := parse(payload)
	if err != nil {
		return Envelope{}, bytes.HasPrefix(bytes.TrimLeft(payload, " \t\r\n"), []byte("{")), false
	}
	ev, ok := v.(object)
	if !ok {
		return Envelope{}, false, true
	}
	if rc, ok := ev.values["requestContext"].(object); ok {
		if h, ok := rc.values["http"].(object); ok {
			env.Method = asMember(h.values["method"])
		}
	}
	env.Body = asMember(ev.values["body"])
	if h, ok := ev.values["headers"].(object); ok {
		enc, found := h.values["content-encoding"]
		for _, k := range h.keys {
			if !found && strings.EqualFold(k, "content-encoding") {
				enc, found = h.values[k], true
			}
		}
		env.Encoding = asMember(enc)
	}
	env.Base64 = ev.values["isBase64Encoded"] == true
	return env, true, true
}

func asMember(v any) Member {
	switch v := v.(type) {
	case nil:
		return Member{}
	case string:
		return Member{Kind: String, Text: []byte(v)}
	case loneString:
		return Member{Kind: Lone}
	}
	return Member{Kind: Other}
}

func sameMember(a, b Member) bool {
	return a.Kind == b.Kind && (a.Kind != String || bytes.Equal(a.Text, b.Text))
}

// checkRead holds Read to fromTree on one payload.
func checkRead(t *testing.T, payload []byte) {
	t.Helper()
	want, wantObject, valid := fromTree(payload)
	got, isObject, err := Read(payload, nil)
	if (err == nil) != valid || (valid && isObject != wantObject) {
		t.Fatalf("%.80q: Read object=%v err=%v; the tree says object=%v valid=%v", payload, isObject, err, wantObject, valid)
	}
	if !valid {
		return
	}
	if !sameMember(got.Method, want.Method) || !sameMember(got.Body, want.Body) ||
		!sameMember(got.Encoding, want.Encoding) || got.Base64 != want.Base64 {
		t.Fatalf("%.80q:\n Read %+v\n tree %+v", payload, got, want)
	}
}

var readCases = []string{
	`{}`, `[]`, `"x"`, `null`, `{"body": null}`, `{"body": 5}`, `{"body": [1]}`, `{"body": "[]", "body": null}`,
	`{"body": "x", "bo\u0064y": "y"}`, `{"body": "\ud800"}`, "{\"body\": \"\xed\xa0\x80\"}", `{"body": "a\nb\u00e9\ud83d\ude00"}`,
	`{"requestContext": {"http": {"method": "GET"}}}`, `{"requestContext": {"http": {"method": "P\u004fST"}}}`,
	`{"requestContext": {"http": {"method": null}, "http": {"method": 1}}}`, `{"requestContext": [], "requestContext": {"http": {}}}`,
	`{"requestContext": {"http": {"method": "\udc00"}}}`, `{"requestContext": {"http": "x"}}`,
	`{"headers": {"Content-Encoding": "gzip", "content-encoding": null}}`, `{"headers": {"CONTENT-ENCODING": "a", "Content-Encoding": "b", "CONTENT-ENCODING": "c"}}`,
	`{"headers": {"content-encoding": "gzip", "content-encoding": "identity"}}`, `{"headers": {"\ud800": "gzip", "content-encodin\u0067": 5}}`,
	`{"headers": "gzip"}`, `{"headers": {"x": NaN, "content-encoding": -Infinity}}`, `{"isBase64Encoded": true, "isBase64Encoded": "true"}`,
	`{"isBase64Encoded": false, "isBase64Encoded": true}`, `{"body": "[]"} x`, `{"body": "[]"`, `{"body": "\x"}`, "{\"body\": \"\x01\"}",
	`{"a": 1e999, "b": [NaN, Infinity, -Infinity], "body": "` + strings.Repeat(`[{\"a\": \"b\"}, `, 600) + `"}`,
	` {"body": "` + strings.Repeat(`\"k\": \"\\n\u00e9\", `, 500) + `", "headers": {"content-encoding": " GZIP "}} `,
}

func TestReadAgreesWithTree(t *testing.T) {
	for _, c := range readCases {
		checkRead(t, []byte(c))
	}
	// and every shared vector's event
	files, _ := filepath.Glob("../../../tests/vectors/*/*.json")
	if len(files) == 0 {
		t.Fatal("no shared vectors under tests/vectors")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Event     json.RawMessage `json:"event"`
			EventFile string          `json:"event_file"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		event := []byte(v.Event)
		if v.EventFile != "" {
			if event, err = os.ReadFile(filepath.Join(filepath.Dir(f), v.EventFile)); err != nil {
				t.Fatal(err)
			}
		}
		checkRead(t, event)
	}
}

// FuzzRead: Read answers as the tree does on any input.
func FuzzRead(f *testing.F) {
	for _, c := range readCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkRead(t, payload)
	})
}
