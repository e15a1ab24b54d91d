"""The fleet's process table: what it started, it stops; a PID the system reused is never signalled."""

from __future__ import annotations

import json
import os
import sys

import pytest

from gjj.fleet.processes import FleetStartFailed, ProcessSpec, ProcessTable, group_members

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# A leader with a child of its own, as gunicorn's master and its workers.
FAMILY = [
    sys.executable,
    "-c",
    "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
    " time.sleep(600)",
]


def _table(tmp_path) -> ProcessTable:
    return ProcessTable.load(tmp_path / "fleet.json", tmp_path / "logs")


def test_a_started_process_is_recorded_killed_and_started_again(tmp_path):
    table = _table(tmp_path)
    spec = ProcessSpec("sleeper", "测试进程", SLEEPER, dict(os.environ))
    first = table.start(spec, wait_seconds=10)
    assert table.alive("sleeper")
    recorded = json.loads((tmp_path / "fleet.json").read_text())["processes"]
    assert [entry["pid"] for entry in recorded] == [first.pid]

    # Another shell (make prod-down) reads the same record.
    assert _table(tmp_path).alive("sleeper")
    with pytest.raises(FleetStartFailed, match="已在运行"):
        table.start(spec, wait_seconds=10)

    table.kill("sleeper")
    assert not table.alive("sleeper")
    second = table.start(spec, wait_seconds=10)
    assert second.pid != first.pid
    assert _table(tmp_path).stop_all(["sleeper"]) == ["sleeper"]
    assert not table.alive("sleeper")


def test_a_process_that_exits_at_start_is_reported_with_its_log(tmp_path):
    spec = ProcessSpec(
        "broken",
        "坏进程",
        [sys.executable, "-c", "import sys; print('配置错误'); sys.exit(3)"],
        dict(os.environ),
    )
    with pytest.raises(FleetStartFailed, match="代码 3") as failed:
        _table(tmp_path).start(spec, wait_seconds=10)
    assert "配置错误" in str(failed.value)


def test_a_recorded_pid_now_running_something_else_is_left_alone(tmp_path):
    table = _table(tmp_path)
    table.start(ProcessSpec("sleeper", "测试进程", SLEEPER, dict(os.environ)), wait_seconds=10)
    entry = table.running["sleeper"]
    try:
        # As if the system had since given the PID to another program: another start time.
        entry.started_at_ticks -= 1
        assert not table.alive("sleeper")
        assert table.stop("sleeper") is False
        assert os.waitpid(entry.pid, os.WNOHANG) == (0, 0)  # still running: not signalled
    finally:
        os.killpg(entry.pid, 9)
        os.waitpid(entry.pid, 0)


def _wait_for_members(entry, count: int) -> list[int]:
    import time

    deadline = time.monotonic() + 10
    while len(members := group_members(entry)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return members


def test_killing_a_group_kills_its_children_too(tmp_path):
    table = _table(tmp_path)
    entry = table.start(ProcessSpec("family", "测试进程", FAMILY, dict(os.environ)), wait_seconds=10)
    members = _wait_for_members(entry, 2)
    assert len(members) == 2 and entry.pid in members
    table.kill("family")
    assert group_members(entry) == []


def test_a_group_whose_leader_died_alone_is_still_stopped_whole(tmp_path):
    """A gunicorn master killed by the system leaves its workers: make prod-down still ends them."""
    table = _table(tmp_path)
    entry = table.start(ProcessSpec("family", "测试进程", FAMILY, dict(os.environ)), wait_seconds=10)
    (child,) = [pid for pid in _wait_for_members(entry, 2) if pid != entry.pid]
    os.kill(entry.pid, 9)
    os.waitpid(entry.pid, 0)
    assert not table.alive("family")
    assert group_members(entry) == [child]
    assert table.stop("family") is True
    assert group_members(entry) == []
