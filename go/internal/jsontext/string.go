package jsontext

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// special marks, in the high bit of each of the eight bytes of x, the bytes a string's fast
// loop must stop at: below 0x20, '"', '\\' and 0x80 and above. The lowest mark is exact (a
// borrow only runs upward from a byte that is marked itself), so its trailing zeros count the
// plain bytes before the first special one.
func special(x uint64) uint64 {
	quote := x ^ (ones * '"')
	bslash := x ^ (ones * '\\')
	return ((x - ones*0x20) | (quote - ones) | (bslash - ones) | x) & high
}

// simpleEscape maps the byte after a '\\' to the byte it stands for, 0 for 'u' and the bytes
// JSON does not allow there.
var simpleEscape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// Str validates the string whose opening quote is at Pos and leaves Pos after its closing
// quote. It reports whether the content holds escapes.
func (s *Scanner) Str() (esc bool, ok bool) {
	_, esc, ok = s.str(nil, false)
	return esc, ok
}

// AppendStr is Str that also appends the string's decoded content (UTF-8) to dst, in the same
// pass. A lone surrogate (only a lenient scan lets one through) is decoded as U+FFFD.
func (s *Scanner) AppendStr(dst []byte) ([]byte, bool) {
	dst, _, ok := s.str(dst, true)
	return dst, ok
}

// Unescape appends the decoded content of a string that Str validated, Data[start:end] (between
// its quotes); Pos is left as it was.
func (s *Scanner) Unescape(dst []byte, start, end int) []byte {
	data, pos := s.Data, s.Pos
	s.Data, s.Pos = data[:end+1], start-1
	dst, _, _ = s.str(dst, true)
	s.Data, s.Pos = data, pos
	return dst
}

// str reads the string at Pos: it validates it (UTF-8, escapes, surrogate pairs, no control
// characters) and, with decode, appends its decoded content to dst. Plain bytes go eight at a
// time: a decoding scan stores each word whole before it looks for a special byte in it.
func (s *Scanner) str(dst []byte, decode bool) (_ []byte, esc bool, ok bool) {
	d := s.Data
	p := s.Pos + 1
	var out []byte
	j := 0
	if decode {
		// Decoding never lengthens the text: room for the rest of the data and two words.
		dst = slices.Grow(dst, len(d)-p+16)
		out, j = dst[:cap(dst)], len(dst)
	}
	for {
		if decode {
			var e uint64
			p, j, e = decodeQuoted(d, out, p, j)
			esc = esc || e != 0
		}
		for p+8 <= len(d) {
			w := binary.LittleEndian.Uint64(d[p:])
			if decode {
				binary.LittleEndian.PutUint64(out[j:], w)
			}
			m := special(w)
			n := bits.TrailingZeros64(m) >> 3
			p, j = p+n, j+n
			if m != 0 {
				break
			}
		}
		for p < len(d) && !strClass[d[p]] {
			if decode {
				out[j] = d[p]
			}
			p, j = p+1, j+1
		}
		if p >= len(d) {
			s.Pos = p
			return dst, false, s.FailAt("a string")
		}
		c := d[p]
		switch {
		case c == '"':
			s.Pos = p + 1
			if decode {
				dst = dst[:j]
			}
			return dst, esc, true
		case c == '\\':
			esc = true
			if p+1 < len(d) && simpleEscape[d[p+1]] != 0 {
				if decode {
					out[j] = simpleEscape[d[p+1]]
				}
				p, j = p+2, j+1
				continue
			}
			r, n, ok := s.unicodeEscape(p)
			if !ok {
				return dst, false, false
			}
			if decode {
				j += utf8.EncodeRune(out[j:], r)
			}
			p += n
		case c < 0x20:
			s.Pos = p
			return dst, false, s.Fail("The body is not valid JSON: a control character (U+%04X) at offset %d sits unescaped inside a string; escape it (for example \\n or \\u0000).", c, p)
		default:
			n := utf8Len(d, p)
			if n == 0 && s.Lenient && c == 0xED && p+2 < len(d) && d[p+1] >= 0xA0 && d[p+1] <= 0xBF && d[p+2]&0xC0 == 0x80 {
				// An encoded surrogate: Python's json.loads reads bytes with "surrogatepass".
				s.Lone = true
				n = 3
			}
			if n == 0 {
				s.Pos = p
				return dst, false, s.Fail("The body is not valid UTF-8 at offset %d; send UTF-8 text.", p)
			}
			if decode {
				copy(out[j:], d[p:p+n])
			}
			p, j = p+n, j+n
		}
	}
}

// decodeQuoted is str's fast path for a JSON text inside a string (a body inside an event):
// plain bytes and \" escapes. Each step stores a word, finds its first special byte and, when
// that is the '\\' of a \", the quote: one escape a step, with no branch that depends on where
// the escape falls (such branches, mispredicted, cost more than the work). It stops before
// any other special byte, and two words before the end of d; esc is not 0 when it decoded an
// escape.
func decodeQuoted(d, out []byte, p, j int) (int, int, uint64) {
	var esc uint64
	for p+16 <= len(d) {
		w := binary.LittleEndian.Uint64(d[p:])
		binary.LittleEndian.PutUint64(out[j:], w)
		m := special(w)
		n := bits.TrailingZeros64(m) >> 3 // 8 when the word is plain
		k := (m | -m) >> 63               // 1 when it is not
		p, j = p+n, j+n
		bad := uint64(d[p]^'\\') | uint64(d[p+1]^'"')
		if k&((bad|-bad)>>63) != 0 {
			break // a special byte other than a \"
		}
		out[j] = '"' // after a plain word, the next word overwrites it
		p, j = p+2*int(k), j+int(k)
		esc |= k
	}
	return p, j, esc
}

// strClass marks the bytes special marks, for the byte-by-byte end of a string.
var strClass = func() (t [256]bool) {
	for i := range 256 {
		t[i] = special(uint64(i))&0x80 != 0
	}
	return t
}()

// unicodeEscape reads the \u escape at d[p] ('\\'), or a surrogate pair of them, and returns
// the code point and the escape's length (6 or 12). Any other escape is an error; so is a lone
// surrogate, except in a lenient scan, which notes it and reads U+FFFD.
func (s *Scanner) unicodeEscape(p int) (rune, int, bool) {
	d := s.Data
	if p+1 >= len(d) {
		s.Pos = len(d)
		return 0, 0, s.FailAt("a string")
	}
	if d[p+1] != 'u' {
		s.Pos = p
		return 0, 0, s.Fail("The body is not valid JSON: unknown escape at offset %d; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.", p)
	}
	r, ok := hex4(d, p+2)
	if !ok {
		s.Pos = p
		return 0, 0, s.Fail("The body is not valid JSON: a \\u escape at offset %d needs four hex digits.", p)
	}
	if r < 0xD800 || r > 0xDFFF {
		return r, 6, true
	}
	if r <= 0xDBFF && p+7 < len(d) && d[p+6] == '\\' && d[p+7] == 'u' {
		// A high surrogate must be followed by an escaped low surrogate.
		if lo, ok := hex4(d, p+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, true
		}
	}
	if s.Lenient {
		s.Lone = true
		return utf8.RuneError, 6, true
	}
	s.Pos = p
	return 0, 0, s.Fail("The body is not valid JSON: the \\u escape at offset %d is a lone surrogate (a high surrogate needs a low one right after it, a low one needs a high one before it); send valid Unicode.", p)
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
