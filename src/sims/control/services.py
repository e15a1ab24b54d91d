"""Writes of the control app: fault rules, resetting the simulator, loading a dataset."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sims.bank.models import BankAccount, Transfer
from sims.bank.services import bank_accounts_upsert
from sims.control.dataset import parse_dataset
from sims.control.models import (
    MIXED_MODES,
    OPERATIONS_BY_SYSTEM,
    SHARE_SCALE,
    FaultMode,
    FaultRule,
    Operation,
)
from sims.registry.services import HouseNumberConflict, houses_upsert
from sims.sms.models import SmsMessage

# A "timeout" (also one drawn by a "mixed" rule) without a delay must still outlast any sane
# client timeout.
DEFAULT_TIMEOUT_DELAY_MS = 15_000
# Beyond this a sleeping request would outlive the server's own worker timeout.
MAX_DELAY_MS = 110_000


class FaultRuleInvalid(ValueError):
    """A fault rule that makes no sense; the message says why, in Chinese."""


@dataclass(frozen=True)
class FaultDecision:
    """What to do to this one call. ``mode`` is never "mixed": a mixed rule's decision carries the
    mode drawn for this call, so whoever applies it needs to know only the concrete modes."""

    mode: str
    delay_ms: int


def fault_install(
    *,
    system: str,
    operation: str,
    mode: str,
    share: float | int | str = 1,
    count: int | None = None,
    delay_ms: int = 0,
) -> FaultRule:
    """Install (or replace) the rule for one operation of one system.

    A "mixed" rule hits its share of calls with error, timeout, drop_response, duplicate or (pay
    only) processing, see ``fault_take``; its ``delay_ms`` is both how long a timeout holds the
    answer back and how long a late (processing) transfer takes to settle.
    """
    if operation not in OPERATIONS_BY_SYSTEM.get(system, ()):
        raise FaultRuleInvalid(f"系统 {system!r} 没有操作 {operation!r}")
    if mode not in FaultMode.values:
        raise FaultRuleInvalid(f"未知的故障方式 {mode!r}")
    if mode == FaultMode.PROCESSING and operation != Operation.PAY:
        raise FaultRuleInvalid("“processing”只适用于银行转账（bank/pay）")
    share_ppm = _share_ppm(share)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise FaultRuleInvalid("count 应为正整数或 null")
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int) or not 0 <= delay_ms <= MAX_DELAY_MS:
        raise FaultRuleInvalid(f"delay_ms 应为 0 到 {MAX_DELAY_MS} 之间的整数")
    if mode in (FaultMode.TIMEOUT, FaultMode.MIXED) and delay_ms == 0:
        delay_ms = DEFAULT_TIMEOUT_DELAY_MS

    with transaction.atomic():
        FaultRule.objects.filter(system=system, operation=operation).delete()
        return FaultRule.objects.create(
            system=system,
            operation=operation,
            mode=mode,
            share_ppm=share_ppm,
            max_applications=count,
            delay_ms=delay_ms,
            created_at=timezone.now(),
        )


def faults_clear() -> int:
    deleted, _ = FaultRule.objects.all().delete()
    return deleted


def fault_take(*, system: str, operation: str) -> FaultDecision | None:
    """Count one call of ``system.operation`` and say whether a fault hits it.

    With share s, call n (counted from 1) is hit when ceil(n·s) > ceil((n−1)·s): share 1 hits every
    call, 0.5 calls 1, 3, 5…, 0.25 calls 1, 5, 9…; deterministic, so tests are too. The count
    limits how many calls are hit in all. A "mixed" rule then draws the mode of its k-th hit with
    ``_mixed_mode``, as deterministic. Counting happens under a row lock, so several worker
    processes share one sequence.
    """
    # Most calls run without any rule: answer them without taking the write lock.
    if not FaultRule.objects.filter(system=system, operation=operation).exists():
        return None
    with transaction.atomic():
        rule = FaultRule.objects.select_for_update().filter(system=system, operation=operation).first()
        if rule is None or rule.exhausted:
            return None
        rule.calls_seen += 1
        hit = _ceil_div(rule.calls_seen * rule.share_ppm, SHARE_SCALE) > _ceil_div(
            (rule.calls_seen - 1) * rule.share_ppm, SHARE_SCALE
        )
        mode = rule.mode
        if hit:
            rule.times_applied += 1
            if mode == FaultMode.MIXED:
                mode = _mixed_mode(operation=operation, hit=rule.times_applied)
            # A new dict, so the JSON field is saved whole; the row lock keeps the counts exact.
            rule.applied_by_mode = {**rule.applied_by_mode, mode: rule.applied_by_mode.get(mode, 0) + 1}
        rule.save(update_fields=["calls_seen", "times_applied", "applied_by_mode"])
    return FaultDecision(mode=mode, delay_ms=rule.delay_ms) if hit else None


def _mixed_mode(*, operation: str, hit: int) -> str:
    """The concrete mode of a "mixed" rule's ``hit``-th hit (counted from 1).

    Hits are dealt in rounds holding each kind once, every round in its own scrambled order: the
    kinds follow no pattern a caller could lean on, every kind turns up in every round (so each
    one occurs in a short run, and in equal shares over whole rounds), and the same hit always
    gets the same kind, so a run can be repeated exactly. A hash rather than ``random`` keeps the
    order the same on every Python version.
    """
    kinds = (
        MIXED_MODES
        if operation == Operation.PAY
        else tuple(m for m in MIXED_MODES if m != FaultMode.PROCESSING)
    )
    round_no, position = divmod(hit - 1, len(kinds))
    dealt = sorted(kinds, key=lambda kind: hashlib.sha256(f"mixed:{round_no}:{kind}".encode()).digest())
    return dealt[position]


@transaction.atomic
def simulator_reset() -> dict[str, int]:
    """Forget faults, transfers and sent messages, and zero what cards received. Houses and bank
    accounts stay: they are the loaded dataset."""
    faults, _ = FaultRule.objects.all().delete()
    transfers, _ = Transfer.objects.all().delete()
    messages, _ = SmsMessage.objects.all().delete()
    BankAccount.objects.exclude(received_fen=0).update(received_fen=0)
    return {"faults": faults, "transfers": transfers, "sms": messages}


class DatasetRejected(Exception):
    """The document cannot be loaded; ``problems`` lists every path and reason, nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:50]
        more = f"\n……另有 {len(problems) - len(shown)} 处问题" if len(problems) > len(shown) else ""
        super().__init__("数据集格式不正确，未写入任何数据：\n" + "\n".join(shown) + more)


def dataset_load(*, document: Any) -> dict[str, dict[str, int]]:
    """Load a gjj-dataset/1 document's houses and bank accounts, in one transaction, idempotently."""
    parsed = parse_dataset(document)
    if parsed.problems:
        raise DatasetRejected(parsed.problems)
    try:
        with transaction.atomic():
            houses = houses_upsert(rows=parsed.houses)
            accounts = bank_accounts_upsert(rows=parsed.bank_accounts)
    except HouseNumberConflict as exc:
        raise DatasetRejected([str(exc)]) from exc
    return {"houses": houses.as_dict(), "bank_accounts": accounts.as_dict()}


def _share_ppm(share: float | int | str) -> int:
    if isinstance(share, bool):
        raise FaultRuleInvalid("share 应为 0 到 1 之间的数")
    try:
        # Through the decimal text, so 0.1 means exactly one call in ten.
        value = Decimal(str(share))
    except ArithmeticError as exc:
        raise FaultRuleInvalid("share 应为 0 到 1 之间的数") from exc
    if not value.is_finite() or not 0 < value <= 1:
        raise FaultRuleInvalid("share 应大于 0 且不大于 1")
    return int((value * SHARE_SCALE).to_integral_value())


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)
