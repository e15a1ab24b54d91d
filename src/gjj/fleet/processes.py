"""Starting, killing and stopping the fleet's processes, each in a process group of its own.

What was started is written to ``fleet.json`` (name, PID, and the process's start time from
/proc, so that a PID the system has since given to another program is never signalled): ``down``
stops exactly those groups, from any shell, and nothing else."""

from __future__ import annotations

import contextlib
import json
import os
import signal
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
    # A hall instance or a worker: what a chaos run may kill.
    killable: bool = False
    cwd: Path = REPO_ROOT


@dataclass
class Running:
    name: str
    pid: int
    started_at_ticks: int
    log_path: str

    def is_ours(self) -> bool:
        """The PID is still the process we started (not a later one given the same number)."""
        return _start_ticks(self.pid) == self.started_at_ticks


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime


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
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{spec.name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                spec.command,
                cwd=spec.cwd,
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
        """SIGKILL the whole group at once, as a machine losing power would."""
        entry = self.running.get(name)
        if entry is None or not entry.is_ours():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(entry.pid, signal.SIGKILL)
        _reap(entry.pid, seconds=10)

    def stop(self, name: str, *, grace_seconds: float = 20.0) -> bool:
        """SIGTERM to the group, SIGKILL after the grace; False when it was not running."""
        entry = self.running.pop(name, None)
        self._save()
        if entry is None or not entry.is_ours():
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(entry.pid, signal.SIGTERM)
        if not _reap(entry.pid, seconds=grace_seconds):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(entry.pid, signal.SIGKILL)
            _reap(entry.pid, seconds=10)
        # Anything of the group left behind (a gunicorn worker orphaned by its master's death).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(entry.pid, signal.SIGKILL)
        return True

    def stop_all(self, order: list[str]) -> list[str]:
        stopped = []
        for name in [*order, *(n for n in list(self.running) if n not in order)]:
            if self.stop(name):
                stopped.append(name)
        return stopped


def _not_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _reap(pid: int, *, seconds: float) -> bool:
    """Wait until ``pid`` is gone (collecting it when it is our child); True when it went."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished == pid:
                return True
        if not _not_zombie(pid):
            return True
        time.sleep(0.05)
    return False


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


def _answers(url: str) -> bool:
    import ssl

    context = ssl.create_default_context()
    # nginx's certificate is the fleet's own; reaching it is all this asks.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
