"""Reads of the audit log: search, CSV export and the chain check."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gjj.audit.hashing import GENESIS_HASH, entry_hash
from gjj.audit.models import AuditAction, AuditEntry, AuditHead
from gjj.core.timeutil import SHANGHAI, to_shanghai


def audit_search(
    *,
    text: str = "",
    action: str = "",
    actor: str = "",
    target: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Newest first. Dates are Shanghai calendar days, both ends included."""
    entries = AuditEntry.objects.select_related("actor").order_by("-seq")
    text, actor, target = text.strip(), actor.strip(), target.strip()
    if text:
        entries = entries.filter(
            Q(summary__icontains=text) | Q(target_id__icontains=text) | Q(actor_label__icontains=text)
        )
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(Q(actor_label__icontains=actor) | Q(actor__username=actor))
    if target:
        entries = entries.filter(Q(target_id__icontains=target) | Q(target_type=target))
    if date_from is not None:
        entries = entries.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=SHANGHAI))
    if date_to is not None:
        day_after = date_to + dt.timedelta(days=1)
        entries = entries.filter(at__lt=dt.datetime.combine(day_after, dt.time.min, tzinfo=SHANGHAI))
    return entries


CSV_HEADER = ("序号", "时间", "操作人", "操作", "对象类型", "对象", "摘要", "IP", "客户端", "哈希")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _action_label(action: str) -> str:
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV, times in Asia/Shanghai. Masks nothing itself: summaries are masked when
    recorded. No byte-order mark: the view that serves the file decides the encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    entry.seq,
                    f"{to_shanghai(entry.at):%Y-%m-%d %H:%M:%S}",
                    entry.actor_label,
                    _action_label(entry.action),
                    entry.target_type,
                    entry.target_id,
                    entry.summary,
                    entry.ip,
                    entry.user_agent,
                    entry.hash,
                )
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class AuditProblem:
    seq: int | None  # the entry the problem names; None for the chain's head
    message: str

    def __str__(self) -> str:
        return self.message


def _missing(first: int, last: int, *, before: int, after: int) -> str:
    which = f"第 {first} 条" if first == last else f"第 {first}–{last} 条"
    if before == 0:
        return f"{which}审计记录缺失（记录从第 {after} 条开始）"
    return f"{which}审计记录缺失（第 {before} 条之后是第 {after} 条）"


def audit_chain_check(*, batch_size: int = 2000) -> list[AuditProblem]:
    """Recompute every hash and check every link, the numbering and the head. Reads in batches,
    so the whole log is never in memory."""
    # The head is read first: entries appended while the walk runs lie beyond it and are not
    # mistaken for a head that fell behind.
    head_at_start = AuditHead.objects.filter(pk=1).first()
    problems: list[AuditProblem] = []
    expected_seq, expected_prev = 1, GENESIS_HASH
    last_seq, last_hash, count = 0, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        count += 1
        gap = entry.seq != expected_seq
        if gap:
            problems.append(
                AuditProblem(
                    entry.seq - 1,
                    _missing(expected_seq, entry.seq - 1, before=expected_seq - 1, after=entry.seq),
                )
            )
        if entry_hash(prev_hash=entry.prev_hash, fields=entry.hashed_fields()) != entry.hash:
            problems.append(AuditProblem(entry.seq, f"第 {entry.seq} 条审计记录的内容被修改（哈希不符）"))
        elif not gap and entry.prev_hash != expected_prev:
            # The entry itself is intact but does not follow its predecessor: the one before was
            # rewritten with a freshly computed hash, or this one was re-linked.
            problems.append(
                AuditProblem(
                    entry.seq,
                    f"第 {entry.seq} 条审计记录与第 {entry.seq - 1} 条衔接不上（前一哈希不符），第 {entry.seq - 1} 条可能被改写",
                )
            )
        expected_seq, expected_prev = entry.seq + 1, entry.hash
        last_seq, last_hash = entry.seq, entry.hash
    problems.extend(_head_problems(head_at_start, last_seq=last_seq, last_hash=last_hash, count=count))
    return problems


def _head_problems(
    head: AuditHead | None, *, last_seq: int, last_hash: str, count: int
) -> list[AuditProblem]:
    if head is None or last_seq > head.last_seq:
        head = AuditHead.objects.filter(pk=1).first()  # appends may have happened during the walk
    if head is None:
        if count:
            return [AuditProblem(None, f"审计链头缺失：记录到第 {last_seq} 条，但链头记录不存在")]
        return []
    if head.last_seq > last_seq:
        missing = head.last_seq - last_seq
        return [
            AuditProblem(
                head.last_seq,
                f"最后 {missing} 条审计记录缺失：记录到第 {last_seq} 条，链头为第 {head.last_seq} 条",
            )
        ]
    if head.last_seq < last_seq:
        return [AuditProblem(None, f"审计链头被改动：记录到第 {last_seq} 条，链头却为第 {head.last_seq} 条")]
    if head.last_hash != last_hash:
        return [AuditProblem(last_seq, f"审计链头的哈希与第 {last_seq} 条审计记录不符")]
    return []


def audit_entry_count() -> int:
    return AuditEntry.objects.count()
