// Command bootstrap is the Go twin's Lambda function for the provided.al2023 runtime.
//
// Build it for Lambda with scripts/build-go.sh lambda arm64 (or amd64), which runs
// GOOS=linux GOARCH=<arch> CGO_ENABLED=0 go build -trimpath -ldflags "-s -w".
//
// With TELEMETRY_AGG_TABLE set, the DynamoDB client is made here, once per execution
// environment in Lambda's init phase, and every 200 answer's summary is stored (docs/contract.md
// §5). Built with -tags nostore, the bootstrap links no AWS SDK (the CPU workload's build: the
// SDK's package initialisation and size are not paid where nothing is stored), and answers
// every 200 with a 503 if a table is named all the same.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
)

func main() {
	h := &handler.Handler{}
	if s := newStore(); s != nil {
		h.Store = s
	}
	lambda.Start(h)
}
