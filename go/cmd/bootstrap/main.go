// Command bootstrap is the Go twin's Lambda function for the provided.al2023 runtime.
//
// Build it for Lambda with scripts/build-go.sh lambda arm64 (or amd64), which runs
// GOOS=linux GOARCH=<arch> CGO_ENABLED=0 go build -trimpath -ldflags "-s -w".
//
// With TELEMETRY_AGG_TABLE set, the DynamoDB client is made here, once per execution
// environment in Lambda's init phase, and every 200 answer's summary is stored (docs/contract.md §5).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

func main() {
	h := &handler.Handler{}
	s, err := store.FromEnv(context.Background())
	if err != nil {
		// s answers every 200 with a 503 store_unavailable instead: never a 200 without its item.
		fmt.Fprintf(os.Stderr, "bootstrap: %s is set but the DynamoDB client cannot be made: %v\n", store.TableEnv, err)
	}
	if s != nil {
		h.Store = s
	}
	lambda.Start(h)
}
