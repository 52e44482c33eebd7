package handler

import (
	"strconv"
	"unicode/utf8"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
)

// AppendAnswer appends the 200 answer's JSON (docs/contract.md §4, keys in order).
func AppendAnswer(b []byte, s *aggregate.Summary, parseMs, computeMs float64) []byte {
	b = append(b, `{"total_events":`...)
	b = strconv.AppendInt(b, int64(s.TotalEvents), 10)
	b = append(b, `,"invalid_events":`...)
	b = strconv.AppendInt(b, int64(s.InvalidEvents), 10)
	b = append(b, `,"unique_users":`...)
	b = strconv.AppendInt(b, int64(s.UniqueUsers), 10)
	b = append(b, `,"p95_duration_ms":`...)
	b = strconv.AppendInt(b, s.P95DurationMs, 10)
	b = append(b, `,"top_endpoints":[`...)
	for i, e := range s.TopEndpoints {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendString(b, e.Endpoint)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.Count), 10)
		b = append(b, ']')
	}
	b = append(b, `],"status_counts":{`...)
	for i, e := range s.StatusCounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.Status)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Count), 10)
	}
	b = append(b, `},"language":"go","aggregator":`...)
	b = appendString(b, aggregate.Name)
	b = append(b, `,"parse_ms":`...)
	b = appendFloat(b, parseMs)
	b = append(b, `,"compute_ms":`...)
	b = appendFloat(b, computeMs)
	return append(b, '}')
}

func appendError(b []byte, code, detail string) []byte {
	b = append(b, `{"error":`...)
	b = appendString(b, code)
	b = append(b, `,"detail":`...)
	b = appendString(b, detail)
	return append(b, `,"language":"go"}`...)
}

// AppendResponse appends the Function URL response object {"statusCode","headers","body"}.
func AppendResponse(b []byte, r *Result) []byte {
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(r.StatusCode), 10)
	b = append(b, `,"headers":{"content-type":"application/json"`...)
	if r.Allow {
		b = append(b, `,"allow":"POST"`...)
	}
	b = append(b, `},"body":`...)
	b = appendString(b, string(r.Body))
	return append(b, '}')
}

func appendFloat(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (RFC 8259): '"', '\\' and control characters
// escaped, everything else as UTF-8; invalid UTF-8 (never produced here) becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += n
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
