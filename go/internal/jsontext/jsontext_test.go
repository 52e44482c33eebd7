package jsontext

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendStringRoundTrips(t *testing.T) {
	for _, s := range []string{"", "/a", "\"\\", "\x00\x1f\n\t\b\f\r", "é😀\u2028\u2029\uffff", "\x7f"} {
		var got string
		b := AppendString(nil, s)
		if err := json.Unmarshal(b, &got); err != nil || got != s {
			t.Errorf("%q -> %s -> %q (%v)", s, b, got, err)
		}
	}
}

// decodeCases are JSON strings (quotes included) with escapes and multi-byte UTF-8 at every
// offset of a machine word, as the word-at-a-time loop meets them.
func decodeCases() []string {
	pieces := []string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00e9`, `\ud83d\ude00`, `é`, "😀", `\u0000`, `x`}
	var cases []string
	for pad := range 17 {
		for _, p := range pieces {
			for _, q := range pieces {
				cases = append(cases, `"`+strings.Repeat("a", pad)+p+strings.Repeat("b", pad%5)+q+`"`)
			}
		}
	}
	return append(cases, `""`, `"`+strings.Repeat(`[{\"endpoint\": \"/a\"}, `, 40)+`"`)
}

// TestDecode: AppendStr and Unescape decode as encoding/json does, after what dst held, and
// leave Pos after the closing quote.
func TestDecode(t *testing.T) {
	for _, c := range decodeCases() {
		var want string
		if err := json.Unmarshal([]byte(c), &want); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		data := []byte(c + ", 1")
		s := Scanner{Data: data}
		got, ok := s.AppendStr([]byte("prefix"))
		if !ok || string(got) != "prefix"+want || s.Pos != len(c) {
			t.Errorf("AppendStr(%s) = %q, %v, Pos %d; want %q, Pos %d", c, got, ok, s.Pos, want, len(c))
		}
		s = Scanner{Data: data}
		if esc, ok := s.Str(); !ok || esc != strings.Contains(c, `\`) {
			t.Errorf("Str(%s) = %v, %v", c, esc, ok)
		}
		if got := s.Unescape(nil, 1, len(c)-1); string(got) != want || s.Pos != len(c) {
			t.Errorf("Unescape(%s) = %q, Pos %d; want %q", c, got, s.Pos, want)
		}
	}
}

// TestStringErrors: each of these is refused, in a strict scan at every word offset.
func TestStringErrors(t *testing.T) {
	bad := []string{`"\x"`, `"\u12G4"`, `"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, "\"\x01\"", "\"\xff\"", "\"\xed\xa0\x80\"", `"abc`, `"\`, `"\u12`}
	for _, b := range bad {
		for pad := range 9 {
			c := `"` + strings.Repeat("a", pad) + b[1:]
			s := Scanner{Data: []byte(c)}
			if _, ok := s.AppendStr(nil); ok || s.Err == nil {
				t.Errorf("AppendStr(%q) accepted", c)
			}
			s = Scanner{Data: []byte(c)}
			if _, ok := s.Str(); ok || s.Err == nil {
				t.Errorf("Str(%q) accepted", c)
			}
		}
	}
}

// TestLenientLone: a lenient scan lets lone surrogates through, notes them, and decodes U+FFFD.
func TestLenientLone(t *testing.T) {
	for _, c := range []string{`"a\ud800b"`, "\"a\xed\xa0\x80b\"", `"\udc00"`} {
		s := Scanner{Data: []byte(c), Lenient: true}
		got, ok := s.AppendStr(nil)
		if !ok || !s.Lone || !strings.Contains(string(got), "\ufffd") && !strings.Contains(string(got), "\xed") {
			t.Errorf("lenient AppendStr(%q) = %q, %v, lone %v", c, got, ok, s.Lone)
		}
	}
}
