"""The real simulator process for tests: gunicorn serving ``sims.wsgi`` on a free loopback port,
with its own temporary SQLite database.

Fixtures:

- ``live_sims`` (session): the running simulator, a ``LiveSims``.
- ``sims`` (function): the same, reset (no faults, transfers or messages), with the hall's
  settings pointed at it; faults are cleared again afterwards.
- ``sample_dataset``: the parsed ``shared/data/sample-dataset.json`` (skipped when absent).
- ``sample_sims``: ``sims`` with the sample dataset's houses and bank accounts loaded.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from gjj.fleet.topology import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
# The shared sample beside the repository when it is there; otherwise the repository's own
# byte-identical copy (data/named-members.json, checked against the shared one when both exist).
_SHARED_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "sample-dataset.json"
SAMPLE_DATASET = _SHARED_SAMPLE if _SHARED_SAMPLE.is_file() else REPO_ROOT / "data" / "named-members.json"

STARTUP_TIMEOUT_SECONDS = 30.0
CONTROL_TIMEOUT_SECONDS = 30.0


class SimsError(AssertionError):
    """The simulator refused a control request (a bug in the test or in the simulator)."""


class LiveSims:
    """A handle on a running simulator process: its URL and its control endpoints."""

    def __init__(self, *, url: str, process: subprocess.Popen, log_path: Path) -> None:
        self.url = url
        self.process = process
        self.log_path = log_path
        self._http = requests.Session()

    # Control ---------------------------------------------------------------------------------

    def load_dataset(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/_control/dataset", body=doc)

    def set_fault(self, **rule: Any) -> dict[str, Any]:
        """E.g. ``set_fault(system="bank", operation="pay", mode="timeout", delay_ms=2000)``."""
        return self._call("POST", "/_control/faults", body=rule)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_control/faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "/_control/faults")

    def reset(self) -> None:
        self._call("POST", "/_control/reset")

    # Inspection ------------------------------------------------------------------------------

    def outbox(self, phone: str) -> list[dict[str, Any]]:
        return self._call("GET", "/sms/outbox", params={"phone": phone})

    def transfers(self, card_no: str) -> list[dict[str, Any]]:
        return self._call("GET", "/bank/transfers", params={"card_no": card_no})

    def pay_directly(
        self, *, serial: str, card_no: str, amount_fen: int, holder_name: str, bank: str = "CCB"
    ) -> dict[str, Any]:
        """A transfer executed at the bank as if the hall's request had reached it (and the hall
        had then lost track of it)."""
        return self._call(
            "POST",
            "/bank/transfers",
            body={
                "serial": serial,
                "card_no": card_no,
                "bank": bank,
                "holder_name": holder_name,
                "amount_fen": amount_fen,
            },
        )

    def received_fen(self, card_no: str) -> int:
        """What the card has received in total from completed transfers."""
        return self._call("GET", f"/bank/cards/{card_no}")["received_fen"]

    def log_tail(self) -> str:
        """The end of the server's log, to explain a failure."""
        return _log_tail(self.log_path)

    def _call(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None) -> Any:
        response = self._http.request(
            method,
            f"{self.url}{path}",
            params=params,
            data=None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            timeout=CONTROL_TIMEOUT_SECONDS,
        )
        if response.status_code >= 300:
            raise SimsError(f"{method} {path} → HTTP {response.status_code}: {response.text[:2000]}")
        return response.json()


def _sims_environment(tmp_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sims.settings",
            "SIMS_SETTINGS_MODULE": "sims.settings",
            "SIMS_DATABASE_URL": f"sqlite:///{tmp_dir / 'sims.sqlite3'}",
            "GJJ_VAR_DIR": str(tmp_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _wait_until_ready(*, url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"模拟器进程已退出（返回码 {process.returncode}）：\n{_log_tail(log_path)}")
        try:
            if requests.get(f"{url}/health", timeout=1).json() == {"status": "ok", "service": "sims"}:
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)  # polling readiness, bounded by the deadline
    raise RuntimeError(f"模拟器 {STARTUP_TIMEOUT_SECONDS:.0f} 秒内未就绪：\n{_log_tail(log_path)}")


def _log_tail(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-4000:]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers on TERM
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_sims(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSims]:
    tmp_dir = tmp_path_factory.mktemp("sims")
    env = _sims_environment(tmp_dir)
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--settings=sims.settings", "--noinput", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if migrate.returncode != 0:
        raise RuntimeError(f"模拟器数据库迁移失败：\n{migrate.stdout}\n{migrate.stderr}")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_dir / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--no-control-socket",
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                # Requests that sleep for a "timeout" fault must not hold up the end of the session.
                "--graceful-timeout",
                "3",
                "--timeout",
                "120",
                "sims.wsgi:application",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(url=url, process=process, log_path=log_path)
        yield LiveSims(url=url, process=process, log_path=log_path)
    finally:
        _stop(process)


@pytest.fixture
def sims(live_sims: LiveSims, settings: Any) -> Iterator[LiveSims]:
    live_sims.reset()
    settings.GJJ_REGISTRY_URL = f"{live_sims.url}/registry"
    settings.GJJ_BANK_URL = f"{live_sims.url}/bank"
    settings.GJJ_SMS_URL = f"{live_sims.url}/sms"
    yield live_sims
    # A fault left behind would hit the next test that uses live_sims without reset().
    live_sims.clear_faults()


@functools.cache
def _sample_dataset_text() -> str:
    return SAMPLE_DATASET.read_text(encoding="utf-8")


@pytest.fixture
def sample_dataset() -> dict[str, Any]:
    """A fresh parse each time, so a test may change its copy freely."""
    if not SAMPLE_DATASET.is_file():
        pytest.fail(f"找不到示例数据集 {SAMPLE_DATASET}")
    return json.loads(_sample_dataset_text())


@pytest.fixture
def sample_sims(sims: LiveSims, sample_dataset: dict[str, Any]) -> LiveSims:
    """``sims`` with the sample dataset's houses and bank accounts loaded (idempotent, cheap)."""
    sims.load_dataset(sample_dataset)
    return sims
