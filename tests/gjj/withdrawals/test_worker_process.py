"""The real worker process (Huey consumer) pays an approved application: the hall enqueues after
commit into an on-disk queue, the consumer runs in its own process against the same database and
the live bank simulator."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from gjj.members.selectors import ledger_inconsistencies
from gjj.withdrawals.models import Application, State
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_HOUSE, ZHANG_WEI, member

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
        return f"postgres://{user}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def worker(tmp_path, monkeypatch, sims):
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    queue_file = tmp_path / "huey.sqlite3"
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", SqliteStorage(name="gjj", filename=str(queue_file)))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gjj.settings.embedded",
        "GJJ_VAR_DIR": str(tmp_path),
        "GJJ_DATABASE_URL": _database_url(),
        "GJJ_REGISTRY_URL": f"{sims.url}/registry",
        "GJJ_BANK_URL": f"{sims.url}/bank",
        "GJJ_SMS_URL": f"{sims.url}/sms",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gjj.cli", "run_huey", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[3],
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _wait_for_state(application: Application, state: str, *, process, seconds: float = 90) -> Application:
    """Bounded, generous: the worker process starts Django and its consumer first (slow on a loaded
    two-core machine); this is not a speed check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        application.refresh_from_db()
        if application.state == state:
            return application
        assert process.poll() is None, "the worker process died"
        time.sleep(0.1)
    raise AssertionError(f"still {application.state} after {seconds}s, expected {state}")


def test_the_worker_process_pays_an_instantly_approved_application(loaded, sims, worker):
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    application = zhang.final_submit(application)
    assert application.state == State.APPROVED  # the hall only enqueued: the worker pays

    application = _wait_for_state(application, State.PAID, process=worker)
    assert sims.received_fen(ZHANG_CARD) == application.amount_fen
    assert ledger_inconsistencies() == []
    deadline = time.monotonic() + 90
    while len(sims.outbox("13804001001")) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sims.outbox("13804001001")) == 3  # submitted, approved, paid: sent by the worker
