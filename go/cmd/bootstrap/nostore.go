//go:build nostore

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/telemetry-agg/telemetry-agg/go/aggregate"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// tableEnv is store.TableEnv, named here so that this build does not link the store.
const tableEnv = "TELEMETRY_AGG_TABLE"

// newStore: a build without the store stores nothing; if a table is named all the same, every
// 200 becomes a 503, since a 200 must never go out without its item.
func newStore() handler.Store {
	if os.Getenv(tableEnv) == "" {
		return nil
	}
	fmt.Fprintf(os.Stderr, "bootstrap: %s is set but this bootstrap was built with -tags nostore; rebuild it without the tag\n", tableEnv)
	return refuse{}
}

type refuse struct{}

func (refuse) Put(context.Context, string, *aggregate.Summary) error {
	return fault.Unavailable(fault.CauseService, "BuiltWithoutStore", nil)
}
