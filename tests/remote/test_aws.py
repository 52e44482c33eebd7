"""aws.py against moto in server mode (a real HTTP endpoint), plus botocore's Stubber for the
update states moto never reports (InProgress, Failed) and for credential errors."""

from __future__ import annotations

import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from telemetry_agg.bench.aws import functions as aws

from .support import FAKE_SECRET, REGION, MotoAws

REPORT = (
    "REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
    "Memory Size: 512 MB\tMax Memory Used: 40 MB\t"
)
COLD_REPORT = REPORT + "Init Duration: 120.5 ms\t"


def _name() -> str:
    return f"fn-{uuid.uuid4().hex[:10]}"


class FakeClock:
    """A clock that advances only when someone sleeps: bounded waits finish instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_parse_report_warm_and_cold() -> None:
    warm = aws.parse_report(REPORT.format(rid="abc-1"))
    assert warm == aws.LambdaReport("abc-1", 12.34, 13, 512, 40, None)
    assert not warm.cold
    cold = aws.parse_report(COLD_REPORT.format(rid="abc-2") + "XRAY TraceId: 1-xyz\n")
    assert cold is not None
    assert cold.init_ms == 120.5
    assert cold.cold


@pytest.mark.parametrize(
    "line",
    [
        "START RequestId: x Version: $LATEST",
        "REPORT RequestId: x\tDuration: fast ms",
        "REPORT Duration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\tMax Memory Used: 1 MB",
        "",
    ],
)
def test_parse_report_rejects_other_lines(line: str) -> None:
    assert aws.parse_report(line) is None


def test_memory_change_and_cold_start_against_moto(moto_aws: MotoAws) -> None:
    name = _name()
    moto_aws.create_function(name, memory_mb=512, env={"KEEP": "me"})
    control = aws.FunctionControl(moto_aws.lambda_client, name, poll_s=0.01)
    assert control.wait_until_updated()["MemorySize"] == 512

    control.set_memory(1024)
    assert control.configuration()["MemorySize"] == 1024

    control.force_cold_start()
    first = control.configuration()["Environment"]["Variables"]
    control.force_cold_start()
    second = control.configuration()["Environment"]["Variables"]
    assert first["KEEP"] == second["KEEP"] == "me"
    assert first[aws.COLD_START_VARIABLE] != second[aws.COLD_START_VARIABLE]


@pytest.mark.parametrize("interrupt", [RuntimeError("mid-sweep"), KeyboardInterrupt()])
def test_restoring_puts_memory_and_environment_back_after_an_error(
    moto_aws: MotoAws, interrupt: BaseException
) -> None:
    name = _name()
    moto_aws.create_function(name, memory_mb=512, env={"KEEP": "me"})
    control = aws.FunctionControl(moto_aws.lambda_client, name, poll_s=0.01)
    seen: list[int] = []

    def sweep() -> None:
        with control.restoring() as original:
            seen.append(original["MemorySize"])
            control.set_memory(256)
            control.force_cold_start()
            seen.append(control.configuration()["MemorySize"])
            raise interrupt

    with pytest.raises(type(interrupt)):
        sweep()
    assert seen == [512, 256]
    after = control.configuration()
    assert after["MemorySize"] == 512
    assert after["Environment"]["Variables"] == {"KEEP": "me"}


def test_unknown_function_says_what_to_do(moto_aws: MotoAws) -> None:
    control = aws.FunctionControl(moto_aws.lambda_client, "does-not-exist")
    with pytest.raises(aws.AwsError, match="not found") as caught:
        control.configuration()
    assert "telemetry-bench deploy" in caught.value.hint


def test_memory_outside_lambda_limits_is_refused_before_calling_aws(moto_aws: MotoAws) -> None:
    control = aws.FunctionControl(moto_aws.lambda_client, "never-called")
    with pytest.raises(aws.AwsError, match="128 to 10240 MB"):
        control.set_memory(64)


def test_reports_are_read_back_and_joined_by_request_id(moto_aws: MotoAws) -> None:
    group = f"/aws/lambda/{_name()}"
    start = int(time.time() * 1000) - 1000
    ids = [str(uuid.uuid4()) for _ in range(3)]
    moto_aws.put_lines(
        group,
        [
            f"START RequestId: {ids[0]} Version: $LATEST",
            COLD_REPORT.format(rid=ids[0]),
            REPORT.format(rid=ids[1]),
            REPORT.format(rid="someone-elses-request"),
        ],
        start + 10,
    )
    clock = FakeClock()
    lookup = aws.read_reports(
        moto_aws.logs_client,
        group,
        ids,
        start_ms=start,
        wait_s=20,
        poll_s=5,
        sleep=clock.sleep,
        clock=clock,
    )
    assert set(lookup.found) == {ids[0], ids[1]}
    assert lookup.found[ids[0]].init_ms == 120.5
    assert lookup.found[ids[1]].billed_ms == 13
    assert lookup.missing == [ids[2]]
    # bounded: polled until the wait ran out, then gave up with the missing id named
    assert clock.sleeps == [5, 5, 5, 5]


def test_reports_stop_polling_once_all_are_found(moto_aws: MotoAws) -> None:
    group = f"/aws/lambda/{_name()}"
    start = int(time.time() * 1000) - 1000
    rid = str(uuid.uuid4())
    moto_aws.put_lines(group, [REPORT.format(rid=rid)], start + 5)
    clock = FakeClock()
    lookup = aws.read_reports(
        moto_aws.logs_client, group, [rid], start_ms=start, sleep=clock.sleep, clock=clock
    )
    assert lookup.missing == []
    assert clock.sleeps == []


def test_missing_log_group_is_a_clear_error(moto_aws: MotoAws) -> None:
    with pytest.raises(aws.AwsError, match="/aws/lambda/nothing-here"):
        aws.read_reports(moto_aws.logs_client, "/aws/lambda/nothing-here", ["x"], start_ms=0)


def _stubbed() -> tuple[Any, Stubber]:
    client = boto3.client(
        "lambda",
        region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=FAKE_SECRET,
    )
    return client, Stubber(client)


def test_wait_polls_through_in_progress_until_successful() -> None:
    client, stub = _stubbed()
    for status in ["InProgress", "InProgress", "Successful"]:
        stub.add_response(
            "get_function_configuration",
            {"FunctionName": "f", "MemorySize": 512, "LastUpdateStatus": status},
        )
    clock = FakeClock()
    with stub:
        control = aws.FunctionControl(client, "f", poll_s=2, sleep=clock.sleep, clock=clock)
        assert control.wait_until_updated()["LastUpdateStatus"] == "Successful"
    assert clock.sleeps == [2, 2]


def test_wait_reports_a_failed_update_with_its_reason() -> None:
    client, stub = _stubbed()
    stub.add_response(
        "get_function_configuration",
        {"LastUpdateStatus": "Failed", "LastUpdateStatusReason": "subnet out of addresses"},
    )
    with stub, pytest.raises(aws.AwsError, match="subnet out of addresses"):
        aws.FunctionControl(client, "f").wait_until_updated()


def test_wait_is_bounded() -> None:
    client, stub = _stubbed()
    for _ in range(4):
        stub.add_response("get_function_configuration", {"LastUpdateStatus": "InProgress"})
    clock = FakeClock()
    control = aws.FunctionControl(
        client, "f", update_timeout_s=5, poll_s=2, sleep=clock.sleep, clock=clock
    )
    with stub, pytest.raises(aws.AwsError, match="still reports LastUpdateStatus=InProgress"):
        control.wait_until_updated()


def test_an_update_already_in_progress_is_waited_out() -> None:
    client, stub = _stubbed()
    stub.add_client_error("update_function_configuration", "ResourceConflictException")
    stub.add_response("update_function_configuration", {"MemorySize": 256})
    stub.add_response("get_function_configuration", {"LastUpdateStatus": "Successful"})
    clock = FakeClock()
    with stub:
        aws.FunctionControl(client, "f", poll_s=1, sleep=clock.sleep, clock=clock).set_memory(256)
    assert clock.sleeps == [1]


@pytest.mark.parametrize("code", ["ExpiredTokenException", "UnrecognizedClientException"])
def test_bad_credentials_say_what_to_do_and_never_show_the_secret(code: str) -> None:
    client, stub = _stubbed()
    stub.add_client_error("get_function_configuration", code, "The security token expired")
    with stub, pytest.raises(aws.AwsError) as caught:
        aws.FunctionControl(client, "f").configuration()
    text = str(caught.value)
    assert "refused the credentials" in text
    assert "aws sso login" in text
    assert FAKE_SECRET not in text


def test_a_failed_restore_says_how_to_put_the_memory_back_by_hand() -> None:
    client, stub = _stubbed()
    stub.add_response(
        "get_function_configuration", {"MemorySize": 512, "LastUpdateStatus": "Successful"}
    )
    stub.add_response("get_function_configuration", {"MemorySize": 256})
    stub.add_client_error("update_function_configuration", "AccessDeniedException", "no")
    control = aws.FunctionControl(client, "f")

    def touch_nothing() -> None:
        with control.restoring():
            pass

    with stub, pytest.raises(aws.AwsError, match=r"could not restore f .*512 MB") as caught:
        touch_nothing()
    assert "--function-name f --memory-size 512" in caught.value.hint
