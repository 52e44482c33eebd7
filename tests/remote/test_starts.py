"""Published lanes (SnapStart, provisioned concurrency) under `remote`: cold starts forced by a
burst beyond the ready environments, never by a configuration change; provisioned concurrency
waited for until READY (botocore's Stubber: moto has no provisioned concurrency); starts told
apart by their REPORT lines (written into moto's CloudWatch Logs by the stand-in function); a
failed restore reported per lane with the REPORT's error."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber

from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.aws import remote, remote_session, starts, workload
from telemetry_agg.bench.errors import UsageError
from telemetry_agg.bench.model import results as res

from .fake_lambda import FakeLambda
from .support import REGION

if TYPE_CHECKING:
    from pathlib import Path

    from .support import MotoAws

FUNCTION = "telemetry-agg-python"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _pc(status: str, **more: Any) -> dict[str, Any]:
    return {
        "RequestedProvisionedConcurrentExecutions": 2,
        "AvailableProvisionedConcurrentExecutions": 2 if status == "READY" else 0,
        "AllocatedProvisionedConcurrentExecutions": 2 if status == "READY" else 0,
        "Status": status,
        **more,
    }


def _stubbed() -> tuple[Any, Stubber]:
    client = boto3.client(
        "lambda",
        region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="fake",
    )
    return client, Stubber(client)


WANT = {"FunctionName": FUNCTION, "Qualifier": "live"}


def test_provisioned_concurrency_is_waited_for_until_ready() -> None:
    client, stub = _stubbed()
    stub.add_response("get_provisioned_concurrency_config", _pc("IN_PROGRESS"), WANT)
    stub.add_response("get_provisioned_concurrency_config", _pc("IN_PROGRESS"), WANT)
    stub.add_response("get_provisioned_concurrency_config", _pc("READY"), WANT)
    clock = FakeClock()
    with stub:
        config = starts.ProvisionedWait(
            client, FUNCTION, "live", poll_s=5, sleep=clock.sleep, clock=clock
        ).until_ready()
    assert config["Status"] == "READY"
    assert clock.now == 10
    stub.assert_no_pending_responses()


def test_a_failed_provisioned_concurrency_says_why() -> None:
    client, stub = _stubbed()
    reason = "FUNCTION_ERROR_INIT_FAILURE"
    stub.add_response(
        "get_provisioned_concurrency_config", _pc("FAILED", StatusReason=reason), WANT
    )
    with stub, pytest.raises(aws.AwsError) as caught:
        starts.ProvisionedWait(client, FUNCTION, "live").until_ready()
    assert f"{FUNCTION}:live FAILED: {reason}" in caught.value.message


def test_the_wait_is_bounded_with_a_clear_message() -> None:
    client, stub = _stubbed()
    for _ in range(4):
        stub.add_response("get_provisioned_concurrency_config", _pc("IN_PROGRESS"), WANT)
    clock = FakeClock()
    with stub, pytest.raises(aws.AwsError) as caught:
        starts.ProvisionedWait(
            client, FUNCTION, "live", timeout_s=30, poll_s=10, sleep=clock.sleep, clock=clock
        ).until_ready()
    assert "still IN_PROGRESS after 30 s (0 of 2 environments ready)" in caught.value.message
    assert "--ready-timeout" in caught.value.hint


def test_snapstart_on_the_published_version_is_read() -> None:
    client, stub = _stubbed()
    alias = {"AliasArn": "arn", "Name": "live", "FunctionVersion": "7"}
    stub.add_response("get_alias", alias, {"FunctionName": FUNCTION, "Name": "live"})
    config = {"SnapStart": {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}}
    stub.add_response(
        "get_function_configuration", config, {"FunctionName": FUNCTION, "Qualifier": "7"}
    )
    with stub:
        assert starts.published(client, FUNCTION, "live") == starts.Published("7", "On")


def test_no_provisioned_concurrency_config_is_explained() -> None:
    client, stub = _stubbed()
    stub.add_client_error(
        "get_provisioned_concurrency_config",
        service_error_code="ProvisionedConcurrencyConfigNotFoundException",
        service_message="No Provisioned Concurrency Config found for this function",
        expected_params=WANT,
    )
    with stub, pytest.raises(aws.AwsError) as caught:
        starts.ProvisionedWait(client, FUNCTION, "live").until_ready()
    assert "No Provisioned Concurrency Config found" in caught.value.message


@pytest.mark.parametrize(
    ("k", "provisioned", "busy", "size"), [(5, 0, 0, 5), (5, 2, 0, 7), (5, 2, 20, 25)]
)
def test_the_burst_outnumbers_the_ready_environments(
    k: int, provisioned: int, busy: int, size: int
) -> None:
    assert starts.burst_size(k, provisioned, busy) == size


def _published(
    moto: MotoAws, stack: ExitStack, **knobs: Any
) -> tuple[remote.Deployment, FakeLambda, str]:
    name = f"python-{uuid.uuid4().hex[:8]}"
    moto.create_function(name, memory_mb=512, env={"KEEP": "me"})
    version = moto.lambda_client.publish_version(FunctionName=name)["Version"]
    moto.lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    fake = stack.enter_context(
        FakeLambda("python", logs_client=moto.logs_client, log_group=f"/aws/lambda/{name}", **knobs)
    )
    target = remote.LaneTarget(
        "python",
        fake.url,
        name,
        f"/aws/lambda/{name}",
        alias="live",
        snapstart=knobs.get("start") == "restored",
        provisioned_concurrency=knobs.get("provisioned", 0),
        runtime="python3.12",
    )
    return remote.Deployment((target,), REGION, auth_type="NONE", memory_size=512), fake, name


def _options(tmp_path: Path, **plan: Any) -> remote_session.RemoteOptions:
    settings: dict[str, Any] = {"cold_starts": 2, "report_wait_s": 5, **plan}
    return remote_session.RemoteOptions(
        plan=remote.RemotePlan(sizes=[10, 20], concurrency=2, requests=4, **settings),
        output=tmp_path,
    )


def test_snapstart_cold_starts_are_restores_forced_by_a_burst(
    moto_aws: MotoAws, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        deployment, fake, name = _published(moto_aws, stack, start="restored")
        clients = (moto_aws.lambda_client, moto_aws.logs_client)
        session = remote_session.run_remote(deployment, _options(tmp_path), clients=clients)
    run = session.runs[0]
    # no configuration change: the published version is what the alias serves
    env = moto_aws.lambda_client.get_function_configuration(FunctionName=name)
    assert aws.COLD_START_VARIABLE not in env["Environment"]["Variables"]
    first, second = run.get(10, "python"), run.get(20, "python")
    assert first is not None
    assert second is not None
    # size 10: a burst of K = 2 (nothing busy yet); size 20: K + the 2 the load kept busy
    assert [len(s.cold()) + len(s.warm()) for s in (first, second)] == [2 + 4, 4 + 4]
    assert fake.count == 2 + 2 + 4 + 4 + 2 + 4  # bursts, warm-ups, loads
    restored = [s for s in first.cold() if s.restore_ms is not None]
    assert len(restored) == 2
    assert all(s.billed_restore_ms == 50 and s.init_ms is None for s in restored)
    assert run.options["deployment"]["python"]["snapstart"] is True
    # the version the alias serves, read from moto (GetAlias, then that version's settings)
    assert run.options["deployment"]["python"]["version"] == "1"
    # moto has no SnapStart (its versions say OptimizationStatus Off): said, not hidden; the
    # burst requests that found a ready environment are no news
    assert session.tallies[0].notes == [
        (
            "python: SnapStart is Off on version 1 (OptimizationStatus): its new environments "
            "start on demand, not from a snapshot (a region without SnapStart, or not applied)"
        )
    ]


def test_a_failed_restore_is_reported_with_the_reports_error(
    moto_aws: MotoAws, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        deployment, _, _ = _published(
            moto_aws, stack, start="restored", restore_error="Runtime.ExitError", status=502
        )
        clients = (moto_aws.lambda_client, moto_aws.logs_client)
        opts = _options(tmp_path)
        opts.plan.sizes = [10]
        session = remote_session.run_remote(deployment, opts, clients=clients)
    failures = session.tallies[0].start_failures["python"]
    assert len(failures) >= 2
    assert all("snapshot restore" in f and "Runtime.ExitError" in f for f in failures)
    samples = session.runs[0].series[0].samples
    assert all(s.report_error == "error: Runtime.ExitError" for s in samples if s.restore_ms)


def test_provisioned_cold_starts_are_the_requests_beyond_n(
    moto_aws: MotoAws, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        deployment, _, name = _published(moto_aws, stack, provisioned=2)
        ready, stub = _stubbed()
        alias = {"AliasArn": "arn", "Name": "live", "FunctionVersion": "1"}
        stub.add_response("get_alias", alias, {"FunctionName": name, "Name": "live"})
        stub.add_response(
            "get_function_configuration",
            {"FunctionName": name, "Version": "1"},
            {"FunctionName": name, "Qualifier": "1"},
        )
        want = {"FunctionName": name, "Qualifier": "live"}
        stub.add_response("get_provisioned_concurrency_config", _pc("READY"), want)
        stack.enter_context(stub)
        opts = _options(tmp_path, read_reports=True)
        opts.plan.sizes = [10]
        opts.plan.warmup = False
        session = remote_session.Session()
        measuring = remote_session._measuring(
            deployment, opts.plan, opts, session, None, (moto_aws.lambda_client, None)
        )
        measuring.controls["python"] = aws.FunctionControl(ready, name)
        measuring.logs_client = moto_aws.logs_client
        measuring.one(512, tmp_path)
        stub.assert_no_pending_responses()
    series = session.runs[0].get(10, "python")
    assert series is not None
    # a burst of K + N = 4 first: the first N connections are the provisioned environments,
    # the K beyond them start on demand (the stand-in makes each new connection a new one)
    assert len(series.samples) == 4 + 4
    burst = series.samples[:4]
    assert sorted(s.init_ms is not None for s in burst) == [False, False, True, True]
    assert all(s.restore_ms is None for s in series.samples)


def test_a_memory_sweep_is_refused_on_a_published_lane(moto_aws: MotoAws, tmp_path: Path) -> None:
    with ExitStack() as stack:
        deployment, _, _ = _published(moto_aws, stack, start="restored")
        opts = _options(tmp_path)
        opts.memory_sweep = [512, 1024]
        clients = (moto_aws.lambda_client, moto_aws.logs_client)
        with pytest.raises(UsageError) as caught:
            remote_session.run_remote(deployment, opts, clients=clients)
    assert "python serve a published version" in caught.value.message


def test_the_workload_must_be_the_deployed_one() -> None:
    assert workload.check(None, "store") == "store"
    assert workload.check("store", None) == "store"
    with pytest.raises(UsageError) as caught:
        workload.check("store", "cpu")
    assert "deploy --workload store" in caught.value.hint


def test_a_stored_workload_answer_without_stored_is_a_mismatch(
    moto_aws: MotoAws, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        deployment, _, _ = _published(moto_aws, stack)
        stored = remote.Deployment(
            deployment.targets, REGION, auth_type="NONE", memory_size=512, workload="store"
        )
        opts = _options(tmp_path, cold_starts=0, read_reports=False)
        opts.plan.sizes = [10]
        session = remote_session.run_remote(stored, opts, clients=(None, None))
    assert any("without `stored: true`" in m for m in session.tallies[0].mismatches)
    assert isinstance(session.runs[0], res.Results)


def _outputs(workload: str) -> dict[str, Any]:
    lane = {
        "function_url": "https://abc.lambda-url.us-east-1.on.aws/",
        "function_name": "telemetry-agg-python",
        "log_group_name": "/aws/lambda/telemetry-agg-python",
        "alias": "live",
        "version": "4",
        "runtime": "python3.12",
        "architecture": "arm64",
        "snapstart": False,
        "provisioned_concurrency": 3,
    }
    return {
        "region": REGION,
        "architecture": "arm64",
        "memory_size": 512,
        "auth_type": "AWS_IAM",
        "lanes": {"python": lane},
        "workload": workload,
        "table_name": "telemetry-agg-summaries" if workload == "store" else None,
    }


def test_the_lanes_output_gives_each_target_its_alias_and_option() -> None:
    found = remote.resolve_deployment({}, lambda: _outputs("store"), lanes=("python",))
    (target,) = found.targets
    assert target.url.endswith("/")
    assert (target.alias, target.provisioned_concurrency, target.snapstart) == ("live", 3, False)
    assert target.deployed()["runtime"] == "python3.12"
    assert found.workload == "store"


def test_remote_refuses_a_workload_that_is_not_deployed() -> None:
    with pytest.raises(UsageError) as caught:
        remote.resolve_deployment({"workload": "store"}, lambda: _outputs("cpu"), lanes=("python",))
    assert "the deployment runs the cpu workload" in caught.value.message


def test_a_burst_stops_at_the_functions_reserved_concurrency(
    moto_aws: MotoAws, tmp_path: Path
) -> None:
    """Beyond its reserved concurrency Lambda throttles instead of starting environments: the
    burst is capped there (GetFunctionConcurrency), and the shortfall is said."""
    with ExitStack() as stack:
        deployment, fake, name = _published(moto_aws, stack, start="restored")
        moto_aws.lambda_client.put_function_concurrency(
            FunctionName=name, ReservedConcurrentExecutions=3
        )
        clients = (moto_aws.lambda_client, moto_aws.logs_client)
        session = remote_session.run_remote(deployment, _options(tmp_path), clients=clients)
    # size 10: a burst of K = 2; size 20: K + the 2 the load kept busy = 4, capped at 3
    assert fake.count == 2 + 2 + 4 + 3 + 2 + 4  # bursts, warm-ups, loads
    capped = [note for note in session.tallies[0].notes if "reserved concurrency" in note]
    assert capped == [
        (
            "python 20 events: a burst of 3, the function's reserved concurrency, not 4: fewer "
            "cold starts than asked"
        )
    ]
