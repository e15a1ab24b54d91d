"""离退休提取 pays the whole balance and closes the account (销户) when the bank confirms
(gjj.withdrawals.payouts, gjj.members.services.fund_account_close): 韩梅 of data/sample-reasons.json,
approved by a reviewer, paid through the live bank simulator. A deposit booked after the approval
leaves money in the account: it is paid what was approved and stays open for 柜面, and says so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import gjj.policy
from gjj.audit.models import AuditAction, AuditEntry
from gjj.members.models import AccountStatus, FundAccount, LedgerEntry, LedgerEntryKind, Person
from gjj.members.selectors import ledger_inconsistencies
from gjj.members.services import fund_account_close, ledger_post
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.withdrawals import payouts, services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.models import Application, Channel, Notification, PayoutState, State
from gjj.withdrawals.receipts import receipt_content
from tests.gjj.withdrawals.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)

HAN_MEI, HAN_BANK, HAN_CARD, HAN_PHONE = "210102196503150524", "CCB", "6217006362656765957", "13804001013"
HAN_BALANCE = 15_630_025  # 156,300.25 元, a sealed account
DEPOSIT = 240_000  # one month's 2,400.00 元, booked after the approval
CLOSED_SMS = "您的住房公积金个人账户已销户"


@pytest.fixture
def no_instant_approval(settings, tmp_path):
    """The centre switches 秒批 off: a reviewer approves."""
    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    assert "instant_approval = true" in text
    custom = tmp_path / "policy.toml"
    custom.write_text(text.replace("instant_approval = true", "instant_approval = false"), encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(custom)


@pytest.fixture
def no_auto_payout(monkeypatch):
    """The worker does not pay after commit: the test sends the payout itself."""
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)


@pytest.fixture
def approved(loaded_reasons, no_instant_approval, no_auto_payout, reviewers) -> Application:
    """韩梅's 离退休提取 of her whole balance, approved by the 初审 reviewer, not yet paid."""
    person = Person.objects.select_related("account").get(id_number=HAN_MEI)
    actor = Actor.member(person, channel=Channel.WECHAT)
    application = services.application_start(person=person, actor=actor, reason="retirement")
    services.application_update_draft(application=application, actor=actor, bank=HAN_BANK, card_no=HAN_CARD)
    services.application_accept_declaration(
        application=application,
        actor=actor,
        version=declaration_for(active_policy(), application.reason).version,
        client_ip="127.0.0.1",
        user_agent="pytest",
    )
    application = services.application_submit(application=application, actor=actor)
    for kind in services.required_material_kinds(application):
        services.material_upload(
            application=application, kind=kind, name=f"{kind}.jpg", data=jpeg_bytes(), actor=actor
        )
    application = services.application_final_submit(application=application, actor=actor)
    assert application.state == State.SUBMITTED and application.amount_fen == HAN_BALANCE
    first, _ = reviewers
    services.application_claim(application=application, reviewer=first)
    application = services.application_approve(application=application, reviewer=first, reason="材料齐全")
    assert application.state == State.APPROVED
    account = FundAccount.objects.get(person=person)
    assert (account.status, account.balance_fen, account.frozen_fen) == (
        AccountStatus.SEALED,
        HAN_BALANCE,
        HAN_BALANCE,
    )
    return application


def _pay(application: Application) -> Application:
    payout = payouts.payout_execute(payout_id=application.payouts.get().pk)
    assert payout.state == PayoutState.DONE
    application.refresh_from_db()
    assert application.state == State.PAID
    return application


def _paid_transition_reason(application: Application) -> str:
    return application.transitions.get(to_state=State.PAID).reason


def _paid_sms(application: Application) -> str:
    """The SMS of the payment (已到账): the application's last message."""
    last = Notification.objects.filter(application=application).order_by("pk").last()
    assert last is not None and "已转入" in last.text
    return last.text


def test_the_whole_balance_paid_closes_the_account(approved, sims):
    application = _pay(approved)

    account = FundAccount.objects.get(person__id_number=HAN_MEI)
    assert account.status == AccountStatus.CLOSED
    assert account.closed_at is not None and account.closed_at >= application.paid_at
    assert account.closure_reason.startswith(f"离退休提取 {application.business_no}")
    assert "一次提取全部余额" in account.closure_reason
    assert (account.balance_fen, account.frozen_fen) == (0, 0)
    audited = AuditEntry.objects.get(action=AuditAction.ACCOUNT_CLOSE)
    assert (audited.target_type, audited.target_id) == ("fund_account", account.account_no)
    assert "销户（原状态：封存）" in audited.summary and application.business_no in audited.summary

    reason = _paid_transition_reason(application)
    assert reason.startswith("银行支付成功，银行流水号 ")
    assert reason.endswith("；已一次提取全部余额，个人账户已销户")


