"""The whole system live on loopback for browser tests: `python -m gjj.launcher` (the code path of
`make run`) with every process on free ports, its own data directory, and the hall's database on
the engine of the current run (a throw-away PostgreSQL database in the PostgreSQL run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gjj.fleet.topology import free_port
from tests.support.sims import REPO_ROOT, SAMPLE_DATASET

STARTUP_TIMEOUT_SECONDS = 120.0


@dataclass
class LiveStack:
    hall: str
    govsso: str
    sims: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def outbox(self, phone: str) -> list[dict[str, Any]]:
        import requests

        response = requests.get(f"{self.sims}/sms/outbox", params={"phone": phone}, timeout=10)
        response.raise_for_status()
        return response.json()

    def gjj(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `gjj` command against this stack's databases and outside systems."""
        finished = self.gjj_unchecked(*args)
        finished.check_returncode()
        return finished

    def gjj_unchecked(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``gjj`` as above, whatever its exit status."""
        return subprocess.run(
            [sys.executable, "-m", "gjj.cli", *args],
            env=self.env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _hall_database_url(run_url: str) -> tuple[str, str | None]:
    """The live hall's database: a file for SQLite runs, a new database for PostgreSQL runs."""
    if run_url.startswith("postgres"):
        name = f"gjj_live_{uuid.uuid4().hex[:10]}"
        base = run_url.rsplit("/", 1)[0]
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"{base}/{name}", name
    return "", None


def _drop_database(run_url: str, name: str) -> None:
    import psycopg

    base = run_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    var = tmp_path_factory.mktemp("live-stack")
    ports = {"hall": free_port(), "govsso": free_port(), "sims": free_port()}
    # The shipped policy, but with four eyes from 100,000 元: 杨磊's 120,500.80 then goes to staff
    # review (and 张伟's 86,420.50 is still approved at once).
    import gjj.policy

    policy_text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    assert 'four_eyes_threshold = "200000.00"' in policy_text
    policy_file = var / "policy.toml"
    policy_file.write_text(
        policy_text.replace('four_eyes_threshold = "200000.00"', 'four_eyes_threshold = "100000.00"'),
        encoding="utf-8",
    )
    run_url = os.environ.get("GJJ_DATABASE_URL", "")
    hall_db, created_db = _hall_database_url(run_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gjj.settings.embedded",
        "GJJ_VAR_DIR": str(var),
        "GJJ_DATABASE_URL": hall_db,
        "SIMS_DATABASE_URL": f"sqlite:///{var / 'sims.sqlite3'}",
        "GOVSSO_DATABASE_URL": f"sqlite:///{var / 'govsso.sqlite3'}",
        "GJJ_HALL_PORT": str(ports["hall"]),
        "GJJ_GOVSSO_PORT": str(ports["govsso"]),
        "GJJ_SIMS_PORT": str(ports["sims"]),
        "GJJ_RECONCILE_AFTER_SECONDS": "5",
        "GJJ_POLICY_FILE": str(policy_file),
        # Not the embedded token: the WeChat stand-in signs with what the launcher gives it as the
        # account's 服务器配置 (the hall's callback URL and token).
        "GJJ_WECHAT_TOKEN": f"live-stack-wechat-{uuid.uuid4().hex[:12]}",
    }
    stack = LiveStack(
        hall=f"http://127.0.0.1:{ports['hall']}",
        govsso=f"http://127.0.0.1:{ports['govsso']}",
        sims=f"http://127.0.0.1:{ports['sims']}",
        env=env,
        log_path=var / "stack.log",
    )
    log = stack.log_path.open("wb")
    stack.process = subprocess.Popen(
        [sys.executable, "-m", "gjj.launcher", "--dataset", str(SAMPLE_DATASET)],
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not all(_up(url) for url in (stack.sims, stack.govsso, stack.hall)):
            if stack.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"系统未能启动：\n{stack.log_tail()}")
            time.sleep(0.25)
        yield stack
        # After every browser flow of the session: what was stored and paid is what was checked,
        # and every balance is the sum of its ledger entries.
        invariant_failures = [
            f"gjj {command}:\n{finished.stdout}{finished.stderr}"
            for command in ("check-applications", "check-ledger")
            if (finished := stack.gjj_unchecked(command)).returncode != 0
        ]
        if invariant_failures:
            pytest.fail("\n".join(invariant_failures))
    finally:
        if stack.process.poll() is None:
            stack.process.send_signal(signal.SIGTERM)
            try:
                stack.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stack.process.pid, signal.SIGKILL)
        log.close()
        if created_db:
            _drop_database(run_url, created_db)
