package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
)

// MaxItemBytes is the largest item sent, by DecisionSize: DynamoDB's 400 KB read in decimal
// kilobytes, below what DynamoDB and moto take (docs/contract.md §5.5).
const MaxItemBytes = 400_000

// TTL is how long an item lives: expires_at is stored_at plus this.
const TTL = 7 * 24 * time.Hour

// Language is this side's name in the item's language attribute.
const Language = "go"

// StoredAt formats t as the item's stored_at: UTC, RFC 3339 with milliseconds, ending in Z.
func StoredAt(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Item is the summary's DynamoDB item (docs/contract.md §5), stored at now.
func Item(requestID string, s *aggregate.Summary, now time.Time) map[string]types.AttributeValue {
	now = now.UTC().Truncate(time.Millisecond)
	top := make([]types.AttributeValue, len(s.TopEndpoints))
	for i, e := range s.TopEndpoints {
		top[i] = &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: e.Endpoint}, number(int64(e.Count)),
		}}
	}
	statuses := make(map[string]types.AttributeValue, len(s.StatusCounts))
	for _, c := range s.StatusCounts {
		statuses[c.Status] = number(int64(c.Count))
	}
	return map[string]types.AttributeValue{
		"request_id":      &types.AttributeValueMemberS{Value: requestID},
		"total_events":    number(int64(s.TotalEvents)),
		"invalid_events":  number(int64(s.InvalidEvents)),
		"unique_users":    number(int64(s.UniqueUsers)),
		"p95_duration_ms": number(s.P95DurationMs),
		"top_endpoints":   &types.AttributeValueMemberL{Value: top},
		"status_counts":   &types.AttributeValueMemberM{Value: statuses},
		"language":        &types.AttributeValueMemberS{Value: Language},
		"stored_at":       &types.AttributeValueMemberS{Value: StoredAt(now)},
		"expires_at":      number(now.Add(TTL).Unix()),
	}
}

// countedAs holds what the 413 decision counts for the two attributes that differ by language
// or clock alone, at their largest: language as "python" (Go's "go" is 4 bytes shorter) and
// expires_at as a 10-digit number with no trailing zero (every epoch second until 2286 has 10
// digits, and trailing zeros count nothing), so both languages, at any time, decide alike
// (docs/contract.md §5.5).
var countedAs = map[string]types.AttributeValue{
	"language":   &types.AttributeValueMemberS{Value: "python"},
	"expires_at": &types.AttributeValueMemberN{Value: "9999999999"},
}

// DecisionSize is the size the 413 decision reads: ItemSize with language and expires_at
// counted as countedAs says (never below ItemSize).
func DecisionSize(item map[string]types.AttributeValue) int {
	n := ItemSize(item)
	for name, v := range countedAs {
		if old, ok := item[name]; ok {
			n += valueSize(v) - valueSize(old)
		}
	}
	return n
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// ItemSize is the item's size by the rule of docs/contract.md §5.5 (DynamoDB's developer guide,
// plus its per-element byte): each attribute name in UTF-8 bytes plus its value; a string its
// UTF-8 bytes; a number ceil(d/2) + 1 bytes for d significant digits (at least 1), plus 1 when
// negative; a list or map 3 bytes plus 1 byte per element, each map key counted as a name.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0 // the item holds no other types
}

// numberSize is the size of a number's decimal text: d significant digits (sign and decimal
// point left out, leading and trailing zeros trimmed, at least 1) take ceil(d/2) + 1 bytes,
// and a negative number 1 byte more.
func numberSize(text string) int {
	digits := strings.Trim(strings.ReplaceAll(strings.TrimLeft(text, "+-"), ".", ""), "0")
	d := max(len(digits), 1)
	n := (d+1)/2 + 1
	if strings.HasPrefix(text, "-") {
		n++
	}
	return n
}
