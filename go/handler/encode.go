package handler

import (
	"strconv"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
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
		b = jsontext.AppendString(b, e.Endpoint)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(e.Count), 10)
		b = append(b, ']')
	}
	b = append(b, `],"status_counts":{`...)
	for i, e := range s.StatusCounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, e.Status)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Count), 10)
	}
	b = append(b, `},"language":"`+Language+`","aggregator":`...)
	b = jsontext.AppendString(b, aggregate.Name)
	b = append(b, `,"parse_ms":`...)
	b = appendFloat(b, parseMs)
	b = append(b, `,"compute_ms":`...)
	b = appendFloat(b, computeMs)
	return append(b, '}')
}

func appendError(b []byte, code, detail string) []byte {
	b = append(b, `{"error":`...)
	b = jsontext.AppendString(b, code)
	b = append(b, `,"detail":`...)
	b = jsontext.AppendString(b, detail)
	return append(b, `,"language":"`+Language+`"}`...)
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
	b = jsontext.AppendString(b, string(r.Body))
	return append(b, '}')
}

func appendFloat(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}
