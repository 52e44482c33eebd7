package jsontext

import (
	"math"
	"strconv"
)

// Number validates the number at Pos and reports whether it is an integer literal (no
// fraction, no exponent). A number whose value rounds to an infinite double is invalid_json,
// except in a lenient scan.
func (s *Scanner) Number() (isInt bool, ok bool) {
	d := s.Data
	start := s.Pos
	p := start
	if d[p] == '-' {
		p++
	}
	if p >= len(d) {
		s.Pos = p
		return false, s.FailAt("a number")
	}
	intStart := p
	switch c := d[p]; {
	case c == '0':
		p++
	case c >= '1' && c <= '9':
		p++
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
		}
	default:
		s.Pos = p
		return false, s.FailAt("a number")
	}
	intDigits := p - intStart
	isInt = true
	if p < len(d) && d[p] == '.' {
		isInt = false
		p++
		fs := p
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
		}
		if p == fs {
			s.Pos = p
			return false, s.FailAt("a number (a '.' needs digits after it)")
		}
	}
	exp := 0
	if p < len(d) && (d[p] == 'e' || d[p] == 'E') {
		isInt = false
		p++
		neg := false
		if p < len(d) && (d[p] == '+' || d[p] == '-') {
			neg = d[p] == '-'
			p++
		}
		es := p
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			if exp < 100000 {
				exp = exp*10 + int(d[p]-'0')
			}
			p++
		}
		if p == es {
			s.Pos = p
			return false, s.FailAt("a number (an exponent needs digits)")
		}
		if neg {
			exp = -exp
		}
	}
	s.Pos = p
	// |value| < 10^(intDigits+exp): below 10^308 it cannot overflow a double.
	if intDigits+exp > 308 && !s.Lenient {
		f, err := strconv.ParseFloat(View(d[start:p]), 64)
		if err != nil && math.IsInf(f, 0) {
			return false, s.Fail("The body is not valid JSON for this service: the number at offset %d is too large for a double; send numbers within ±1.7976931348623157e308.", start)
		}
	}
	return isInt, true
}
