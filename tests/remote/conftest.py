"""Fixtures for the remote bench: moto in server mode (a real HTTP endpoint), fake credentials."""

from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from telemetry_agg.bench.aws import functions as aws

REGION = "us-east-1"
FAKE_KEY_ID = "AKIDEXAMPLEFAKE00001"
FAKE_SECRET = "fake-secret-never-printed-0123456789"


@pytest.fixture
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@dataclass
class MotoAws:
    endpoint: str
    lambda_client: Any
    logs_client: Any

    def create_function(
        self, name: str, memory_mb: int = 512, env: dict[str, str] | None = None
    ) -> None:
        iam = boto3.client("iam", region_name=REGION, endpoint_url=self.endpoint)
        role_name = f"{name}-role"
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
        self.lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": buffer.getvalue()},
            MemorySize=memory_mb,
            Architectures=["arm64"],
            Environment={"Variables": env or {}},
        )

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


@pytest.fixture
def moto_aws(moto_endpoint: str, fake_credentials: None) -> MotoAws:
    lam, logs = aws.session_clients(REGION, endpoint_url=moto_endpoint)
    return MotoAws(moto_endpoint, lam, logs)
