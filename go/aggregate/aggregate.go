// Package aggregate is the core of the Go twin: one pass over a JSON batch of telemetry
// events, validating the document as it goes (docs/contract.md §2) and counting the valid
// events (§3) into a Summary (§4).
//
// The scanner (go/internal/jsontext) reads the bytes once. It validates UTF-8, escapes,
// surrogate pairs, number syntax and range, and nesting depth; this package reads the top
// array (this file), each event object (event.go) and counts it as soon as it closes
// (accumulate.go). Nothing on this path uses reflection.
package aggregate

import (
	"github.com/telemetry-agg/telemetry-agg/go/internal/jsontext"
)

// Name is the aggregator's name in every answer ("aggregator": "scanner").
const Name = "scanner"

// Limits from docs/contract.md.
const (
	MaxDepth          = jsontext.MaxDepth // arrays and objects nested inside each other; the top array is 1
	MaxEndpointPoints = 1024              // code points in an endpoint
	TopN              = 5                 // pairs in top_endpoints
)

// Error codes of the document (docs/contract.md §4).
const (
	CodeInvalidJSON   = "invalid_json"
	CodeExpectedArray = "expected_array"
)

// Error is a document the contract rejects: Code is invalid_json or expected_array, Detail a
// sentence a person can act on (it never quotes the payload).
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// EndpointCount is one pair of top_endpoints.
type EndpointCount struct {
	Endpoint string
	Count    int
}

// StatusCount is one entry of status_counts.
type StatusCount struct {
	Status string
	Count  int
}

// Summary is the answer's counting part (docs/contract.md §4).
type Summary struct {
	TotalEvents   int
	InvalidEvents int
	UniqueUsers   int
	P95DurationMs int64
	TopEndpoints  []EndpointCount // count descending, then endpoint ascending by code point
	StatusCounts  []StatusCount   // status text ascending by code point
}

// Aggregate validates body as the contract's document and summarises its events. The error,
// when not nil, is an *Error.
func Aggregate(body []byte) (Summary, error) {
	var s scanner
	s.Data = body
	if err := s.run(); err != nil {
		return Summary{}, err
	}
	return s.acc.summary(), nil
}

// scanner is the document's scanner with the counts of its events.
type scanner struct {
	jsontext.Scanner
	buf []byte // scratch for unescaped strings
	acc accumulator
}

// failed returns the scanner's failure as the document's invalid_json.
func (s *scanner) failed() *Error {
	return &Error{Code: CodeInvalidJSON, Detail: s.Err.Detail}
}

// run reads the document: one top-level array whose elements it counts.
func (s *scanner) run() *Error {
	d := s.Data
	s.SkipWS()
	if s.Pos >= len(d) {
		s.Fail("The body is empty or only white space, which is not JSON; send a JSON array of events, such as [].")
		return s.failed()
	}
	if d[s.Pos] != '[' {
		if !s.Value(1) {
			return s.failed()
		}
		s.SkipWS()
		if s.Pos != len(d) {
			s.Fail("The body is not valid JSON: there is more after the first value, at offset %d; send one JSON array.", s.Pos)
			return s.failed()
		}
		return &Error{Code: CodeExpectedArray, Detail: "The body is JSON but not an array; send a JSON array of event objects, such as [{\"endpoint\": \"/login\"}]."}
	}
	s.acc.init(len(d))
	s.Pos++
	s.SkipWS()
	if s.Pos < len(d) && d[s.Pos] == ']' {
		s.Pos++
	} else if !s.elements() {
		return s.failed()
	}
	s.SkipWS()
	if s.Pos != len(d) {
		s.Fail("The body is not valid JSON: there is more after the array, at offset %d; send one JSON array.", s.Pos)
		return s.failed()
	}
	return nil
}

// elements reads the top array's elements up to its closing ']', counting each one.
func (s *scanner) elements() bool {
	d := s.Data
	for {
		s.SkipWS()
		if s.Pos >= len(d) {
			return s.FailAt("the top-level array")
		}
		s.acc.total++
		if d[s.Pos] == '{' {
			if !s.event() {
				return false
			}
		} else {
			if !s.Value(2) {
				return false
			}
			s.acc.invalid++
		}
		if done, ok := s.Next(']', "the top-level array"); !ok || done {
			return ok
		}
	}
}
