"""Reads of reconciliation for the back office's pages and the CSV export.

Card numbers are stored masked, so nothing here can hand out a full one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from gjj.core.money import fen_to_yuan
from gjj.reconciliation.matching import BUCKET_ORDER, RESULT_LABELS, Bucket
from gjj.reconciliation.models import StatementImport, StatementLine

CSV_HEADER = (
    "对账日期",
    "行号",
    "支付流水号",
    "卡号",
    "银行金额",
    "中心金额",
    "银行结果",
    "银行流水号",
    "核对结果",
    "说明",
)
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class BucketGroup:
    bucket: Bucket
    label: str
    count: int
    bank_total_fen: int  # the statement's amounts of these rows
    hall_total_fen: int  # the hall's amounts of these rows
    lines: list[StatementLine]


@dataclass(frozen=True)
class Report:
    statement_import: StatementImport
    groups: list[BucketGroup]  # every bucket, in BUCKET_ORDER, empty ones included

    @property
    def problem_count(self) -> int:
        return sum(group.count for group in self.groups if group.bucket != Bucket.MATCHED)

    @property
    def row_count(self) -> int:
        return sum(group.count for group in self.groups)


def statement_imports(*, limit: int = 60) -> list[StatementImport]:
    """The latest imports, newest first, each with its bucket counts (stored on the import) and
    ``is_current``: whether it is the newest import of its day."""
    # Imports of a day are numbered in the order they were taken, so "newest" is the highest id.
    newer = StatementImport.objects.filter(day=OuterRef("day"), id__gt=OuterRef("id"))
    return list(
        StatementImport.objects.select_related("imported_by")
        .annotate(is_current=~Exists(newer))
        .order_by("-imported_at", "-id")[:limit]
    )


def statement_current(*, day: dt.date) -> StatementImport | None:
    """The day's current report: its latest import."""
    return StatementImport.objects.select_related("imported_by").filter(day=day).order_by("-id").first()


def _lines(statement_import: StatementImport) -> QuerySet[StatementLine]:
    return (
        StatementLine.objects.filter(statement_import=statement_import)
        .select_related("payout")
        .order_by("line_no", "id")
    )


def statement_report(*, statement_import: StatementImport) -> Report:
    """The import's rows grouped by bucket in ``BUCKET_ORDER`` with counts and fen totals; within a
    group, statement lines in file order, then the payouts missing from it."""
    by_bucket: dict[str, list[StatementLine]] = {bucket.value: [] for bucket in BUCKET_ORDER}
    missing: list[StatementLine] = []
    for line in _lines(statement_import):
        (missing if line.line_no is None else by_bucket[line.bucket]).append(line)
    by_bucket[Bucket.MISSING_AT_BANK.value].extend(missing)
    groups = [
        BucketGroup(
            bucket=bucket,
            label=bucket.label,
            count=len(by_bucket[bucket.value]),
            bank_total_fen=sum(line.amount_fen or 0 for line in by_bucket[bucket.value]),
            hall_total_fen=sum(line.hall_amount_fen or 0 for line in by_bucket[bucket.value]),
            lines=by_bucket[bucket.value],
        )
        for bucket in BUCKET_ORDER
    ]
    return Report(statement_import=statement_import, groups=groups)


def statement_report_csv(*, statement_import: StatementImport) -> str:
    """The report as CSV for a spreadsheet: Chinese header, amounts in 元 with two decimals, cards
    masked, and no cell a spreadsheet would run as a formula."""
    report = statement_report(statement_import=statement_import)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    day = statement_import.day.isoformat()
    for group in report.groups:
        for line in group.lines:
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        day,
                        "" if line.line_no is None else str(line.line_no),
                        line.serial,
                        line.card_no,
                        "" if line.amount_fen is None else fen_to_yuan(line.amount_fen),
                        "" if line.hall_amount_fen is None else fen_to_yuan(line.hall_amount_fen),
                        RESULT_LABELS.get(line.result, line.result),
                        line.bank_reference,
                        group.label,
                        line.note,
                    )
                ]
            )
    return out.getvalue()


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
