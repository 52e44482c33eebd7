package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/telemetry-agg/telemetry-agg/go/store/fault"
)

// errNoTimeLeft: the invocation's deadline leaves no room for one attempt (§5.6).
var errNoTimeLeft = errors.New("NoTimeLeft")

func unavailable(cause fault.Cause, err error) *fault.Error {
	return fault.Unavailable(cause, errorName(err), err)
}

// errorName is the SDK's name for an error, for the log line: the service's error code, or the
// innermost error's Go type (never a message, which may quote the item).
func errorName(err error) string {
	if err == nil {
		return ""
	}
	if err == errNoTimeLeft {
		return "NoTimeLeft"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", err), "*")
}
