"""Free ports for the emulators and moto: outside the range outgoing connections take."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from telemetry_agg.bench.local import runtimes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_ports_are_free_distinct_and_below_the_ephemeral_range() -> None:
    ephemeral = runtimes.ephemeral_ports()
    ports = [runtimes.free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports), "a port handed out twice"
    assert all(runtimes.LOWEST_PORT <= port < ephemeral.start for port in ports), ports
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[-1]))  # free: it binds


def test_the_machines_own_range_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setting = tmp_path / "ip_local_port_range"
    setting.write_text("40000\t50000\n")
    monkeypatch.setattr(runtimes, "EPHEMERAL_PORTS", setting)
    assert runtimes.ephemeral_ports() == range(40000, 50001)
    assert all(runtimes.free_port() < 40000 for _ in range(20))


def test_with_no_room_below_the_range_the_kernel_chooses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting = tmp_path / "ip_local_port_range"
    setting.write_text("10500 65535\n")
    monkeypatch.setattr(runtimes, "EPHEMERAL_PORTS", setting)
    port = runtimes.free_port()
    assert port >= 1024
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
