"""The published versions a deploy leaves behind, deleted against moto in server mode: every
numbered version that no alias serves goes; the alias's version, a weighted alias's extra
version, $LATEST and the unpublished lanes stay."""

from __future__ import annotations

import uuid

from aws_servers import publish_versions
from telemetry_agg.bench.aws import versions

from .support import REGION, MotoAws


def _published(moto: MotoAws, count: int) -> str:
    """A function with `count` published versions (1..count)."""
    name = f"python-{uuid.uuid4().hex[:8]}"
    moto.create_function(name)
    publish_versions(moto.lambda_client, name, count)
    return name


def _versions(moto: MotoAws, name: str) -> list[str]:
    found = moto.lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    return [v["Version"] for v in found]


def test_only_the_versions_no_alias_serves_are_deleted(moto_aws: MotoAws) -> None:
    name = _published(moto_aws, 4)
    moto_aws.lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="4")
    moto_aws.lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="3",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert versions.stale(moto_aws.lambda_client, name) == ["1"]
    assert versions.prune(moto_aws.lambda_client, name) == ["1"]
    assert _versions(moto_aws, name) == ["$LATEST", "2", "3", "4"]
    assert versions.prune(moto_aws.lambda_client, name) == []  # nothing left to delete


def test_a_deployment_prunes_its_published_lanes_and_says_so(moto_aws: MotoAws) -> None:
    python, go = _published(moto_aws, 3), _published(moto_aws, 2)
    moto_aws.lambda_client.create_alias(FunctionName=python, Name="live", FunctionVersion="3")
    outputs = {
        "lanes": {
            "python": {"function_name": python, "alias": "live", "version": "3"},
            "go": {"function_name": go, "alias": None, "version": "$LATEST"},  # not published
        }
    }
    said: list[str] = []
    versions.prune_deployment(outputs, REGION, said.append, client=moto_aws.lambda_client)
    assert _versions(moto_aws, python) == ["$LATEST", "3"]
    assert _versions(moto_aws, go) == ["$LATEST", "1", "2"]  # a lane on $LATEST: left alone
    assert said == [
        f"    python: deleted versions 1, 2 of {python}; it serves version 3 behind alias live"
    ]
    said.clear()
    versions.prune_deployment({"lanes": {}}, REGION, said.append, client=None)  # no AWS call
    assert said == []


def test_a_lane_whose_versions_cannot_be_deleted_is_said_and_the_deploy_stands(
    moto_aws: MotoAws,
) -> None:
    outputs = {"lanes": {"python": {"function_name": "no-such-function", "alias": "live"}}}
    said: list[str] = []
    versions.prune_deployment(outputs, REGION, said.append, client=moto_aws.lambda_client)
    assert len(said) == 1
    assert said[0].startswith("    python: the old versions of no-such-function stay: ")
