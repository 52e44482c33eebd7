"""Fixtures for the remote bench: moto in server mode (a real HTTP endpoint), fake credentials."""

from __future__ import annotations

import pytest

from telemetry_agg.bench.aws import functions as aws

from .support import FAKE_KEY_ID, FAKE_SECRET, REGION, MotoAws


@pytest.fixture
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def moto_aws(moto_endpoint: str, fake_credentials: None) -> MotoAws:
    lam, logs = aws.session_clients(REGION, endpoint_url=moto_endpoint)
    return MotoAws(moto_endpoint, lam, logs)