def test_the_ledger_has_one_withdrawal_of_the_whole_balance(approved, sims):
    application = _pay(approved)

    account = FundAccount.objects.get(person__id_number=HAN_MEI)
    withdrawals = LedgerEntry.objects.filter(account=account, kind=LedgerEntryKind.WITHDRAWAL)
    assert [(e.amount_fen, e.balance_after_fen, e.memo) for e in withdrawals] == [
        (-HAN_BALANCE, 0, f"离退休提取 {application.business_no}")
    ]
    payout = application.payouts.get()
    assert withdrawals.get().reference == payout.serial
    transfers = sims.transfers(card_no=HAN_CARD)
    assert [(t["serial"], t["amount_fen"], t["result"], t["memo"]) for t in transfers] == [
        (payout.serial, HAN_BALANCE, 0, f"住房公积金离退休提取 {application.business_no}")
    ]
    assert ledger_inconsistencies() == []


def test_the_paid_sms_says_the_account_is_closed(approved, sims):
    application = _pay(approved)

    text = _paid_sms(application)
    assert "离退休提取款156,300.25 元已转入" in text
    assert CLOSED_SMS in text
    assert "购房提取" not in text
    assert text in [message["text"] for message in sims.outbox(HAN_PHONE)]  # and it was sent
    # Only the payment's message says so.
    texts = [n.text for n in Notification.objects.filter(application=application)]
    assert len(texts) == 3 and [t for t in texts if CLOSED_SMS in t] == [text]


def test_the_receipt_of_a_closed_account_says_so(approved, sims):
    application = _pay(approved)

    rows = dict(receipt_content(application=application).rows)
    assert rows["提取原因"] == "离退休提取"
    assert rows["账户状态"] == "已销户"
    assert "房屋坐落" not in rows


def test_a_deposit_after_the_approval_keeps_the_account_open(approved, sims, caplog):
    account = FundAccount.objects.get(person__id_number=HAN_MEI)
    ledger_post(
        account=account, kind=LedgerEntryKind.DEPOSIT, amount_fen=DEPOSIT, reference="HJ202611", memo="汇缴"
    )

    with caplog.at_level(logging.ERROR, logger="gjj.withdrawals.payouts"):
        application = _pay(approved)

    account.refresh_from_db()
    assert account.status == AccountStatus.SEALED  # as it was: not closed
    assert account.closed_at is None and account.closure_reason == ""
    assert (account.balance_fen, account.frozen_fen) == (DEPOSIT, 0)
    withdrawal = LedgerEntry.objects.get(account=account, kind=LedgerEntryKind.WITHDRAWAL)
    assert withdrawal.amount_fen == -HAN_BALANCE  # what was approved, not the later deposit

    reason = _paid_transition_reason(application)
    assert reason.endswith("；账户支付后仍有余额，未销户，待柜面处理")
    assert "已销户" not in reason
    assert any(
        application.business_no in r.getMessage() and "未销户" in r.getMessage() for r in caplog.records
    )

    text = _paid_sms(application)
    assert "离退休提取款" in text and "销户" not in text
    rows = dict(receipt_content(application=application).rows)
    assert "账户状态" not in rows
    assert ledger_inconsistencies() == []


def test_closing_is_idempotent_and_refuses_an_account_with_money(loaded_reasons):
    account = FundAccount.objects.get(person__id_number=HAN_MEI)

    assert fund_account_close(account_id=account.pk, reason="测试") is False
    account.refresh_from_db()
    assert account.status == AccountStatus.SEALED and account.closed_at is None

    ledger_post(account=account, kind=LedgerEntryKind.ADJUSTMENT, amount_fen=-HAN_BALANCE, memo="测试清零")
    assert fund_account_close(account_id=account.pk, reason="离退休提取 测试") is True
    account.refresh_from_db()
    closed_at = account.closed_at
    assert account.status == AccountStatus.CLOSED and closed_at is not None

    assert fund_account_close(account_id=account.pk, reason="再次") is True
    account.refresh_from_db()
    assert (account.closed_at, account.closure_reason) == (closed_at, "离退休提取 测试")
    # Closed once, recorded once; the refusal recorded nothing.
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_CLOSE).count() == 1


def test_a_rent_payout_never_closes_the_account(loaded_reasons, no_auto_payout, sims):
    """Only a reason that closes the account does: 曹阳's rent leaves his account open."""
    person = Person.objects.select_related("account").get(id_number="210104199609090351")
    actor = Actor.member(person, channel=Channel.WEB)
    application = services.application_start(person=person, actor=actor, reason="rent")
    services.application_update_draft(
        application=application, actor=actor, bank="ICBC", card_no="6222022952745110411"
    )
    services.application_accept_declaration(
        application=application,
        actor=actor,
        version=declaration_for(active_policy(), application.reason).version,
        client_ip="127.0.0.1",
        user_agent="pytest",
    )
    application = services.application_submit(application=application, actor=actor)
    for kind in services.required_material_kinds(application):
        services.material_upload(
            application=application, kind=kind, name=f"{kind}.jpg", data=jpeg_bytes(), actor=actor
        )
    application = services.application_final_submit(application=application, actor=actor)
    assert application.state == State.APPROVED

    application = _pay(application)

    account = FundAccount.objects.get(person=person)
    assert account.status == AccountStatus.NORMAL and account.closed_at is None
    assert "销户" not in _paid_transition_reason(application)
    assert "销户" not in _paid_sms(application)
