"""Paying approved withdrawals through the bank, exactly once.

The payout row and its serial are written in the approving transaction, before the bank is ever
called. The serial is the bank's idempotency key: an unknown outcome (a timeout, a lost answer,
"processing") is settled by asking the bank about that serial, and a payout is only ever re-sent
under the same serial, never a new one."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gjj.clients.bank import (
    BankOutcomeUnknown,
    BankUnavailable,
    TransferResult,
    TransferStatus,
    get_bank_client,
)
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.members.services import hold_consume, hold_place, hold_release
from gjj.withdrawals import notifications
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.models import OPEN_PAYOUT_STATES, Application, Payout, PayoutState, State

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def payout_prepare(*, application: Application) -> Payout:
    """In the approving transaction: a new payout with a fixed serial, and its amount frozen."""
    if application.amount_fen is None:
        raise ValueError("an approved application has an amount")
    number = application.payouts.count() + 1
    payout = Payout.objects.create(
        application=application,
        serial=f"P{application.business_no}{number:02d}",
        bank=application.bank,
        card_no=application.card_no,
        holder_name=application.person.name,
        amount_fen=application.amount_fen,
        created_at=timezone.now(),
    )
    hold_place(account=application.account, amount_fen=payout.amount_fen, reference=payout.serial)
    return payout


def payout_enqueue_after_commit(payout: Payout) -> None:
    from gjj.withdrawals import tasks

    transaction.on_commit(lambda: tasks.execute_payout(payout.pk))


def payout_execute(*, payout_id: int) -> Payout:
    """Send a pending payout to the bank (or re-send a sent one the bank never heard of, under the
    same serial), then settle it by the bank's answer."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("application").get(pk=payout_id)
        if payout.state not in (PayoutState.PENDING, PayoutState.SENT):
            return payout
        application = Application.objects.select_for_update().get(pk=payout.application_id)
        if application.state == State.APPROVED:
            from gjj.withdrawals.services import _transition

            _transition(
                application=application,
                to_state=State.PAYING,
                actor=Actor.system("支付"),
                reason=f"发送银行支付，支付流水号 {payout.serial}",
            )
        payout.state = PayoutState.SENT
        payout.attempts += 1
        payout.last_attempt_at = timezone.now()
        payout.save(update_fields=["state", "attempts", "last_attempt_at"])
    try:
        result = get_bank_client().pay(
            serial=payout.serial,
            card_no=payout.card_no,
            bank=payout.bank,
            holder_name=payout.holder_name,
            amount_fen=payout.amount_fen,
            memo=f"住房公积金购房提取 {application.business_no}",
        )
    except BankOutcomeUnknown:
        logger.warning("支付 %s 结果未知，待查询", payout.serial)
        return _mark(payout, PayoutState.UNKNOWN, "银行未返回结果，待查询")
    except BankUnavailable:
        # The request did not reach the bank: it stays "sent" and the reconciler asks, then re-sends
        # under the same serial only if the bank has never heard of it.
        logger.warning("支付 %s 发送失败，待重试", payout.serial)
        return _mark(payout, PayoutState.SENT, "银行系统暂时无法访问，待重试")
    return payout_settle(payout_id=payout.pk, result=result)


def _mark(payout: Payout, state: str, message: str) -> Payout:
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        if locked.state in (PayoutState.DONE, PayoutState.FAILED):
            return locked
        locked.state, locked.bank_message = state, message
        locked.save(update_fields=["state", "bank_message"])
        return locked


