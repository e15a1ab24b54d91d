"""Paying approved withdrawals through the bank, exactly once, and to an end.

The payout row and its serial are written in the approving transaction, before the bank is ever
called. The serial is the bank's idempotency key: an unknown outcome (a timeout, a lost answer,
"processing") is settled by asking the bank about that serial, and a payout is only ever re-sent
under the same serial, never a new one — and only after the bank, asked first, said it never heard
of it. A sender holds a lease on the payout while its request is out, so no other worker, reconciler
round or 重新驱动 sends it meanwhile. A refusal by the bank is final (the payout fails, the hold is
released, the member may name another card); a payout that keeps getting no answer stops being
re-sent after GJJ_PAYOUT_MAX_ATTEMPTS sends and shows as 需人工处理 to 财务."""

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
    BankRefused,
    BankUnavailable,
    TransferResult,
    TransferStatus,
    get_bank_client,
)
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.members.services import fund_account_close, hold_consume, hold_place, hold_release
from gjj.policy.active import active_policy
from gjj.policy.reasons import reason_for
from gjj.policy.rules import reason_short_name
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.lifecycle import application_transition
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


def approval_grant(*, application: Application, actor: Actor, reason: str, instant: bool = False) -> Payout:
    """Freeze the amount and fix the payout (with its serial) in the approving transaction; the
    worker pays after commit, and the reconciler pays if that enqueue is ever lost."""
    payout = payout_prepare(application=application)
    application.decided_at = timezone.now()
    application.instant_approved = instant
    application.decision_reason = reason[:500]
    application.save(update_fields=["decided_at", "instant_approved", "decision_reason", "updated_at"])
    application_transition(application=application, to_state=State.APPROVED, actor=actor, reason=reason)
    payout_enqueue_after_commit(payout)
    return payout


def payout_enqueue_after_commit(payout: Payout) -> None:
    from gjj.withdrawals import tasks

    transaction.on_commit(lambda: tasks.execute_payout(payout.pk))


def _note(payout: Payout, event: str, message: str) -> None:
    """Add to the payout's history (the caller saves ``history``)."""
    entry = {"at": timezone.now().isoformat(timespec="seconds"), "event": event, "message": message[:300]}
    payout.history = [*payout.history, entry]


def _leased(payout: Payout) -> bool:
    return payout.send_lease_until is not None and payout.send_lease_until > timezone.now()


def payout_execute(
    *, payout_id: int, bank_never_saw_it: bool = False, past_attempt_limit: bool = False
) -> Payout:
    """Send a pending payout to the bank and settle it by the answer. A payout already sent is
    never sent again from here without asking the bank first; it is re-sent (same serial) only when
    the bank said it never heard of it (``bank_never_saw_it``), no other sender holds its lease, and
    it has been sent fewer than GJJ_PAYOUT_MAX_ATTEMPTS times (``past_attempt_limit``: 财务 decided)."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("application").get(pk=payout_id)
        if payout.state not in (PayoutState.PENDING, PayoutState.SENT):
            return payout
        ask_the_bank_first = payout.state == PayoutState.SENT and not bank_never_saw_it
        if not ask_the_bank_first:
            if _leased(payout):
                return payout  # another sender's request is out: its answer settles the payout
            if payout.attempts >= settings.GJJ_PAYOUT_MAX_ATTEMPTS and not past_attempt_limit:
                if not payout.needs_manual:
                    payout.needs_manual = True
                    _note(payout, "manual", f"已发送 {payout.attempts} 次仍无结果，停止自动重发，需人工处理")
                    payout.save(update_fields=["needs_manual", "history"])
                    logger.error("支付 %s 已发送 %s 次仍无结果，需人工处理", payout.serial, payout.attempts)
                return payout
            application = Application.objects.select_for_update().get(pk=payout.application_id)
            if application.state == State.APPROVED:
                application_transition(
                    application=application,
                    to_state=State.PAYING,
                    actor=Actor.system("支付"),
                    reason=f"发送银行支付，支付流水号 {payout.serial}",
                )
            now = timezone.now()
            payout.state = PayoutState.SENT
            payout.attempts += 1
            payout.last_attempt_at = now
            payout.send_lease_until = now + dt.timedelta(seconds=settings.GJJ_PAYOUT_LEASE_SECONDS)
            _note(payout, "send", f"第 {payout.attempts} 次发送银行")
            payout.save(update_fields=["state", "attempts", "last_attempt_at", "send_lease_until", "history"])
    if ask_the_bank_first:
        return _settle_by_bank_query(payout, past_attempt_limit=past_attempt_limit).payout
    try:
        result = get_bank_client().pay(
            serial=payout.serial,
            card_no=payout.card_no,
            bank=payout.bank,
            holder_name=payout.holder_name,
            amount_fen=payout.amount_fen,
            memo=f"住房公积金{payout_memo(payout.application)}",
        )
    except BankRefused as exc:
        logger.warning("支付 %s 被银行拒绝：%s", payout.serial, exc)
        refusal = TransferResult(
            serial=payout.serial, status=TransferStatus.FAILED, bank_reference="", message=str(exc)
        )
        return payout_settle(payout_id=payout.pk, result=refusal)
    except BankOutcomeUnknown:
        logger.warning("支付 %s 结果未知，待查询", payout.serial)
        return _mark(payout, PayoutState.UNKNOWN, "银行未返回结果，待查询", end_lease=True)
    except BankUnavailable:
        # The request did not reach the bank: it stays "sent" and the reconciler asks, then re-sends
        # under the same serial only if the bank has never heard of it.
        logger.warning("支付 %s 发送失败，待重试", payout.serial)
        return _mark(payout, PayoutState.SENT, "银行系统暂时无法访问，待重试", end_lease=True)
    return payout_settle(payout_id=payout.pk, result=result)


def _mark(payout: Payout, state: str, message: str, *, end_lease: bool) -> Payout:
    """``end_lease``: the sender marks its own request's end; a reader that only asked the bank
    leaves another sender's lease alone."""
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        if locked.state in (PayoutState.DONE, PayoutState.FAILED):
            return locked
        locked.state, locked.bank_message = state, message
        fields = ["state", "bank_message", "history"]
        if end_lease:
            locked.send_lease_until = None
            fields.append("send_lease_until")
        _note(locked, f"state_{state}", message)
        locked.save(update_fields=fields)
        return locked


