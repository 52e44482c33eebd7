package store

import (
	"maps"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
)

var at = time.Date(2026, 12, 4, 22, 31, 40, 123_456_789, time.FixedZone("CET", 3600))

func sample() *aggregate.Summary {
	return &aggregate.Summary{
		TotalEvents: 5, InvalidEvents: 1, UniqueUsers: 2, P95DurationMs: 120,
		TopEndpoints: []aggregate.EndpointCount{{Endpoint: "/b", Count: 3}, {Endpoint: "/a", Count: 1}},
		StatusCounts: []aggregate.StatusCount{{Status: "200", Count: 3}, {Status: "unknown", Count: 1}},
	}
}

func TestItem(t *testing.T) {
	got := Item("req-1", sample(), at)
	n := func(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	want := map[string]types.AttributeValue{
		"request_id":      s("req-1"),
		"total_events":    n("5"),
		"invalid_events":  n("1"),
		"unique_users":    n("2"),
		"p95_duration_ms": n("120"),
		"top_endpoints": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberL{Value: []types.AttributeValue{s("/b"), n("3")}},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{s("/a"), n("1")}},
		}},
		"status_counts": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"200": n("3"), "unknown": n("1")}},
		"language":      s("go"),
		"stored_at":     s("2026-12-04T21:31:40.123Z"), // UTC, milliseconds truncated, Z
		"expires_at":    n("1797024700"),               // 2026-12-11T21:31:40Z: stored_at plus 7 days, whole seconds
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Item:\n got %#v\nwant %#v", got, want)
	}
}

func TestItemEmptySummary(t *testing.T) {
	item := Item("r", &aggregate.Summary{}, at)
	if l := item["top_endpoints"].(*types.AttributeValueMemberL); l.Value == nil || len(l.Value) != 0 {
		t.Errorf("top_endpoints of an empty batch = %#v, want an empty list", l.Value)
	}
	if m := item["status_counts"].(*types.AttributeValueMemberM); m.Value == nil || len(m.Value) != 0 {
		t.Errorf("status_counts of an empty batch = %#v, want an empty map", m.Value)
	}
}

func TestNumberSize(t *testing.T) {
	for text, want := range map[string]int{
		"0": 2, "7": 2, "700": 2, "12": 2, "123": 3, "1234": 3, "1000": 2, "-7": 3, "-120": 3,
		"1797024700": 5, "9007199254740991": 9, "1.50": 2,
	} {
		if got := numberSize(text); got != want {
			t.Errorf("numberSize(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestItemSize(t *testing.T) {
	// Counted by hand by the rule of docs/contract.md §5.5.
	item := map[string]types.AttributeValue{
		"k": &types.AttributeValueMemberS{Value: "héllo"}, // 1 + 6
		"n": &types.AttributeValueMemberN{Value: "120"},   // 1 + 2 (the trailing zero is not significant)
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{ // 1 + 3 + (1+1) + (1+2)
			&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberN{Value: "42"},
		}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{ // 1 + 3 + (1+3+2)
			"200": &types.AttributeValueMemberN{Value: "3"},
		}},
	}
	if got, want := ItemSize(item), 7+3+9+10; got != want {
		t.Errorf("ItemSize = %d, want %d", got, want)
	}
}

func TestDecisionSizeIsTheSameInBothLanguagesAndAtAnyTime(t *testing.T) {
	// docs/contract.md §5.5: language counts as "python", expires_at as 10 digits.
	sum := &aggregate.Summary{TopEndpoints: []aggregate.EndpointCount{}}
	item := Item("r-1", sum, time.Unix(1_764_888_700, 123_000_000)) // expires 1765493500
	python := maps.Clone(item)
	python["language"] = &types.AttributeValueMemberS{Value: "python"}
	python["expires_at"] = &types.AttributeValueMemberN{Value: "9999999999"}
	want := ItemSize(python)
	if got := DecisionSize(item); got != want || got != ItemSize(item)+4+1 {
		t.Fatalf("DecisionSize = %d, want %d (ItemSize %d + 4 for the language + 1 for the expiry)", got, want, ItemSize(item))
	}
	for _, at := range []time.Time{time.Unix(1_764_888_701, 0), time.Unix(1_799_395_200, 0)} {
		if got := DecisionSize(Item("r-1", sum, at)); got != want {
			t.Errorf("DecisionSize at %v = %d, want %d", at, got, want)
		}
	}
}

func TestItemSizeOfManyStatuses(t *testing.T) {
	// The §5 case: one request with enough distinct statuses goes over 400 KB.
	sum := &aggregate.Summary{TopEndpoints: []aggregate.EndpointCount{}}
	for i := range 60_000 {
		sum.StatusCounts = append(sum.StatusCounts, aggregate.StatusCount{Status: "s" + strconv.Itoa(i), Count: 1})
	}
	if size := ItemSize(Item("r", sum, at)); size <= MaxItemBytes {
		t.Fatalf("60,000 statuses: ItemSize %d, want over %d", size, MaxItemBytes)
	}
	sum.StatusCounts = sum.StatusCounts[:1000]
	if size := ItemSize(Item("r", sum, at)); size > MaxItemBytes {
		t.Fatalf("1,000 statuses: ItemSize %d, want at most %d", size, MaxItemBytes)
	}
}
