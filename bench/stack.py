"""What ``make bench`` starts: the hall's whole set-up (``python -m gjj.launcher``, the code path of
``make run``) on PostgreSQL and Redis, or the production topology (``gjj.fleet``, ``--topology prod``),
and the floor (a bare Django app under the same gunicorn flags). Each is started in its own process
group(s) and stopped by them, nothing else."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gjj.fleet.topology import database_ensure, free_port, redis_flush

REPO_ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
HALL_DATABASE = "gjj_bench"
FLOOR_DATABASE = "gjj_bench_floor"
# Every load-test client comes from 127.0.0.1: the per-address limits would refuse the load test
# itself, so every limit is raised out of reach (the limits are not what is measured).
UNLIMITED = str(10**9)
THROTTLE_ENV = {
    name: UNLIMITED
    for name in (
        "GJJ_THROTTLE_HOUSE_PER_MEMBER",
        "GJJ_THROTTLE_HOUSE_PER_ADDRESS",
        "GJJ_THROTTLE_CARD_PER_MEMBER",
        "GJJ_THROTTLE_CARD_PER_ADDRESS",
        "GJJ_THROTTLE_API_PER_TOKEN",
        "GJJ_THROTTLE_API_PER_ADDRESS",
        "GJJ_THROTTLE_RECEIPT_VERIFY_PER_ADDRESS",
        # The SSO stand-in's own (its login form, per client address).
        "GOVSSO_THROTTLE_LOGINS_PER_ADDRESS",
    )
}
STARTUP_SECONDS = 600.0


def up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Started:
    """A process group this module started, with its log."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: object = field(repr=False, default=None)
    stopped: bool = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the group's leader (the launcher stops its own children), then SIGKILL to the
        group if it is still there after 30 s. Once only: the group's id is not ours afterwards."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Anything of the group left behind (a gunicorn worker orphaned by a crash).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.log is not None and not self.log.closed:  # type: ignore[attr-defined]
            self.log.close()  # type: ignore[attr-defined]


def _start(name: str, command: list[str], env: dict[str, str], log_path: Path) -> Started:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Started(name, process, log_path, log)


def _wait_up(started: Started, urls: list[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not all(up(url) for url in urls):
        if not started.alive():
            raise RuntimeError(f"{started.name} exited while starting:\n{started.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{started.name} did not come up in {seconds:.0f} s:\n{started.log_tail()}")
        time.sleep(0.3)


@dataclass
class HallStack:
    hall: str
    govsso: str
    sims: str
    env: dict[str, str]
    database_url: str
    started: Started | None = None
    # The production topology the bench started instead (a gjj.fleet.Fleet, ``--topology prod``).
    fleet: Any = None

    def gjj(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gjj.cli", *args],
            env=self.env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )

    def stop(self) -> None:
        if self.started is not None:
            self.started.stop()
        if self.fleet is not None:
            self.fleet.down()


def hall_env(var: Path, database_url: str, ports: dict[str, int]) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gjj.settings.embedded",
        "GJJ_VAR_DIR": str(var),
        "GJJ_DATABASE_URL": database_url,
        "GJJ_REDIS_URL": REDIS_URL,
        # The SSO and the simulators stand in for outside systems: SQLite files of their own.
        "SIMS_DATABASE_URL": f"sqlite:///{var / 'sims.sqlite3'}",
        "GOVSSO_DATABASE_URL": f"sqlite:///{var / 'govsso.sqlite3'}",
        "GJJ_HALL_PORT": str(ports["hall"]),
        "GJJ_GOVSSO_PORT": str(ports["govsso"]),
        "GJJ_SIMS_PORT": str(ports["sims"]),
        "GJJ_LOG_LEVEL": "WARNING",
        **THROTTLE_ENV,
    }


def hall_start(work_dir: Path, dataset: Path, progress=print) -> HallStack:  # type: ignore[no-untyped-def]
    """The hall's set-up on a fresh ``gjj_bench`` database and a flushed Redis db, importing
    ``dataset`` (the launcher imports it into the empty hall)."""
    var = work_dir / "stack"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    database_url = database_ensure(HALL_DATABASE, base=PG_BASE, fresh=True)
    redis_flush(REDIS_URL)
    ports = {"hall": free_port(), "govsso": free_port(), "sims": free_port()}
    env = hall_env(var, database_url, ports)
    stack = HallStack(
        hall=f"http://127.0.0.1:{ports['hall']}",
        govsso=f"http://127.0.0.1:{ports['govsso']}",
        sims=f"http://127.0.0.1:{ports['sims']}",
        env=env,
        database_url=database_url,
    )
    progress(f"starting the hall on {database_url} (Redis {REDIS_URL}), importing {dataset.name} …")
    stack.started = _start(
        "hall", [sys.executable, "-m", "gjj.launcher", "--dataset", str(dataset)], env, var / "stack.log"
    )
    try:
        _wait_up(stack.started, [stack.sims, stack.govsso, stack.hall], STARTUP_SECONDS)
    except BaseException:
        stack.stop()
        raise
    return stack


def hall_running(hall: str, govsso: str, dataset: Path, progress=print) -> HallStack:  # type: ignore[no-untyped-def]
    """A set-up someone else started (``--hall-url``): this process's environment points at its
    databases; the bench's members are imported into it (a seed not used on it before)."""
    for url in (hall, govsso):
        if not up(url.rstrip("/")):
            raise RuntimeError(f"{url}/health does not answer")
    env = dict(os.environ)
    stack = HallStack(hall=hall.rstrip("/"), govsso=govsso.rstrip("/"), sims="", env=env, database_url="")
    progress(f"importing {dataset.name} into the running hall at {hall} …")
    stack.gjj("import-dataset", str(dataset))
    return stack


FLEET_NAME = "bench"


def fleet_start(work_dir: Path, dataset: Path, progress=print) -> HallStack:  # type: ignore[no-untyped-def]
    """The production topology (``gjj.fleet``, what ``make prod`` runs) of its own: databases
    ``*_bench`` made anew, the bench's Redis db flushed, free ports, the rate limits raised; then
    ``dataset`` imported. ``hall`` is nginx's https address (the fleet's own certificate)."""
    from gjj.fleet.topology import Fleet, FleetConfig, Ports

    config = FleetConfig(
        name=FLEET_NAME,
        var_dir=work_dir / "fleet",
        ports=Ports.free(),
        pg_base=PG_BASE,
        redis_url=REDIS_URL,
        dataset=None,
        extra_env=THROTTLE_ENV,
    )
    fleet = Fleet(config, progress=progress)
    stack = HallStack(
        hall=config.public_url,
        govsso=config.govsso_url,
        sims=config.sims_url,
        env=fleet.env,
        database_url=config.database_url("gjj"),
        fleet=fleet,
    )
    progress(f"starting the production topology under {config.var_dir} (Redis {REDIS_URL}) …")
    try:
        fleet.up(fresh=True)
        progress(f"importing {dataset.name} …")
        imported = fleet.gjj("import-dataset", str(dataset))
        if imported.returncode != 0:
            raise RuntimeError(f"import-dataset failed:\n{(imported.stdout + imported.stderr)[-2000:]}")
    except BaseException:
        stack.stop()
        raise
    return stack


FLOOR_DIR = Path(__file__).resolve().parent / "floor"


@dataclass
class Floor:
    url: str
    database_url: str
    started: Started | None = None

    def stop(self) -> None:
        if self.started is not None:
            self.started.stop()


def floor_env(database_url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "floorsite.settings",
        "FLOOR_DATABASE_URL": database_url,
        "PYTHONPATH": str(FLOOR_DIR),
    }


def floor_start(work_dir: Path, progress=print) -> Floor:  # type: ignore[no-untyped-def]
    """The bare Django app on a fresh ``gjj_bench_floor``, under the hall's gunicorn flags."""
    from gjj.launcher import _gunicorn

    database_url = database_ensure(FLOOR_DATABASE, base=PG_BASE, fresh=True)
    env = floor_env(database_url)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=FLOOR_DIR,
        check=True,
    )
    subprocess.run([sys.executable, "-m", "django", "floor_seed"], env=env, cwd=FLOOR_DIR, check=True)
    port = free_port()
    floor = Floor(url=f"http://127.0.0.1:{port}", database_url=database_url)
    progress(f"starting the floor on {database_url} …")
    # The hall's own gunicorn command (2 workers × 4 threads, no control socket), with the access
    # log as the hall has it.
    command = _gunicorn("floorsite.wsgi", port, 2)
    floor.started = _start("floor", command, env, work_dir / "floor.log")
    try:
        _wait_up(floor.started, [floor.url], 60)
    except BaseException:
        floor.stop()
        raise
    return floor