def payout_memo(application: Application) -> str:
    """What the bank transfer and the ledger entry say: the reason and the business number."""
    return f"{reason_short_name(active_policy(), application.reason)} {application.business_no}"


def _account_closure(application: Application) -> str:
    """销户 once the whole balance is paid (离退休提取); the words added to the 已到账 record."""
    closed = fund_account_close(
        account_id=application.account_id,
        reason=f"{payout_memo(application)} 支付成功，一次提取全部余额",
    )
    if closed:
        return "；已一次提取全部余额，个人账户已销户"
    logger.error("申请 %s 支付后账户仍有余额或冻结，未销户，需柜面处理", application.business_no)
    return "；账户支付后仍有余额，未销户，待柜面处理"


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
        payout.bank_reference = result.bank_reference or payout.bank_reference
        payout.bank_message = (result.message or "")[:300]
        payout.send_lease_until = None  # the bank has answered for the serial
        _note(
            payout,
            f"bank_{result.status.name.lower()}",
            f"银行答复：{result.status.label}。{payout.bank_message}",
        )
        answered = ["bank_reference", "bank_message", "send_lease_until", "history"]
        if result.status == TransferStatus.PROCESSING:
            payout.state = PayoutState.PROCESSING
            payout.save(update_fields=["state", *answered])
            return payout
        now = timezone.now()
        if result.status == TransferStatus.DONE:
            hold_consume(reference=payout.serial, memo=payout_memo(application))
            payout.state, payout.completed_at, payout.needs_manual = PayoutState.DONE, now, False
            payout.save(update_fields=["state", "completed_at", "needs_manual", *answered])
            application.paid_at = now
            application.save(update_fields=["paid_at", "updated_at"])
            paid_reason = f"银行支付成功，银行流水号 {payout.bank_reference}"
            if reason_for(application.reason).closes_account:
                paid_reason += _account_closure(application)
            application_transition(
                application=application, to_state=State.PAID, actor=Actor.system("银行"), reason=paid_reason
            )
        else:
            hold_release(reference=payout.serial)
            payout.state, payout.completed_at, payout.needs_manual = PayoutState.FAILED, now, False
            payout.save(update_fields=["state", "completed_at", "needs_manual", *answered])
            application_transition(
                application=application,
                to_state=State.PAYOUT_FAILED,
                actor=Actor.system("银行"),
                reason=f"银行支付失败：{result.message or '未说明原因'}；冻结资金已解冻",
            )
        return payout


@dataclass(frozen=True)
class BankCheck:
    """What asking the bank about an open payout led to."""

    payout: Payout
    outcome: str  # settled | resent | waiting | unavailable | in_flight | manual
    result: TransferResult | None = None


def _settle_by_bank_query(payout: Payout, *, past_attempt_limit: bool = False) -> BankCheck:
    """Ask the bank about the serial and act on the answer: settle it; re-send under the same serial
    if the bank never heard of it; keep waiting if the bank once said it was processing it. A payout
    whose sender still holds the lease is left to that sender."""
    if _leased(payout):
        return BankCheck(payout=payout, outcome="in_flight")
    try:
        result = get_bank_client().query_transfer(serial=payout.serial)
    except BankUnavailable:
        logger.warning("查询支付 %s 失败，稍后再查", payout.serial)
        return BankCheck(payout=payout, outcome="unavailable")
    if result is None:
        if payout.state == PayoutState.PROCESSING:
            return BankCheck(payout=payout, outcome="waiting")  # the bank said it had it: never re-send
        if payout.needs_manual and not past_attempt_limit:
            return BankCheck(payout=payout, outcome="manual")  # no more sends until 财务 decides
        # The bank has never heard of this serial: the request never arrived. Re-send, same serial
        # (payout_execute checks the lease and the attempt limit again, under the lock).
        _mark(payout, PayoutState.SENT, "银行未收到支付请求，按原流水号重新发送", end_lease=False)
        resent = payout_execute(
            payout_id=payout.pk, bank_never_saw_it=True, past_attempt_limit=past_attempt_limit
        )
        return BankCheck(payout=resent, outcome="resent")
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
    # 财务 decides to go on past the attempt limit; the bank is still asked first.
    check = _settle_by_bank_query(before, past_attempt_limit=True)
    after = check.payout
    if check.outcome == "in_flight":
        result_text = "该笔支付正在发送中，未重复发送，稍后再查"
    elif check.outcome == "unavailable":
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
