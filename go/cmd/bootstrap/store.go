//go:build !nostore

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/telemetry-agg/telemetry-agg/go/handler"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

// newStore makes the environment's store, or nil when TELEMETRY_AGG_TABLE is not set.
func newStore() handler.Store {
	s, err := store.FromEnv(context.Background())
	if err != nil {
		// s answers every 200 with a 503 store_unavailable instead: never a 200 without its item.
		fmt.Fprintf(os.Stderr, "bootstrap: %s is set but the DynamoDB client cannot be made: %v\n", store.TableEnv, err)
	}
	if s == nil {
		return nil
	}
	return s
}
