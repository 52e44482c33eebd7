package store_test

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

// The item a summary is stored as, and its size by the §5.5 rule.
func ExampleItem() {
	sum := aggregate.Summary{
		TotalEvents: 3, InvalidEvents: 1, UniqueUsers: 1, P95DurationMs: 30,
		TopEndpoints: []aggregate.EndpointCount{{Endpoint: "/a", Count: 2}},
		StatusCounts: []aggregate.StatusCount{{Status: "200", Count: 2}},
	}
	at := time.Date(2026, 12, 4, 22, 31, 40, 123_999_000, time.UTC)
	item := store.Item("5e0c1a2b-7d3e-4f60-9a1b-000000000001", &sum, at)
	fmt.Println(item["stored_at"].(*types.AttributeValueMemberS).Value)
	fmt.Println(item["expires_at"].(*types.AttributeValueMemberN).Value)
	fmt.Println(store.ItemSize(item), "bytes of at most", store.MaxItemBytes)
	// Output:
	// 2026-12-04T22:31:40.123Z
	// 1797028300
	// 213 bytes of at most 400000
}
