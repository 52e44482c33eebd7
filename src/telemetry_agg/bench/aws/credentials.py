"""Who the bench acts as on AWS, and where: the region checked against botocore's endpoint data,
the credentials checked with STS GetCallerIdentity through the standard chain (profile, SSO,
environment), the account's concurrency limit against what deploy reserves. Nothing here ever
prints or writes a credential."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from telemetry_agg.bench.aws.cold_options import (
    PROVISIONED_HINT,
    provisioned_problem,
    spare_concurrency,
)
from telemetry_agg.bench.errors import CREDENTIAL_ERROR_CODES, DeployError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "Identity",
    "check_concurrency",
    "check_credentials",
    "check_region",
    "concurrency_problem",
    "known_regions",
]

DEFAULT_LANES = ("python", "go")  # what an infra/ without the `lanes` variable deploys

NO_CREDENTIALS_HINT = (
    "Configure credentials in the standard AWS way, then rerun: `aws configure` (access keys), "
    "`aws sso login --profile NAME` with AWS_PROFILE=NAME, or the environment variables "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)."
)

EXPIRED_HINT = (
    "Refresh them and rerun: `aws sso login` for an SSO profile, or new temporary keys "
    "(AWS_SESSION_TOKEN) from wherever you got these. Check AWS_PROFILE names the account "
    "you mean."
)


def known_regions() -> set[str]:
    """Every region botocore knows Lambda in, across partitions (offline: its endpoint data)."""
    import boto3  # noqa: PLC0415 - boto3 is slow to import; only deploy/destroy need it

    session = boto3.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("lambda", partition_name=partition))
    return regions


def check_region(region: str) -> str:
    regions = known_regions()
    if region in regions:
        return region
    near = sorted(
        r for r in regions if r.split("-", maxsplit=1)[0] == region.split("-", maxsplit=1)[0]
    )[:8]
    raise DeployError(
        f"{region!r} is not an AWS region with Lambda that this botocore knows.",
        "Pass --region with a region code such as us-east-1 or eu-west-1"
        + (f" (close to yours: {', '.join(near)})" if near else "")
        + "; a region newer than your botocore needs `pip install -U boto3`.",
    )


@dataclass(frozen=True)
class Identity:
    """Who the credentials belong to: never the credentials themselves."""

    account: str
    arn: str


def check_credentials(region: str, env: Mapping[str, str] | None = None) -> Identity:
    """STS GetCallerIdentity through the standard chain; DeployError that says what to do."""
    import boto3  # noqa: PLC0415
    import botocore.exceptions  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    environ = os.environ if env is None else env
    try:
        session = boto3.session.Session(profile_name=environ.get("AWS_PROFILE") or None)
        sts = session.client(
            "sts",
            region_name=region,
            config=Config(retries={"max_attempts": 2}, connect_timeout=10, read_timeout=20),
        )
        answer = sts.get_caller_identity()
    except botocore.exceptions.ProfileNotFound as exc:
        raise DeployError(
            f"The AWS profile is not configured: {exc}.", NO_CREDENTIALS_HINT
        ) from None
    except (
        botocore.exceptions.NoCredentialsError,
        botocore.exceptions.PartialCredentialsError,
    ) as exc:
        raise DeployError(
            f"No AWS credentials found ({type(exc).__name__}).", NO_CREDENTIALS_HINT
        ) from None
    except botocore.exceptions.TokenRetrievalError as exc:
        raise DeployError(f"The SSO session has expired: {exc}.", EXPIRED_HINT) from None
    except botocore.exceptions.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        if code in CREDENTIAL_ERROR_CODES:
            raise DeployError(
                f"AWS rejected the credentials ({code}): they are expired, revoked or invalid.",
                EXPIRED_HINT,
            ) from None
        raise DeployError(
            f"Checking the credentials failed: STS answered {code}.",
            "Check that the credentials may call sts:GetCallerIdentity in this region.",
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise DeployError(
            f"Checking the credentials failed: {exc}.",
            "Check the network, the region, and AWS_ENDPOINT_URL if you set one.",
        ) from None
    return Identity(account=str(answer["Account"]), arn=str(answer["Arn"]))


def concurrency_problem(
    reserved: int, names: list[str], account: Mapping[str, Any], current: Mapping[str, int]
) -> str | None:
    """Why reserving `reserved` for each of `names` would fail, or None when it fits.

    Lambda keeps min(100, account limit) of the account's concurrency unreserved. `account` is
    GetAccountSettings' AccountLimit; `current` what each function already reserves.
    """
    if reserved <= 0:
        return None
    limit, floor, available = spare_concurrency(account, current, names)
    needed = reserved * len(names)
    if needed <= available:
        return None
    return (
        f"Reserving {reserved} concurrent executions for each of the {len(names)} functions "
        f"needs {needed}, but this account can reserve {max(available, 0)} (limit {limit}, "
        f"{floor} must stay unreserved)."
    )


def _provisioned_now(client: Any, name: str) -> int:
    """What `name`'s alias `live` has provisioned now (0: none, or no such function)."""
    import botocore.exceptions  # noqa: PLC0415

    try:
        answer = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    except botocore.exceptions.ClientError:
        return 0
    return int(answer.get("RequestedProvisionedConcurrentExecutions") or 0)


class Reserving(Protocol):
    """What the concurrency check needs of deploy's settings."""

    @property
    def region(self) -> str: ...
    @property
    def name_prefix(self) -> str: ...
    @property
    def reserved_concurrency(self) -> int: ...


def check_concurrency(
    settings: Reserving,
    lanes: tuple[str, ...] = DEFAULT_LANES,
    on_note: Callable[[str], None] = print,
    provisioned: int = 0,
) -> None:
    """Fail before apply when the reserved concurrency (DeployError) or the provisioned
    concurrency (UsageError, exit 2) cannot fit the account (new accounts often have a limit of
    10). Advisory: when the account settings cannot be read, go on."""
    import boto3  # noqa: PLC0415
    import botocore.exceptions  # noqa: PLC0415

    names = [f"{settings.name_prefix}-{lane}" for lane in lanes]
    try:
        client = boto3.session.Session().client("lambda", region_name=settings.region)
        account = client.get_account_settings()["AccountLimit"]
        current: dict[str, int] = {}
        for name in names:
            try:
                answer = client.get_function_concurrency(FunctionName=name)
            except client.exceptions.ResourceNotFoundException:
                continue
            current[name] = int(answer.get("ReservedConcurrentExecutions") or 0)
        now = {name: _provisioned_now(client, name) for name in names} if provisioned else {}
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, KeyError):
        on_note("    (could not read the account's concurrency limits; not checked)")
        return
    problem = concurrency_problem(settings.reserved_concurrency, names, account, current)
    if problem:
        raise DeployError(
            problem,
            "Deploy with --reserved-concurrency -1 (no reservation), a smaller number, or ask AWS "
            "for a higher concurrency quota (Service Quotas, Lambda, Concurrent executions).",
        )
    reserved = settings.reserved_concurrency
    problem = provisioned_problem(provisioned, names, reserved, account, now)
    if problem:
        raise UsageError(problem, PROVISIONED_HINT)