def payout_settle(*, payout_id: int, result: TransferResult) -> Payout:
    """Apply the bank's answer. Done → the ledger is debited and the freeze consumed; failed → the
    freeze is released and the application awaits another card; processing → ask again later.
    Settling an already settled payout changes nothing (duplicate answers are harmless)."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.state in (PayoutState.DONE, PayoutState.FAILED):
            return payout
        application = (
            Application.objects.select_for_update().select_related("person").get(pk=payout.application_id)
        )
        from gjj.withdrawals.services import _transition

        payout.bank_reference = result.bank_reference or payout.bank_reference
        payout.bank_message = (result.message or "")[:300]
        if result.status == TransferStatus.PROCESSING:
            payout.state = PayoutState.PROCESSING
            payout.save(update_fields=["state", "bank_reference", "bank_message"])
            return payout
        now = timezone.now()
        if result.status == TransferStatus.DONE:
            hold_consume(reference=payout.serial, memo=f"购房提取 {application.business_no}")
            payout.state, payout.completed_at = PayoutState.DONE, now
            payout.save(update_fields=["state", "completed_at", "bank_reference", "bank_message"])
            application.paid_at = now
            application.save(update_fields=["paid_at", "updated_at"])
            _transition(
                application=application,
                to_state=State.PAID,
                actor=Actor.system("银行"),
                reason=f"银行支付成功，银行流水号 {payout.bank_reference}",
            )
            notifications.notify(application=application, event="paid")
        else:
            hold_release(reference=payout.serial)
            payout.state, payout.completed_at = PayoutState.FAILED, now
            payout.save(update_fields=["state", "completed_at", "bank_reference", "bank_message"])
            _transition(
                application=application,
                to_state=State.PAYOUT_FAILED,
                actor=Actor.system("银行"),
                reason=f"银行支付失败：{result.message or '未说明原因'}；冻结资金已解冻",
            )
            notifications.notify(application=application, event="payout_failed")
        return payout


@dataclass(frozen=True)
class BankCheck:
    """What asking the bank about an open payout led to."""

    payout: Payout
    outcome: str  # settled | resent | waiting | unavailable
    result: TransferResult | None = None


def _settle_by_bank_query(payout: Payout) -> BankCheck:
    """Ask the bank about the serial and act on the answer: settle it; re-send under the same serial
    if the bank never heard of it; keep waiting if the bank once said it was processing it."""
    try:
        result = get_bank_client().query_transfer(serial=payout.serial)
    except BankUnavailable:
        logger.warning("查询支付 %s 失败，稍后再查", payout.serial)
        return BankCheck(payout=payout, outcome="unavailable")
    if result is None:
        if payout.state == PayoutState.PROCESSING:
            return BankCheck(payout=payout, outcome="waiting")  # the bank said it had it: never re-send
        # The bank has never heard of this serial: the request never arrived. Re-send, same serial.
        _mark(payout, PayoutState.SENT, "银行未收到支付请求，按原流水号重新发送")
        return BankCheck(payout=payout_execute(payout_id=payout.pk), outcome="resent")
    return BankCheck(
        payout=payout_settle(payout_id=payout.pk, result=result), outcome="settled", result=result
    )


def payout_reconcile(*, payout_id: int) -> Payout:
    """Settle one payout whose outcome is open by asking the bank about its serial."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.state == PayoutState.PENDING:
        return payout_execute(payout_id=payout.pk)
    if payout.state not in (PayoutState.SENT, PayoutState.PROCESSING, PayoutState.UNKNOWN):
        return payout
    return _settle_by_bank_query(payout).payout


def payouts_reconcile(*, now: dt.datetime | None = None) -> int:
    """Re-drive every payout stuck longer than GJJ_RECONCILE_AFTER_SECONDS: pending ones whose
    enqueue was lost (a crash between commit and enqueue), and sent/processing/unknown ones whose
    result is open. Returns how many were looked at."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.GJJ_RECONCILE_AFTER_SECONDS)
    stuck = list(
        Payout.objects.filter(
            state__in=[PayoutState.PENDING, PayoutState.SENT, PayoutState.PROCESSING, PayoutState.UNKNOWN]
        )
        .filter(created_at__lt=cutoff)
        .exclude(last_attempt_at__gte=cutoff)
        .values_list("pk", flat=True)
    )
    for payout_id in stuck:
        try:
            payout_reconcile(payout_id=payout_id)
        except Exception:
            logger.exception("对账处理支付 %s 出错", payout_id)
    return len(stuck)


class PayoutNotOpen(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def payout_redrive(*, payout: Payout, operator: User, origin: Origin = NO_ORIGIN) -> Payout:
    """财务's 重新驱动 of a stuck payout: the bank is asked about the serial first, its answer settles the
    payout, and only a serial the bank has never heard of is sent again, under the same serial. A
    payout can therefore never be paid twice, however often this is pressed."""
    from gjj.audit.models import AuditAction
    from gjj.audit.services import audit_record

    before = Payout.objects.select_related("application").get(pk=payout.pk)
    if before.state not in OPEN_PAYOUT_STATES:
        raise PayoutNotOpen(f"支付 {before.serial} 的状态为“{before.get_state_display()}”，无需重新驱动")
    check = _settle_by_bank_query(before)
    after = check.payout
    if check.outcome == "unavailable":
        result_text = "银行系统暂时无法访问，未作任何处理"
    elif check.outcome == "waiting":
        result_text = "银行曾答复处理中，现查无结果，不重新发送，稍后再查"
    elif check.outcome == "resent":
        result_text = f"银行无此流水，已按原流水号重新发送，结果：{after.get_state_display()}"
    else:
        assert check.result is not None
        result_text = f"银行查询结果：{check.result.status.label}，支付状态：{after.get_state_display()}"
    audit_record(
        action=AuditAction.PAYOUT_REDRIVE,
        summary=f"重新驱动支付 {before.serial}（{before.application.business_no}）：{result_text}",
        actor=operator,
        target_type="payout",
        target_id=before.serial,
        ip=origin.ip,
        user_agent=origin.user_agent,
        details={"from_state": before.state, "to_state": after.state, "bank_message": after.bank_message},
    )
    return after
