"""A real payout through the live bank simulator, then that day's statement fetched from the bank
and reconciled; and the morning task when the bank is down."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from gjj.core.timeutil import today_shanghai
from gjj.reconciliation import services, tasks
from gjj.reconciliation.matching import Bucket
from gjj.reconciliation.models import StatementImport
from gjj.withdrawals import payouts
from gjj.withdrawals.models import PayoutState, State
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
    member,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid(loaded, monkeypatch):  # noqa: F811
    # Paid here, synchronously, rather than by the worker after commit.
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)
    zhang = member(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    application = zhang.final_submit(application)
    assert application.state == State.APPROVED
    payout = payouts.payout_execute(payout_id=application.payouts.get().pk)
    assert payout.state == PayoutState.DONE
    return payout


def test_a_real_payout_is_matched_on_that_days_statement_from_the_bank(paid):
    statement = services.statement_fetch_and_import(day=today_shanghai(), actor=None)

    assert (statement.source, statement.line_count, statement.problem_count) == ("bank", 1, 0)
    line = statement.lines.get()
    assert (line.bucket, line.payout, line.serial, line.amount_fen, line.bank_reference) == (
        Bucket.MATCHED,
        paid,
        paid.serial,
        paid.amount_fen,
        paid.bank_reference,
    )
    assert line.card_no == "6217 **** **** 1799"


def test_the_morning_task_imports_yesterdays_statement(paid, monkeypatch):
    # Run "tomorrow morning", so that yesterday is the day the payout was made.
    monkeypatch.setattr(tasks, "today_shanghai", lambda: today_shanghai() + dt.timedelta(days=1))

    tasks.import_yesterdays_statement()
    tasks.import_yesterdays_statement()  # a second run finds the same file and leaves it be

    statement = StatementImport.objects.get()
    assert statement.day == today_shanghai() and statement.matched_count == 1


def test_the_morning_task_logs_rather_than_raises_when_the_bank_is_down(sims, settings, caplog):
    settings.GJJ_BANK_URL = f"{sims.url}/no-such-bank"

    with caplog.at_level(logging.WARNING, logger="gjj.reconciliation.tasks"):
        tasks.import_yesterdays_statement()

    assert StatementImport.objects.count() == 0
    assert any("对账单获取失败" in record.getMessage() for record in caplog.records)
