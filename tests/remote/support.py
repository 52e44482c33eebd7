"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import boto3

from aws_servers import create_function

REGION = "us-east-1"


FAKE_KEY_ID = "AKIDEXAMPLEFAKE00001"


FAKE_SECRET = "fake-secret-never-printed-0123456789"


@dataclass
class MotoAws:
    endpoint: str
    lambda_client: Any
    logs_client: Any

    def create_function(
        self, name: str, memory_mb: int = 512, env: dict[str, str] | None = None
    ) -> None:
        iam = boto3.client("iam", region_name=REGION, endpoint_url=self.endpoint)
        create_function(self.lambda_client, iam, name, memory_mb=memory_mb, env=env)

    def put_lines(self, group: str, lines: list[str], timestamp_ms: int) -> None:
        with contextlib.suppress(self.logs_client.exceptions.ResourceAlreadyExistsException):
            self.logs_client.create_log_group(logGroupName=group)
        stream = f"2026/11/28/[$LATEST]{len(lines)}{timestamp_ms}"
        self.logs_client.create_log_stream(logGroupName=group, logStreamName=stream)
        self.logs_client.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": timestamp_ms + i, "message": m} for i, m in enumerate(lines)],
        )
