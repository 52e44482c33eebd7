"""The workloads registry, the table check's rule (one item per 200 answer, with its counts,
nothing else), and the Go build of each workload (the CPU one links no AWS SDK)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from telemetry_agg.bench.aws import package
from telemetry_agg.bench.errors import UsageError
from telemetry_agg.bench.local import stored
from telemetry_agg.bench.model import workloads
from telemetry_agg.bench.toolchain import go_arch

ROOT = Path(__file__).resolve().parents[3]


def test_the_registry_names_both_workloads_and_refuses_others() -> None:
    assert workloads.names() == ("cpu", "store")
    assert workloads.get(workloads.DEFAULT) is workloads.CPU
    with pytest.raises(UsageError, match="no workload named 'disk'") as caught:
        workloads.get("disk")
    assert caught.value.hint == "Workloads: cpu, store."


def test_what_each_workload_needs() -> None:
    cpu, store = workloads.CPU, workloads.STORE
    assert (cpu.table, cpu.go_build.file, cpu.go_build.tags) == (False, "bootstrap", ("nostore",))
    assert cpu.local_environment(table="t", endpoint="http://e", region="r") == {}
    assert cpu.aws_environment(table="t") == {}
    assert (store.table, store.go_build.file, store.go_build.tags) == (True, "bootstrap-store", ())
    env = store.local_environment(table="t", endpoint="http://127.0.0.1:5", region="eu-west-1")
    assert env["TELEMETRY_AGG_TABLE"] == "t"
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:5"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["AWS_SECRET_ACCESS_KEY"]
    assert store.aws_environment(table="summaries") == {"TELEMETRY_AGG_TABLE": "summaries"}
    assert store.answer_keys == ("stored", "store_ms")


def test_the_cpu_workload_starts_no_moto_server() -> None:
    with stored.local_table(workloads.CPU) as table:
        assert table is None


# -- the check ------------------------------------------------------------------------------
ANSWER: dict[str, Any] = {
    "total_events": 3,
    "invalid_events": 1,
    "unique_users": 2,
    "p95_duration_ms": 120,
    "top_endpoints": [["/a", 2], ["/b", 1]],
    "status_counts": {"200": 2, "500": 1},
    "language": "go",
    "aggregator": "scanner",
    "parse_ms": 0.1,
    "compute_ms": 0.2,
    "stored": True,
    "store_ms": 3.0,
}


def item_for(request_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The item §5.2 says the handler writes for `answer`."""
    return {
        "request_id": {"S": request_id},
        "total_events": {"N": str(answer["total_events"])},
        "invalid_events": {"N": str(answer["invalid_events"])},
        "unique_users": {"N": str(answer["unique_users"])},
        "p95_duration_ms": {"N": str(answer["p95_duration_ms"])},
        "top_endpoints": {
            "L": [{"L": [{"S": e}, {"N": str(n)}]} for e, n in answer["top_endpoints"]]
        },
        "status_counts": {"M": {k: {"N": str(v)} for k, v in answer["status_counts"].items()}},
        "language": {"S": answer["language"]},
        "stored_at": {"S": "2026-12-04T23:00:00.000Z"},
        "expires_at": {"N": "1796511600"},
    }


def ledger_of(*ids: str, answer: dict[str, Any] = ANSWER) -> stored.Ledger:
    ledger = stored.Ledger()
    for request_id in ids:
        ledger.record(request_id, "go", 3, dict(answer))
    return ledger


def test_one_item_per_answer_with_its_counts_passes() -> None:
    items = {i: item_for(i, ANSWER) for i in ("r1", "r2")}
    check = stored.check(ledger_of("r1", "r2"), items)
    assert check.as_dict() == {"answers": 2, "items": 2, "mismatches": 0}
    assert check.differences == ()


def test_a_missing_item_an_altered_count_and_a_stray_item_are_each_a_mismatch() -> None:
    items = {i: item_for(i, ANSWER) for i in ("r2", "r3", "stray")}
    items["r3"]["status_counts"]["M"]["500"] = {"N": "7"}
    check = stored.check(ledger_of("r1", "r2", "r3"), items)
    assert check.as_dict() == {"answers": 3, "items": 3, "mismatches": 3}
    text = check.explain()
    assert "r1 (go, 3 events): answered 200 but no item" in text
    assert 'r3 (go, 3 events): status_counts: answer {"200":2,"500":1}, item {"200":2,"500":7}' in (
        text
    )
    assert "stray: an item no answer of this run accounts for" in text
    assert "r2" not in text


