package jsontext

import (
	"encoding/json"
	"math/rand/v2"
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

// longText is a random string of n pieces, mostly plain words and quotes (as in a JSON body
// inside an event), with every other kind of character mixed in when rich.
func longText(r *rand.Rand, n int, rich bool) string {
	plain := []string{"endpoint", "/search", ": ", "200, ", `"`, `"`, `"`, "u_1x9z", "}, {", "a"}
	other := []string{"\\", "\n", "é", "😀", "\x01", "\u2028", "/", "\t"}
	var b strings.Builder
	for range n {
		if rich && r.IntN(50) == 0 {
			b.WriteString(other[r.IntN(len(other))])
		} else {
			b.WriteString(plain[r.IntN(len(plain))])
		}
	}
	return b.String()
}

// TestDecodeLong: long strings (two chains) decode as encoding/json decodes them, whether the
// chains meet or not, and one bad byte anywhere is refused.
func TestDecodeLong(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		text := longText(r, 400+r.IntN(4000), i%3 == 0)
		enc := AppendString(nil, text)
		if i%5 == 0 {
			enc, _ = json.Marshal(text) // \u003c-style escapes too
		}
		data := append(append([]byte(nil), enc...), `, "tail": "\"x\" `+strings.Repeat("y", r.IntN(9000))+`"}`...)
		s := Scanner{Data: data}
		got, ok := s.AppendStr([]byte("pre"))
		if !ok || string(got) != "pre"+text || s.Pos != len(enc) {
			t.Fatalf("case %d: AppendStr ok=%v, Pos %d of %d, text equal %v", i, ok, s.Pos, len(enc), string(got) == "pre"+text)
		}
		if got := (&Scanner{Data: data}).Unescape(nil, 1, len(enc)-1); string(got) != text {
			t.Fatalf("case %d: Unescape differs", i)
		}
		bad := append([]byte(nil), enc...)
		at := 1 + r.IntN(len(bad)-2)
		bad = append(bad[:at], append([]byte{[]byte{0x01, 0xff}[i%2]}, bad[at:]...)...)
		bad = append(bad, data[len(enc):]...)
		if _, ok := (&Scanner{Data: bad}).AppendStr(nil); ok {
			t.Fatalf("case %d: a bad byte at %d was accepted", i, at)
		}
	}
}

// FuzzDecode: a string with the input in its middle (so that the two chains meet, or fail to,
// around it) is refused by AppendStr exactly when Str refuses it, and otherwise decodes as
// encoding/json decodes it.
func FuzzDecode(f *testing.F) {
	for _, c := range []string{``, `\"`, `\\\"`, `\n`, `\u00e9`, "\x01", "\xff", `"`, `\`, `\ud800`, "é"} {
		f.Add([]byte(c), uint16(3000))
	}
	f.Fuzz(func(t *testing.T, middle []byte, n uint16) {
		half := strings.Repeat(`\"ab`, int(n%4000)/4)
		data := []byte(`"` + half + string(middle) + half + `"` + `, "x": "\"` + half + `"}`)
		s := Scanner{Data: data}
		_, valid := s.Str()
		end := s.Pos
		s = Scanner{Data: data}
		got, ok := s.AppendStr(nil)
		if ok != valid || (ok && s.Pos != end) {
			t.Fatalf("AppendStr ok=%v Pos %d; Str ok=%v Pos %d", ok, s.Pos, valid, end)
		}
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(data[:end], &want); err != nil || string(got) != want {
			t.Fatalf("AppendStr %q, encoding/json %q (%v)", got, want, err)
		}
	})
}