# --- where the CPU went ---------------------------------------------------------------------------------

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
ROLES = (
    ("hall", "gjj.wsgi"),
    ("worker", "run_huey"),
    ("govsso", "govsso.wsgi"),
    ("sims", "sims.wsgi"),
    ("floor", "floorsite.wsgi"),
    ("nginx", "nginx"),
    ("s3", "moto"),
)


def _role(pid: int, pgids: set[int]) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    comm = stat.split("(", 1)[1].rsplit(")", 1)[0]
    if int(fields[2]) in pgids:  # the process group (field 5 of stat)
        for role, marker in ROLES:
            if marker in cmdline:
                return role
        return "launcher"
    if comm.startswith("postgres") or cmdline.startswith("postgres"):
        return "postgresql"
    if comm.startswith("redis-server"):
        return "redis"
    if pid == os.getpid():
        return "client"
    return None


def cpu_seconds(pgids: set[int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of each role: the processes of ``pgids`` by what they
    run, every PostgreSQL and Redis process of the machine, and this process (the load client).
    A process that exited in between is missing from the later snapshot (none should)."""
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        role = _role(pid, pgids)
        if role is None:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime and stime, with cutime and cstime: the children it waited for (PostgreSQL's backends
        # that ended, a gunicorn worker that was replaced).
        seconds = sum(int(value) for value in fields[11:15]) / _CLK_TCK
        totals[role] = totals.get(role, 0.0) + seconds
    try:
        busy = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        # user nice system idle iowait irq softirq steal: everything but idle and iowait.
        totals[MACHINE] = sum(int(v) for i, v in enumerate(busy[:8]) if i not in (3, 4)) / _CLK_TCK
    except (OSError, ValueError, IndexError):
        pass
    return totals


MACHINE = "_machine"


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds by role between two snapshots, with "other": the machine's busy time that none
    of the roles account for (someone else's work on the machine, which slows the figures)."""
    delta = {role: after.get(role, 0.0) - before.get(role, 0.0) for role in set(before) | set(after)}
    machine = delta.pop(MACHINE, None)
    if machine is not None:
        delta["other"] = max(0.0, machine - sum(delta.values()))
    return {role: round(seconds, 2) for role, seconds in sorted(delta.items())}


ROLE_ORDER = (
    "hall",
    "floor",
    "nginx",
    "worker",
    "postgresql",
    "redis",
    "govsso",
    "sims",
    "s3",
    "launcher",
    "client",
    "other",
)


def roles_ordered(roles: set[str] | list[str]) -> list[str]:
    """Roles in the report's order (the server first, the client and "other" last)."""
    return sorted(roles, key=lambda role: (ROLE_ORDER.index(role) if role in ROLE_ORDER else 99, role))
