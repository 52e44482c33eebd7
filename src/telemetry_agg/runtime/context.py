"""The context object a handler receives: what awslambdaric's LambdaContext carries.

From the environment (read once): function name, version, memory size, log group and stream.
From the invocation's headers: the request id, the deadline, the invoked ARN, the client context
and the Cognito identity (JSON headers, decoded as the stock client decodes them).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

#: The Runtime API headers the loop reads, as `RuntimeClient.next` gives them (lower case).
REQUEST_ID = "lambda-runtime-aws-request-id"
DEADLINE_MS = "lambda-runtime-deadline-ms"
FUNCTION_ARN = "lambda-runtime-invoked-function-arn"
TRACE_ID = "lambda-runtime-trace-id"
CLIENT_CONTEXT = "lambda-runtime-client-context"
COGNITO_IDENTITY = "lambda-runtime-cognito-identity"
TENANT_ID = "lambda-runtime-aws-tenant-id"


class ContextError(ValueError):
    """A client-context or identity header that is not JSON (the stock client's
    Runtime.LambdaContextUnmarshalError)."""

    error_type = "Runtime.LambdaContextUnmarshalError"


class Identity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: dict[str, Any] | None) -> None:
        identity = identity if isinstance(identity, dict) else {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Namespace:
    """A client context (``custom``, ``env``, ``client``) or its client, as attributes."""

    def __init__(self, fields: tuple[str, ...], values: dict[str, Any]) -> None:
        for name in fields:
            setattr(self, name, values.get(name))


_CLIENT = ("installation_id", "app_title", "app_version_name", "app_version_code")
_CLIENT_FIELDS = (*_CLIENT, "app_package_name")


def _client_context(values: dict[str, Any] | None) -> Namespace | None:
    if not isinstance(values, dict):
        return None
    client = values.get("client")
    client = Namespace(_CLIENT_FIELDS, client) if isinstance(client, dict) else None
    return Namespace(("custom", "env", "client"), {**values, "client": client})


def _json_header(value: str | None, name: str) -> Any:
    if not value:
        return None
    import json  # noqa: PLC0415 - only these rare headers need it, not the cold start

    try:
        return json.loads(value)
    except ValueError as exc:
        raise ContextError(f"Unable to parse {name} JSON: {exc}") from None


class LambdaContext:
    """One invocation's context; `get_remaining_time_in_millis()` counts down to its deadline."""

    _environment: tuple[str | None, ...] | None = None

    def __init__(self, headers: dict[str, str]) -> None:
        if LambdaContext._environment is None:
            LambdaContext._environment = tuple(
                os.environ.get(name)
                for name in (
                    "AWS_LAMBDA_FUNCTION_NAME",
                    "AWS_LAMBDA_FUNCTION_VERSION",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                    "AWS_LAMBDA_LOG_GROUP_NAME",
                    "AWS_LAMBDA_LOG_STREAM_NAME",
                )
            )
        (
            self.function_name,
            self.function_version,
            self.memory_limit_in_mb,
            self.log_group_name,
            self.log_stream_name,
        ) = LambdaContext._environment
        self.aws_request_id = headers.get(REQUEST_ID, "")
        self.invoked_function_arn = headers.get(FUNCTION_ARN)
        self.tenant_id = headers.get(TENANT_ID)
        try:
            self._deadline_ms = int(headers.get(DEADLINE_MS, "0"))
        except ValueError:
            self._deadline_ms = 0
        self.client_context = _client_context(
            _json_header(headers.get(CLIENT_CONTEXT), "Client Context")
        )
        self.identity = Identity(_json_header(headers.get(COGNITO_IDENTITY), "Cognito Identity"))

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message: str) -> None:
        sys.stdout.write(str(message))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(aws_request_id={self.aws_request_id}, "
            f"function_name={self.function_name}, function_version={self.function_version}, "
            f"memory_limit_in_mb={self.memory_limit_in_mb}, "
            f"invoked_function_arn={self.invoked_function_arn})"
        )
