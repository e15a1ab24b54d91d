"""The bank's daily statement (对账单): reading the file and deciding, line by line, whether it
agrees with the hall's payouts. Pure functions over plain data, no database: the services feed
them what they read, which keeps every rule testable on its own.

The statement file (see ``gjj.clients.bank``) is CSV with the header
``date,serial,card_no,amount_fen,result,bank_reference``; the serial is the payout's serial, the
bank's idempotency key, so it is what a line is matched on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db import models

from gjj.core.money import format_yuan
from gjj.core.timeutil import to_shanghai

STATEMENT_HEADER = ("date", "serial", "card_no", "amount_fen", "result", "bank_reference")
RESULTS = ("done", "failed")
RESULT_LABELS = {"done": "成功", "failed": "失败"}
MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 200_000
# A statement full of errors is refused whole; naming the first hundred is enough to fix the file.
MAX_PROBLEMS = 100

# The hall's payout states (gjj.withdrawals.models.PayoutState), repeated here as plain strings so
# that this module needs no model.
_HALL_DONE = "done"
_HALL_FAILED = "failed"
_HALL_STATE_LABELS = {
    "pending": "待支付",
    "sent": "已发送银行",
    "processing": "银行处理中",
    "unknown": "结果待查询",
    "done": "支付成功",
    "failed": "支付失败",
}


class Bucket(models.TextChoices):
    MATCHED = "matched", "已核对一致"
    MISSING_AT_BANK = "missing_at_bank", "银行缺失"
    UNKNOWN_TO_HALL = "unknown_to_hall", "中心无记录"
    AMOUNT_MISMATCH = "amount_mismatch", "金额不符"
    DUPLICATE = "duplicate", "重复记录"
    RESULT_MISMATCH = "result_mismatch", "结果不符"


# The order of a report: what needs someone's attention first, what agrees last.
BUCKET_ORDER: tuple[Bucket, ...] = (
    Bucket.RESULT_MISMATCH,
    Bucket.AMOUNT_MISMATCH,
    Bucket.MISSING_AT_BANK,
    Bucket.UNKNOWN_TO_HALL,
    Bucket.DUPLICATE,
    Bucket.MATCHED,
)


@dataclass(frozen=True)
class StatementRow:
    """One line of the bank's file; ``line_no`` counts the header as line 1."""

    line_no: int
    day: dt.date
    serial: str
    card_no: str
    amount_fen: int
    result: str  # "done" | "failed"
    bank_reference: str


@dataclass(frozen=True)
class ParsedStatement:
    lines: tuple[StatementRow, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class HallPayout:
    """What the hall recorded about one payout, as far as reconciliation cares."""

    payout_id: int
    serial: str
    amount_fen: int
    state: str  # a PayoutState value
    completed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Classified:
    """One row of the reconciliation: a statement line, or (missing_at_bank) a hall payout that
    the statement lacks, in which case ``line`` is None."""

    bucket: Bucket
    note: str
    line: StatementRow | None = None
    payout: HallPayout | None = None


def statement_parse(content: bytes, *, day: dt.date | None = None) -> ParsedStatement:
    """Read a statement file. Every problem is named with its line number and field, in Chinese;
    a file with any problem must be refused whole. With ``day``, every line must be of that day;
    without, every line must be of the first line's day."""
    if len(content) > MAX_BYTES:
        return _refused(f"文件大小 {len(content):,} 字节，超过 {MAX_BYTES // (1024 * 1024)} MB 的上限")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _refused(f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法识别）")
    if text.count("\n") > MAX_LINES + 1:
        return _refused(f"文件超过 {MAX_LINES:,} 行的上限")

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return _refused(f"第 1 行：表头无法解析（{exc}）")
    if header is None:
        return _refused("文件为空，缺少表头")
    if tuple(cell.strip() for cell in header) != STATEMENT_HEADER:
        return _refused(f"第 1 行：表头应为“{','.join(STATEMENT_HEADER)}”，实际为“{','.join(header)[:200]}”")

    rows: list[StatementRow] = []
    problems: list[str] = []
    expected_day = day
    line_no = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"第 {reader.line_num} 行：无法解析（{exc}）")
            break
        line_no = reader.line_num
        if not cells or all(not cell.strip() for cell in cells):
            continue  # a blank line (a trailing newline, typically) carries nothing
        if len(rows) >= MAX_LINES:
            problems.append(f"文件超过 {MAX_LINES:,} 行的上限")
            break
        row, line_problems = _row(cells, line_no=line_no, expected_day=expected_day)
        if row is not None:
            if expected_day is None:
                expected_day = row.day
            rows.append(row)
        problems.extend(line_problems)
        if len(problems) >= MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS]
            problems.append("问题过多，仅列出前 100 项")
            break
    return ParsedStatement(lines=tuple(rows), problems=tuple(problems))


def _refused(problem: str) -> ParsedStatement:
    return ParsedStatement(lines=(), problems=(problem,))


