// Package study writes the original study's payloads (STUDY.md) for the Go benchmarks, by the
// rules of the Python generator (telemetry-bench gen) with Go's own random draws, and the
// Function URL event that carries one, byte for byte as that generator wraps a body.
package study

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// Endpoints and Statuses are the study's: each event draws one of each uniformly.
var (
	Endpoints = []string{"/login", "/search", "/checkout", "/profile", "/feed", "/ping"}
	Statuses  = []int{200, 200, 200, 201, 400, 401, 403, 500}
)

// Payload generates n events as the original study did: an endpoint of six, a status from
// Statuses, duration_ms = floor(exponential with mean 120) + a uniform integer in 0..30,
// user_id = "u_" + 8 lower-case letters or digits.
func Payload(n int, seed uint64) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(seed, 0))
	b := make([]byte, 0, n*90)
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"endpoint": "`...)
		b = append(b, Endpoints[r.IntN(len(Endpoints))]...)
		b = append(b, `", "status": `...)
		b = strconv.AppendInt(b, int64(Statuses[r.IntN(len(Statuses))]), 10)
		b = append(b, `, "duration_ms": `...)
		b = strconv.AppendInt(b, int64(math.Floor(r.ExpFloat64()*120))+int64(r.IntN(31)), 10)
		b = append(b, `, "user_id": "u_`...)
		for range 8 {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		b = append(b, `"}`...)
	}
	return append(b, ']')
}

// FunctionURLEvent is the Function URL event (payload format 2.0) that carries body (UTF-8) as
// text, shaped as the Python generator's function_url_event writes it.
func FunctionURLEvent(body []byte) []byte {
	b := []byte(`{"version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "", ` +
		`"headers": {"content-type": "application/json"}, "requestContext": {"accountId": "anonymous", ` +
		`"apiId": "local", "domainName": "localhost", "http": {"method": "POST", "path": "/", ` +
		`"protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "telemetry-bench"}, ` +
		`"requestId": "local", "routeKey": "$default", "stage": "$default"}, "body": `)
	b = jsontext.AppendString(b, string(body))
	return append(b, `, "isBase64Encoded": false}`...)
}
