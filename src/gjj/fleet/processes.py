"""Starting, killing and stopping the fleet's processes, each in a process group of its own.

What was started is written to ``fleet.json`` (name, PID, and the process's start time from
/proc, so that a PID the system has since given to another program is never signalled): ``down``
stops exactly those groups, from any shell, and nothing else."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from gjj.core.env import REPO_ROOT


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    title: str
    command: list[str]
    env: dict[str, str]
    # Polled until it answers 200 (None: the process is up once it has not exited for a moment).
    health_url: str | None = None


@dataclass
class Running:
    name: str
    pid: int
    started_at_ticks: int
    log_path: str

    def is_ours(self) -> bool:
        """The PID is still the process we started (not a later one given the same number)."""
        return _start_ticks(self.pid) == self.started_at_ticks


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: [0] state, [2] process group,
    [19] start time in clock ticks since boot."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _start_ticks(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def _not_zombie(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def group_members(entry: Running) -> list[int]:
    """The live processes of the group ``entry`` leads, its leader gone or not: each in the group
    and started no earlier than the leader. Once every one of them is gone the system may give the
    group's number to another program, whose processes all started later than ours did — so a
    group is only ever signalled process by process, never with killpg on a number."""
    members = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        fields = _stat(int(proc.name))
        if (
            fields
            and fields[0] != "Z"
            and int(fields[2]) == entry.pid
            and int(fields[19]) >= entry.started_at_ticks
        ):
            members.append(int(proc.name))
    if entry.is_ours():
        return members
    # The leader's number is someone else's now: what is left of ours started before that one did.
    newcomer = _start_ticks(entry.pid)
    return [pid for pid in members if newcomer is None or (_start_ticks(pid) or 0) < newcomer]


class FleetStartFailed(RuntimeError):
    pass


@dataclass
class ProcessTable:
    """The fleet's processes as recorded in ``state_path``."""

    state_path: Path
    log_dir: Path
    running: dict[str, Running] = field(default_factory=dict)

    @classmethod
    def load(cls, state_path: Path, log_dir: Path) -> ProcessTable:
        table = cls(state_path=state_path, log_dir=log_dir)
        if state_path.exists():
            for entry in json.loads(state_path.read_text(encoding="utf-8")).get("processes", []):
                table.running[entry["name"]] = Running(**entry)
        return table

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"processes": [vars(entry) for entry in self.running.values()]}
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        temporary.replace(self.state_path)

    def alive(self, name: str) -> bool:
        entry = self.running.get(name)
        return entry is not None and entry.is_ours() and _not_zombie(entry.pid)

    def start(self, spec: ProcessSpec, *, wait_seconds: float = 90.0) -> Running:
        if self.alive(spec.name):
            raise FleetStartFailed(f"{spec.title}（{spec.name}）已在运行")
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        log_path = self.log_dir / f"{spec.name}.log"
        # Request paths and (masked) personal data: readable by the operator only.
        descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                spec.command,
                cwd=REPO_ROOT,
                env=spec.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ticks = _start_ticks(process.pid)
        entry = Running(spec.name, process.pid, ticks if ticks is not None else -1, str(log_path))
        self.running[spec.name] = entry
        self._save()
        _wait_up(spec, process, log_path, wait_seconds)
        return entry

    def kill(self, name: str) -> None:
        """SIGKILL every process of the group at once, as a machine losing power would."""
        entry = self.running.get(name)
        if entry is not None:
            _signal_all(group_members(entry), signal.SIGKILL)
            _reap_all(entry, seconds=10)

    def stop(self, name: str, *, grace_seconds: float = 20.0) -> bool:
        """SIGTERM to the group's leader (it stops its own children), SIGKILL to whatever of the
        group is left after the grace (a worker orphaned by its master's death included); False
        when nothing of it was running."""
        entry = self.running.pop(name, None)
        self._save()
        if entry is None:
            return False
        members = group_members(entry)
        if not members:
            return False
        _signal_all([entry.pid] if entry.pid in members else members, signal.SIGTERM)
        if not _reap_all(entry, seconds=grace_seconds):
            _signal_all(group_members(entry), signal.SIGKILL)
            _reap_all(entry, seconds=10)
        return True

    def stop_all(self, order: list[str]) -> list[str]:
        stopped = []
        for name in [*order, *(n for n in list(self.running) if n not in order)]:
            if self.stop(name):
                stopped.append(name)
        return stopped


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _reap_all(entry: Running, *, seconds: float) -> bool:
    """Wait until nothing of the group is left (collecting the leader when it is our child)."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(entry.pid, os.WNOHANG)
        if not group_members(entry):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_up(spec: ProcessSpec, process: subprocess.Popen[bytes], log_path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    settled_at = time.monotonic() + 1.0
    while True:
        if process.poll() is not None:
            raise FleetStartFailed(
                f"{spec.title}（{spec.name}）启动后退出，代码 {process.returncode}：\n{_log_tail(log_path)}"
            )
        if spec.health_url is None:
            if time.monotonic() >= settled_at:
                return
        elif _answers(spec.health_url):
            return
        if time.monotonic() > deadline:
            raise FleetStartFailed(
                f"{spec.title}（{spec.name}）{seconds:.0f} 秒内未就绪：\n{_log_tail(log_path)}"
            )
        time.sleep(0.2)


def _readiness_opener() -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()
    # nginx's certificate is the fleet's own; reaching it is all a readiness poll asks.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Loopback only: never through a proxy the environment may name.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )


_READINESS_OPENER = _readiness_opener()


def _answers(url: str) -> bool:
    try:
        with _READINESS_OPENER.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