def test_an_item_of_an_invocation_that_got_no_200_is_no_mismatch() -> None:
    ledger = ledger_of("r1")
    ledger.unanswered("r2")  # a 503 whose write went through all the same (§5 allows it)
    items = {i: item_for(i, ANSWER) for i in ("r1", "r2", "r3")}
    check = stored.check(ledger, items)
    assert check.as_dict() == {"answers": 1, "items": 3, "mismatches": 1}
    (difference,) = check.differences
    assert difference == "  r3: an item no answer of this run accounts for"


def test_an_item_with_more_or_fewer_attributes_or_another_language_is_a_mismatch() -> None:
    item = item_for("r1", ANSWER)
    item["aggregator"] = {"S": "scanner"}  # never in an item (§5.2)
    del item["expires_at"]
    item["language"] = {"S": "python"}
    (difference,) = stored.check(ledger_of("r1"), {"r1": item}).differences
    assert "attributes: extra ['aggregator'], missing ['expires_at']" in difference
    assert 'language: answer "go", item "python"' in difference


def test_an_answer_that_does_not_say_stored_is_a_mismatch() -> None:
    answer = {k: v for k, v in ANSWER.items() if k not in ("stored", "store_ms")}
    check = stored.check(ledger_of("r1", answer=answer), {"r1": item_for("r1", ANSWER)})
    (difference,) = check.differences
    assert difference.endswith("the answer's stored is null")


def test_the_explanation_shows_the_first_differences_and_counts_the_rest() -> None:
    ids = [f"r{i:02d}" for i in range(stored.SHOWN + 5)]
    text = stored.check(ledger_of(*ids), {}).explain()
    assert f"{stored.SHOWN + 5} mismatches" in text
    assert "... and 5 more" in text
    assert text.count("answered 200 but no item") == stored.SHOWN


def test_typed_values_read_back_as_plain_json() -> None:
    assert stored.plain({"N": "-12"}) == -12
    assert stored.plain({"N": "1.5"}) == 1.5
    assert stored.plain({"L": [{"S": "a"}, {"M": {"k": {"N": "1"}}}]}) == ["a", {"k": 1}]


# -- one Go build per workload --------------------------------------------------------------
def build_go(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("go") is None:
        pytest.skip("needs the Go toolchain (https://go.dev/doc/install)")
    script = ROOT / "scripts" / "build-go.sh"
    return subprocess.run(
        [str(script), *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.mark.go
def test_the_cpu_bootstrap_links_no_aws_sdk_and_the_store_one_does() -> None:
    out = build_go("host")
    assert out.returncode == 0, out.stderr
    folder = ROOT / "build" / f"linux_{go_arch()}"
    builds = {w.name: (folder / w.go_build.file).read_bytes() for w in workloads.REGISTRY.values()}
    sdk = b"aws-sdk-go-v2/service/dynamodb"
    assert sdk not in builds["cpu"]
    assert sdk in builds["store"]
    assert len(builds["store"]) > len(builds["cpu"])
    for workload in workloads.REGISTRY.values():
        assert f"linux_{go_arch()}/{workload.go_build.file}" in out.stdout


def test_build_go_refuses_an_unknown_workload() -> None:
    out = build_go("lambda", "arm64", "disk")
    assert out.returncode == 64
    assert "unknown workload 'disk'; use cpu or store" in out.stderr


@pytest.mark.go
def test_the_store_workload_zips_its_own_bootstrap_as_bootstrap(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("needs the Go toolchain (https://go.dev/doc/install)")
    zips = {
        w.name: package.build_go_zip("arm64", tmp_path / w.name, go_build=w.go_build)
        for w in workloads.REGISTRY.values()
    }
    for name, artifact in zips.items():
        with zipfile.ZipFile(artifact.path) as zf:
            assert zf.namelist() == ["bootstrap"]
            data = zf.read("bootstrap")
        built = ROOT / "build" / "linux_arm64" / workloads.get(name).go_build.file
        assert data == built.read_bytes()
        assert (b"aws-sdk-go-v2/service/dynamodb" in data) == (name == "store")
