"""`remote` without --lanes measures the registered lanes the deployment has (a deployment made
before python-lean was registered has two); a lane asked for by name must have its URL."""

from __future__ import annotations

from typing import Any

import pytest

from telemetry_agg.bench.aws import remote
from telemetry_agg.bench.errors import BenchError

OUTPUTS: dict[str, Any] = {
    "python_function_url": "https://p.lambda-url.us-east-1.on.aws/",
    "go_function_url": "https://g.lambda-url.us-east-1.on.aws/",
    "region": "us-east-1",
}


def test_without_lanes_the_deployed_ones() -> None:
    deployment = remote.resolve_deployment({}, read_outputs=lambda: OUTPUTS)
    assert [t.lane for t in deployment.targets] == ["python", "go"]
    three = dict(OUTPUTS, python_lean_function_url="https://l.lambda-url.us-east-1.on.aws/")
    deployment = remote.resolve_deployment({}, read_outputs=lambda: three)
    assert [t.lane for t in deployment.targets] == ["python", "python-lean", "go"]


def test_url_flags_alone_need_no_terraform() -> None:
    def unreadable() -> Any:
        raise BenchError("no state", "deploy first")

    flags = {"python_url": "http://127.0.0.1:9/", "go_url": "http://127.0.0.1:9/"}
    deployment = remote.resolve_deployment(dict(flags, region="us-east-1"), unreadable)
    assert [t.lane for t in deployment.targets] == ["python", "go"]
    with pytest.raises(BenchError, match="no Function URLs"):
        remote.resolve_deployment({"go_url": "http://127.0.0.1:9/"}, unreadable)


def test_a_lane_named_must_have_its_url() -> None:
    with pytest.raises(BenchError, match="no URL for the python-lean lane"):
        remote.resolve_deployment({}, lambda: OUTPUTS, lanes=("python", "python-lean"))
