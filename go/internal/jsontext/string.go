package jsontext

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
	"unsafe"
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
	return ((x - ones*0x20) | (x ^ ones*'"' - ones) | (x ^ ones*'\\' - ones) | x) & high
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
		// Decoding never lengthens the text: room for the rest of the data and four words.
		dst = slices.Grow(dst, len(d)-p+32)
		out, j = dst[:cap(dst)], len(dst)
	}
	for {
		if decode {
			// Two chains from the string's start only: each try may look through half of d.
			var e uint64
			p, j, e = decodeQuoted(d, out, p, j, p == s.Pos+1)
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
		if d[p] == '"' {
			s.Pos = p + 1
			if decode {
				dst = dst[:j]
			}
			return dst, esc, true
		}
		esc = esc || d[p] == '\\'
		if p, j, ok = s.specialByte(out, p, j, decode); !ok {
			return dst, false, false
		}
	}
}

// specialByte reads the escape, control character or byte >= 0x80 at Data[p] inside a string,
// decoding it into out[j:] with decode; it returns where reading and writing go on.
func (s *Scanner) specialByte(out []byte, p, j int, decode bool) (_, _ int, ok bool) {
	d := s.Data
	switch c := d[p]; {
	case c == '\\':
		if p+1 < len(d) && simpleEscape[d[p+1]] != 0 {
			if decode {
				out[j] = simpleEscape[d[p+1]]
			}
			return p + 2, j + 1, true
		}
		r, n, ok := s.unicodeEscape(p)
		if ok && decode {
			j += utf8.EncodeRune(out[j:], r)
		}
		return p + n, j, ok
	case c < 0x20:
		s.Pos = p
		return p, j, s.Fail("The body is not valid JSON: a control character (U+%04X) at offset %d sits unescaped inside a string; escape it (for example \\n or \\u0000).", c, p)
	default:
		n := utf8Len(d, p)
		if n == 0 && s.Lenient && c == 0xED && p+2 < len(d) && d[p+1] >= 0xA0 && d[p+1] <= 0xBF && d[p+2]&0xC0 == 0x80 {
			// An encoded surrogate: Python's json.loads reads bytes with "surrogatepass".
			s.Lone = true
			n = 3
		}
		if n == 0 {
			s.Pos = p
			return p, j, s.Fail("The body is not valid UTF-8 at offset %d; send UTF-8 text.", p)
		}
		if decode {
			copy(out[j:], d[p:p+n])
		}
		return p + n, j + n, true
	}
}

// decodeQuoted is str's fast path for a JSON text inside a string (a body inside an event):
// plain bytes and \" escapes. It stops before any other special byte, and two words before the
// end of d; esc is not 0 when it decoded an escape. Its steps (quotedStep) form a chain: where
// a step starts depends on the data the last one loaded. On a long text it runs two chains at
// once (with halves), the second from an escape in the middle, so that the processor works on
// both.
func decodeQuoted(d, out []byte, p, j int, halves bool) (int, int, uint64) {
	if !littleEndian || len(d)-p < 16 {
		return p, j, 0
	}
	p0, j0 := p, j
	ok := true
	if halves && len(d)-p >= twoChains {
		p, j, ok = decodeHalves(d, out, p, j)
	}
	if ok {
		p, j, _ = chain(d, out, p, j, len(d)-16)
	}
	return p, j, uint64((p - p0) ^ (j - j0)) // each escape moves p one more than j
}

// twoChains is the length from which decodeQuoted runs two chains.
const twoChains = 4096

// littleEndian: quotedStep reads the first byte of a word in its low bits.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeHalves runs the chain from p and one from s, just after the first \" past the middle
// of d, step for step. The second half is decoded past all the room the first can need
// (decoding never lengthens the text), then moved into place. It counts only when the first
// chain lands on s itself (a chain decodes every escape of the text it reads, and comes to
// rest just after each); otherwise it is dropped. ok is false when the chain that ended
// stopped at a special byte.
func decodeHalves(d, out []byte, p, j int) (_, _ int, ok bool) {
	s := p + (len(d)-p)/2
	if k := bytes.IndexByte(d[s:len(d)-16], '\\'); k >= 0 && d[s+k+1] == '"' {
		s += k + 2
	} else {
		return p, j, true
	}
	src, dst := unsafe.Pointer(unsafe.SliceData(d)), unsafe.Pointer(unsafe.SliceData(out))
	start2 := j + (s - p) + 16
	s1, o1 := unsafe.Add(src, p), unsafe.Add(dst, j)
	s2, o2 := unsafe.Add(src, s), unsafe.Add(dst, start2)
	mid, end := uintptr(src)+uintptr(s), uintptr(src)+uintptr(len(d)-16)
	bad1, bad2 := 0, 0
	for bad1|bad2 == 0 && uintptr(s1) < mid && uintptr(s2) <= end {
		s1, o1, bad1 = quotedStep(s1, o1)
		s2, o2, bad2 = quotedStep(s2, o2)
	}
	p1, j1 := at(src, dst, s1, o1, bad1)
	p2, j2 := at(src, dst, s2, o2, bad2)
	ok = bad1 == 0
	if ok && p1 < s {
		p1, j1, ok = chain(d, out, p1, j1, s-1)
	}
	if p1 != s {
		return p1, j1, ok
	}
	n := copy(out[j1:], out[start2:j2])
	return p2, j1 + n, bad2 == 0
}

// chain runs quotedStep from d[p] while p <= last; ok is false when it stopped at a special byte.
func chain(d, out []byte, p, j, last int) (_, _ int, ok bool) {
	src, dst := unsafe.Pointer(unsafe.SliceData(d)), unsafe.Pointer(unsafe.SliceData(out))
	s, o := unsafe.Add(src, p), unsafe.Add(dst, j)
	bad, end := 0, uintptr(src)+uintptr(last)
	for bad == 0 && uintptr(s) <= end {
		s, o, bad = quotedStep(s, o)
	}
	p, j = at(src, dst, s, o, bad)
	return p, j, bad == 0
}

// at turns a chain's pointers back into offsets, those of the special byte it stopped at.
func at(src, dst, s, o unsafe.Pointer, bad int) (int, int) {
	p, j := int(uintptr(s)-uintptr(src)), int(uintptr(o)-uintptr(dst))
	if bad != 0 {
		return p - 2, j - 1
	}
	return p, j
}

// quotedStep stores the word at s to o, finds its first special byte and decodes it as the
// '\\' of a \": one escape a step, with no branch that depends on where the escape falls (such
// branches, mispredicted, cost more than the work). bad is not 0 when the special byte is
// anything else; the step then went two bytes past it. The caller guarantees 16 bytes readable
// at s and 9 writable at o: it works on pointers, to stay small enough to be inlined.
func quotedStep(s, o unsafe.Pointer) (_, _ unsafe.Pointer, bad int) {
	w := *(*uint64)(s)
	*(*uint64)(o) = w
	n := bits.TrailingZeros64(special(w)) >> 3 // 8 when the word is plain
	k := 1 - n>>3                              // 1 when it is not
	s, o = unsafe.Add(s, n), unsafe.Add(o, n)
	*(*byte)(o) = '"' // after a plain word, the next step's word overwrites it
	return unsafe.Add(s, 2*k), unsafe.Add(o, k), k * int(*(*uint16)(s)^('\\'|'"'<<8))
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
