"""Writes of reconciliation: importing the bank's daily statement and recording how each line
compares with the hall's payouts.

Re-importing a day: a different file for a day already imported is taken as a new import, which
becomes the day's current report (the earlier ones stay as history); the very same file again
(same SHA-256 for the same day) is refused with ``StatementAlreadyImported``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record
from gjj.clients.bank import get_bank_client
from gjj.core.masking import mask_card_number
from gjj.core.origin import NO_ORIGIN, Origin
from gjj.core.timeutil import SHANGHAI
from gjj.reconciliation.matching import (
    Bucket,
    Classified,
    HallPayout,
    statement_classify,
    statement_parse,
)
from gjj.reconciliation.models import SOURCE_BANK, StatementImport, StatementLine
from gjj.withdrawals.models import Payout, PayoutState

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Stays well under SQLite's limit on query parameters for ``serial__in``.
_CHUNK = 900


class StatementRejected(Exception):
    """The statement was refused whole and nothing was written; ``problems`` name each fault in
    Chinese (line number and field)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        self.message = "对账单未导入：" + "；".join(self.problems)
        super().__init__(self.message)


class StatementAlreadyImported(StatementRejected):
    """The same file was already imported for that day."""

    def __init__(self, *, existing: StatementImport) -> None:
        self.existing = existing
        at = existing.imported_at.astimezone(SHANGHAI)
        super().__init__(
            [
                f"{existing.day.isoformat()} 的这份对账单已于 {at:%Y-%m-%d %H:%M} 导入过，内容完全相同，无需重复导入"
            ]
        )


def statement_import(
    *, day: dt.date, content: bytes, source: str, actor: User | None, origin: Origin = NO_ORIGIN
) -> StatementImport:
    """Parse, reconcile and record one statement file of ``day``. A file with any problem raises
    ``StatementRejected`` and writes nothing; otherwise the import and all its lines are written
    in one transaction."""
    parsed = statement_parse(content, day=day)
    if parsed.problems:
        raise StatementRejected(parsed.problems)
    sha256 = hashlib.sha256(content).hexdigest()
    source = (source or "").strip()[:200] or "upload"
    try:
        with transaction.atomic():
            existing = StatementImport.objects.filter(day=day, sha256=sha256).first()
            if existing is not None:
                raise StatementAlreadyImported(existing=existing)
            serials = {line.serial for line in parsed.lines}
            paid_that_day = _hall_paid_on(day=day)
            payouts_by_serial = _hall_payouts(serials=serials)
            classified = statement_classify(
                lines=parsed.lines, payouts_by_serial=payouts_by_serial, paid_that_day=paid_that_day
            )
            statement = _record(
                day=day,
                sha256=sha256,
                source=source,
                actor=actor,
                line_count=len(parsed.lines),
                classified=classified,
                hall_paid_fen=sum(payout.amount_fen for payout in paid_that_day),
            )
            audit_record(
                action=AuditAction.STATEMENT_IMPORT,
                summary=f"导入 {day.isoformat()} 对账单（{'银行下载' if statement.is_from_bank else source}）："
                f"{statement.line_count} 行，{statement.problem_count} 项差异",
                actor=actor,
                actor_label="" if actor else "后台任务",
                target_type="statement",
                target_id=str(statement.pk),
                ip=origin.ip,
                user_agent=origin.user_agent,
                details={"day": day.isoformat(), "sha256": sha256},
            )
    except IntegrityError as exc:
        # The same file imported concurrently: the unique (day, sha256) let exactly one commit.
        winner = StatementImport.objects.filter(day=day, sha256=sha256).first()
        if winner is None:
            raise
        raise StatementAlreadyImported(existing=winner) from exc
    logger.info(
        "导入 %s 对账单（%s）：%s 行，%s 项需核查",
        day.isoformat(),
        source,
        statement.line_count,
        statement.problem_count,
    )
    return statement


def statement_fetch_and_import(
    *, day: dt.date, actor: User | None, origin: Origin = NO_ORIGIN
) -> StatementImport:
    """Fetch ``day``'s statement from the bank and import it. Raises ``BankUnavailable`` when the
    bank cannot give it, ``StatementRejected`` when the file is refused."""
    content = get_bank_client().daily_statement(day=day)
    return statement_import(day=day, content=content, source=SOURCE_BANK, actor=actor, origin=origin)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=1)


def _hall_payout(payout: Payout) -> HallPayout:
    return HallPayout(
        payout_id=payout.pk,
        serial=payout.serial,
        amount_fen=payout.amount_fen,
        state=payout.state,
        completed_at=payout.completed_at,
    )


_PAYOUT_FIELDS = ("pk", "serial", "amount_fen", "state", "completed_at")


def _hall_paid_on(*, day: dt.date) -> list[HallPayout]:
    """The payouts the hall learned on ``day`` were paid — but for those already on an earlier
    imported statement of another day: the bank completed them before midnight and the hall heard
    after (a lost answer settled by asking, a late result). The bank's day is the statement's; such
    a payout is matched there, not missing from this one. (Statements are imported day after day,
    as the morning task does; imported out of order, the later day shows it missing until the
    earlier day's statement is in.)"""
    start, end = _day_bounds(day)
    on_another_statement = StatementLine.objects.filter(
        serial=OuterRef("serial"), line_no__isnull=False
    ).exclude(statement_import__day=day)
    paid = (
        Payout.objects.filter(state=PayoutState.DONE, completed_at__gte=start, completed_at__lt=end)
        .exclude(Exists(on_another_statement))
        .only(*_PAYOUT_FIELDS)
    )
    return [_hall_payout(payout) for payout in paid.iterator()]


def _hall_payouts(*, serials: Iterable[str]) -> dict[str, HallPayout]:
    found: dict[str, HallPayout] = {}
    for chunk in _chunked(sorted(serials)):
        for payout in Payout.objects.filter(serial__in=chunk).only(*_PAYOUT_FIELDS):
            found[payout.serial] = _hall_payout(payout)
    return found


def _chunked(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _record(
    *,
    day: dt.date,
    sha256: str,
    source: str,
    actor: User | None,
    line_count: int,
    classified: list[Classified],
    hall_paid_fen: int,
) -> StatementImport:
    counts = Counter(row.bucket for row in classified)
    bank_done_fen = sum(row.line.amount_fen for row in classified if row.line and row.line.result == "done")
    bank_failed_fen = sum(
        row.line.amount_fen for row in classified if row.line and row.line.result == "failed"
    )
    statement = StatementImport.objects.create(
        day=day,
        source=source,
        sha256=sha256,
        imported_by=actor,
        imported_at=timezone.now(),
        line_count=line_count,
        bank_done_fen=bank_done_fen,
        bank_failed_fen=bank_failed_fen,
        hall_paid_fen=hall_paid_fen,
        **{f"{bucket.value}_count": counts.get(bucket, 0) for bucket in Bucket},
    )
    StatementLine.objects.bulk_create(
        (_line(statement, row) for row in classified),
        batch_size=1000,
    )
    return statement


def _line(statement: StatementImport, row: Classified) -> StatementLine:
    line, payout = row.line, row.payout
    return StatementLine(
        statement_import=statement,
        line_no=line.line_no if line else None,
        serial=line.serial if line else (payout.serial if payout else ""),
        card_no=mask_card_number(line.card_no) if line else "",
        amount_fen=line.amount_fen if line else None,
        result=line.result if line else "",
        bank_reference=line.bank_reference if line else "",
        bucket=row.bucket,
        payout_id=payout.payout_id if payout else None,
        hall_amount_fen=payout.amount_fen if payout else None,
        note=row.note[:300],
    )
