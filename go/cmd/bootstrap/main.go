// Command bootstrap is the Go twin's Lambda function for the provided.al2023 runtime.
//
// Build it for Lambda with scripts/build-go.sh lambda arm64 (or amd64), which runs
// GOOS=linux GOARCH=<arch> CGO_ENABLED=0 go build -trimpath -ldflags "-s -w".
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/telemetry-agg/telemetry-agg/go/handler"
)

func main() {
	lambda.Start(&handler.Handler{})
}
