"""财务's payouts page against the live bank simulator: the list by state with the bank's answers,
and 重新驱动 of a stuck payout, which asks the bank first and never pays twice."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gjj.audit.models import AuditAction, AuditEntry
from gjj.staff.roles import StaffRole
from gjj.withdrawals import payouts
from gjj.withdrawals.models import Application, Payout, PayoutState, State
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
)
from tests.gjj.withdrawals.conftest import member as walk_of

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 8_642_050
STAFF_IP = "10.20.30.41"


@pytest.fixture
def approved(loaded, monkeypatch, settings) -> Application:  # noqa: F811
    """Zhang Wei's application approved at once (秒批), its payout pending: paid here, not by a worker."""
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)
    settings.GJJ_BANK_PAY_TIMEOUT_SECONDS = 0.5
    zhang = walk_of(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    application = zhang.final_submit(application)
    assert application.state == State.APPROVED
    return application


def _client(sign_in, account) -> Client:
    client = Client(REMOTE_ADDR=STAFF_IP)
    sign_in(client, account)
    return client


def _redrive(client: Client, serial: str) -> str:
    response = client.post(f"/backoffice/payouts/{serial}/redrive/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, serial: str) -> str:
    start = html.index(f"<td>{serial}</td>")
    return html[start : html.index("</tr>", start)]


def _successful_transfers(sims) -> list[tuple[str, int]]:
    return [(t["serial"], t["amount_fen"]) for t in sims.transfers(card_no=ZHANG_CARD) if t["result"] == 0]


def test_the_list_by_state_shows_the_banks_answers(approved, sims, staff, sign_in):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="timeout", delay_ms=1500, count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state == PayoutState.UNKNOWN
    client = _client(sign_in, staff[StaffRole.FINANCE])

    html = client.get("/backoffice/payouts/").content.decode()  # open payouts by default
    row = _row(html, payout.serial)
    assert "结果待查询" in row and "银行未返回结果，待查询" in row and "查询并重新驱动" in row
    assert "6217 **** **** 1799" in row and ZHANG_CARD not in html
    assert payout.serial not in client.get("/backoffice/payouts/?state=done").content.decode()

    _redrive(client, payout.serial)
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE and payout.bank_reference

    assert payout.serial not in client.get("/backoffice/payouts/").content.decode()
    row = _row(client.get("/backoffice/payouts/?state=done").content.decode(), payout.serial)
    assert "支付成功" in row and payout.bank_reference in row and "查询并重新驱动" not in row


def test_redrive_of_a_payout_the_bank_did_execute_settles_it_without_paying_again(
    approved, sims, staff, sign_in
):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="timeout", delay_ms=1500, count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert (payout.state, payout.attempts) == (PayoutState.UNKNOWN, 1)
    assert sims.received_fen(ZHANG_CARD) == AMOUNT  # the bank did pay; the hall does not know yet
    account = staff[StaffRole.FINANCE]
    client = _client(sign_in, account)

    page = _redrive(client, payout.serial)

    assert f"支付 {payout.serial}：支付成功" in page
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == (PayoutState.DONE, 1)  # asked, never re-sent
    approved.refresh_from_db()
    assert approved.state == State.PAID
    assert sims.received_fen(ZHANG_CARD) == AMOUNT
    assert _successful_transfers(sims) == [(payout.serial, AMOUNT)]
    entry = AuditEntry.objects.get(action=AuditAction.PAYOUT_REDRIVE)
    assert (entry.actor, entry.ip, entry.target_id) == (account.user, STAFF_IP, payout.serial)
    assert (entry.details["from_state"], entry.details["to_state"]) == (PayoutState.UNKNOWN, PayoutState.DONE)

    # Pressed again on a done payout: refused, nothing sent, and the refusal is not a redrive.
    page = _redrive(client, payout.serial)

    assert f"支付 {payout.serial} 的状态为“支付成功”，无需重新驱动" in page
    assert sims.received_fen(ZHANG_CARD) == AMOUNT
    assert AuditEntry.objects.filter(action=AuditAction.PAYOUT_REDRIVE).count() == 1


def test_redrive_of_a_payout_the_bank_never_got_sends_it_under_the_same_serial(
    approved, sims, staff, sign_in
):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="error", count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    assert payout.state in (PayoutState.SENT, PayoutState.UNKNOWN)
    assert sims.received_fen(ZHANG_CARD) == 0 and _successful_transfers(sims) == []
    account = staff[StaffRole.FINANCE]
    client = _client(sign_in, account)

    page = _redrive(client, payout.serial)

    assert f"支付 {payout.serial}：支付成功" in page
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == (PayoutState.DONE, 2)
    assert _successful_transfers(sims) == [(payout.serial, AMOUNT)]
    assert sims.received_fen(ZHANG_CARD) == AMOUNT
    entry = AuditEntry.objects.get(action=AuditAction.PAYOUT_REDRIVE)
    assert entry.actor == account.user and "银行无此流水，已按原流水号重新发送" in entry.summary


def test_redrive_with_the_bank_down_changes_nothing_and_is_still_recorded(approved, sims, staff, sign_in):
    payout = approved.payouts.get()
    sims.set_fault(system="bank", operation="pay", mode="error", count=1)
    payout = payouts.payout_execute(payout_id=payout.pk)
    state = payout.state
    sims.set_fault(system="bank", operation="query", mode="error", count=1)
    client = _client(sign_in, staff[StaffRole.FINANCE])

    _redrive(client, payout.serial)

    payout.refresh_from_db()
    assert payout.state == state and sims.received_fen(ZHANG_CARD) == 0
    entry = AuditEntry.objects.get(action=AuditAction.PAYOUT_REDRIVE)
    assert "银行系统暂时无法访问，未作任何处理" in entry.summary


@pytest.mark.parametrize("role", [StaffRole.AUDITOR, StaffRole.FIRST_REVIEWER, StaffRole.ADMIN])
def test_only_finance_may_redrive(approved, sims, staff, sign_in, role):
    payout = approved.payouts.get()
    client = _client(sign_in, staff[role])

    response = client.post(f"/backoffice/payouts/{payout.serial}/redrive/")

    assert response.status_code == 403
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == (PayoutState.PENDING, 0)
    assert sims.transfers(card_no=ZHANG_CARD) == []
    assert not AuditEntry.objects.filter(action=AuditAction.PAYOUT_REDRIVE).exists()


def test_the_auditor_reads_the_list_without_the_redrive_button(approved, staff, sign_in):
    payout = approved.payouts.get()
    client = _client(sign_in, staff[StaffRole.AUDITOR])

    response = client.get("/backoffice/payouts/?state=pending")

    assert response.status_code == 200
    html = response.content.decode()
    assert payout.serial in _row(html, payout.serial) and "查询并重新驱动" not in html
    assert re.search(r"待支付（1）", html)
    assert client.get("/backoffice/payouts/?state=bogus").status_code == 200


def test_a_get_or_an_unknown_serial_is_not_a_redrive(approved, staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FINANCE])
    payout = approved.payouts.get()

    assert client.get(f"/backoffice/payouts/{payout.serial}/redrive/").status_code == 405
    assert client.post("/backoffice/payouts/PNOSUCHSERIAL/redrive/").status_code == 404
    assert Payout.objects.get(pk=payout.pk).attempts == 0


def test_a_payout_that_stopped_being_resent_shows_as_needing_a_person_with_its_history(
    approved, sims, staff, sign_in, settings
):
    settings.GJJ_PAYOUT_MAX_ATTEMPTS = 2
    sims.set_fault(system="bank", operation="pay", mode="error", count=5)
    payout = payouts.payout_execute(payout_id=approved.payouts.get().pk)
    for _round in range(3):
        payouts.payout_reconcile(payout_id=payout.pk)
    payout.refresh_from_db()
    assert payout.needs_manual
    client = _client(sign_in, staff[StaffRole.FINANCE])

    page = client.get("/backoffice/payouts/").content.decode()
    assert "需人工处理（1）" in page
    row = _row(client.get("/backoffice/payouts/?state=manual").content.decode(), payout.serial)
    assert "需人工处理" in row and "查询并重新驱动" in row
    history = re.sub(r"<[^>]+>", " ", row[row.index("处理记录") :])
    assert "处理记录（" in row and "第 1 次发送银行" in history and "第 2 次发送银行" in history
    assert "已发送 2 次仍无结果，停止自动重发，需人工处理" in history
    assert re.search(r"\d\d-\d\d \d\d:\d\d:\d\d", history)  # when, in Shanghai time

    sims.clear_faults()
    _redrive(client, payout.serial)
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE and not payout.needs_manual
    assert "需人工处理（0）" in client.get("/backoffice/payouts/").content.decode()
    assert _successful_transfers(sims) == [(payout.serial, AMOUNT)]


def test_back_office_pages_are_never_cached(approved, staff, sign_in):
    """They carry personal data (masked, but still): no browser or proxy may keep them."""
    response = _client(sign_in, staff[StaffRole.FINANCE]).get("/backoffice/payouts/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