def _row(
    cells: list[str], *, line_no: int, expected_day: dt.date | None
) -> tuple[StatementRow | None, list[str]]:
    where = f"第 {line_no} 行"
    if len(cells) != len(STATEMENT_HEADER):
        return None, [f"{where}：应有 {len(STATEMENT_HEADER)} 列，实际 {len(cells)} 列"]
    date_text, serial, card_no, amount_text, result, reference = (cell.strip() for cell in cells)
    problems: list[str] = []

    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(date_text) if len(date_text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.append(f"{where}：日期（date）“{date_text[:20]}”不是 YYYY-MM-DD 形式的有效日期")
    elif expected_day is not None and day != expected_day:
        problems.append(
            f"{where}：日期（date）为 {day.isoformat()}，与对账日期 {expected_day.isoformat()} 不符"
        )
    if not serial:
        problems.append(f"{where}：支付流水号（serial）为空")
    elif len(serial) > 64:
        problems.append(f"{where}：支付流水号（serial）超过 64 个字符")
    if not card_no.isdigit() or not 1 <= len(card_no) <= 19:
        problems.append(f"{where}：卡号（card_no）应为不超过 19 位的数字")
    amount_fen = 0
    if not amount_text.isascii() or not amount_text.isdigit():
        problems.append(f"{where}：金额（amount_fen）“{amount_text[:20]}”应为正整数（分）")
    else:
        amount_fen = int(amount_text)
        if amount_fen <= 0:
            problems.append(f"{where}：金额（amount_fen）应为正整数（分），实际为 {amount_fen}")
    if result not in RESULTS:
        problems.append(f"{where}：结果（result）“{result[:20]}”无法识别，应为 done 或 failed")
    if len(reference) > 64:
        problems.append(f"{where}：银行流水号（bank_reference）超过 64 个字符")

    if problems or day is None:
        return None, problems
    return (
        StatementRow(
            line_no=line_no,
            day=day,
            serial=serial,
            card_no=card_no,
            amount_fen=amount_fen,
            result=result,
            bank_reference=reference,
        ),
        [],
    )


def statement_classify(
    *,
    lines: Sequence[StatementRow],
    payouts_by_serial: Mapping[str, HallPayout],
    paid_that_day: Collection[HallPayout],
) -> list[Classified]:
    """Put every statement line in exactly one bucket, in file order, then add a missing_at_bank
    row for each payout the hall paid that day that the statement does not mention.

    A line's serial decides: seen earlier in the file → duplicate; unknown to the hall →
    unknown_to_hall; results disagree → result_mismatch (checked before the amount: a payout
    settled the wrong way means money moved, or was released, against the bank's word);
    amounts disagree → amount_mismatch; otherwise matched.
    """
    classified: list[Classified] = []
    first_line_of: dict[str, int] = {}
    for line in lines:
        payout = payouts_by_serial.get(line.serial)
        earlier = first_line_of.get(line.serial)
        if earlier is not None:
            classified.append(
                Classified(
                    bucket=Bucket.DUPLICATE,
                    note=f"支付流水号与第 {earlier} 行重复，银行对同一笔支付列出了多次",
                    line=line,
                    payout=payout,
                )
            )
            continue
        first_line_of[line.serial] = line.line_no
        if payout is None:
            classified.append(
                Classified(
                    bucket=Bucket.UNKNOWN_TO_HALL,
                    note=f"中心没有支付流水号为 {line.serial} 的支付记录",
                    line=line,
                )
            )
            continue
        classified.append(_classify_known(line, payout))

    on_statement = set(first_line_of)
    for payout in sorted(paid_that_day, key=lambda p: (p.completed_at or _EPOCH, p.serial)):
        if payout.serial in on_statement:
            continue
        when = f"于 {to_shanghai(payout.completed_at):%H:%M:%S} " if payout.completed_at else ""
        classified.append(
            Classified(
                bucket=Bucket.MISSING_AT_BANK,
                note=f"中心记录该笔 {format_yuan(payout.amount_fen)}{when}支付成功，银行对账单上没有这笔",
                payout=payout,
            )
        )
    return classified


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _classify_known(line: StatementRow, payout: HallPayout) -> Classified:
    amounts_differ = line.amount_fen != payout.amount_fen
    amount_note = f"银行金额 {format_yuan(line.amount_fen)}，中心记录 {format_yuan(payout.amount_fen)}"
    if payout.state not in (_HALL_DONE, _HALL_FAILED):
        state_label = _HALL_STATE_LABELS.get(payout.state, payout.state)
        note = (
            f"银行结果为{RESULT_LABELS[line.result]}，中心支付状态为{state_label}，请在支付管理中查询银行结果"
        )
        if amounts_differ:
            note += f"；另{amount_note}"
        return Classified(bucket=Bucket.RESULT_MISMATCH, note=note, line=line, payout=payout)
    if line.result != payout.state:
        note = f"银行结果为{RESULT_LABELS[line.result]}，中心记录为{_HALL_STATE_LABELS[payout.state]}"
        if amounts_differ:
            note += f"；另{amount_note}"
        return Classified(bucket=Bucket.RESULT_MISMATCH, note=note, line=line, payout=payout)
    if amounts_differ:
        return Classified(bucket=Bucket.AMOUNT_MISMATCH, note=amount_note, line=line, payout=payout)
    return Classified(bucket=Bucket.MATCHED, note="银行与中心记录一致", line=line, payout=payout)
