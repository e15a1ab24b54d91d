"""Reading the statement file and bucketing its lines: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from gjj.core.timeutil import SHANGHAI
from gjj.reconciliation.matching import (
    MAX_LINES,
    Bucket,
    HallPayout,
    StatementRow,
    statement_classify,
    statement_parse,
)

DAY = dt.date(2026, 11, 27)
HEADER = "date,serial,card_no,amount_fen,result,bank_reference\n"
CARD = "6217001376212461799"


def _line(
    serial: str = "PTQ2026112700000101", amount: str = "100000", result: str = "done", **kw: str
) -> str:
    day = kw.get("day", DAY.isoformat())
    return f"{day},{serial},{kw.get('card', CARD)},{amount},{result},{kw.get('ref', 'SIMB1')}\n"


def _parse(*lines: str, header: str = HEADER) -> tuple[list[StatementRow], list[str]]:
    parsed = statement_parse((header + "".join(lines)).encode("utf-8"), day=DAY)
    return list(parsed.lines), list(parsed.problems)


def test_a_good_file_is_read_with_line_numbers_counting_the_header():
    rows, problems = _parse(_line(), _line(serial="P2", amount="5", result="failed", ref="SIMB2"))

    assert problems == []
    assert rows == [
        StatementRow(2, DAY, "PTQ2026112700000101", CARD, 100000, "done", "SIMB1"),
        StatementRow(3, DAY, "P2", CARD, 5, "failed", "SIMB2"),
    ]


def test_a_utf8_bom_and_crlf_line_ends_are_accepted():
    content = ("\ufeff" + HEADER + _line()).replace("\n", "\r\n").encode("utf-8")

    parsed = statement_parse(content, day=DAY)

    assert parsed.ok and [row.serial for row in parsed.lines] == ["PTQ2026112700000101"]


def test_a_header_only_file_is_an_empty_statement():
    parsed = statement_parse(HEADER.encode(), day=DAY)

    assert parsed.ok and parsed.lines == ()


def test_a_wrong_header_is_named():
    _, problems = _parse(_line(), header="date,serial,card,amount,result,ref\n")

    assert len(problems) == 1 and problems[0].startswith("第 1 行：表头应为")


def test_each_bad_field_is_named_with_its_line_and_field():
    _, problems = _parse(
        _line(),
        _line(day="2026-11-26"),
        _line(amount="12.50"),
        _line(amount="0"),
        _line(result="ok"),
        _line(serial=""),
        _line(day="2026-13-01"),
    )

    assert problems == [
        "第 3 行：日期（date）为 2026-11-26，与对账日期 2026-11-27 不符",
        "第 4 行：金额（amount_fen）“12.50”应为正整数（分）",
        "第 5 行：金额（amount_fen）应为正整数（分），实际为 0",
        "第 6 行：结果（result）“ok”无法识别，应为 done 或 failed",
        "第 7 行：支付流水号（serial）为空",
        "第 8 行：日期（date）“2026-13-01”不是 YYYY-MM-DD 形式的有效日期",
    ]


def test_a_negative_amount_and_a_short_line_are_refused():
    _, problems = _parse(_line(amount="-100"), "2026-11-27,P9\n")

    assert problems == [
        "第 2 行：金额（amount_fen）“-100”应为正整数（分）",
        "第 3 行：应有 6 列，实际 2 列",
    ]


def test_without_a_day_every_line_must_share_the_first_lines_day():
    content = (HEADER + _line() + _line(day="2026-11-28")).encode()

    parsed = statement_parse(content)

    assert parsed.problems == ("第 3 行：日期（date）为 2026-11-28，与对账日期 2026-11-27 不符",)


def test_a_file_over_20_mb_is_refused_unread():
    parsed = statement_parse(b"x" * (20 * 1024 * 1024 + 1), day=DAY)

    assert parsed.lines == () and len(parsed.problems) == 1 and "20 MB" in parsed.problems[0]


def test_a_file_over_200000_lines_is_refused():
    content = (HEADER + "2026-11-27,P,1,1,done,R\n" * (MAX_LINES + 1)).encode()

    parsed = statement_parse(content, day=DAY)

    assert parsed.problems == ("文件超过 200,000 行的上限",)


def test_a_file_that_is_not_utf8_is_refused():
    parsed = statement_parse(HEADER.encode() + "2026-11-27,P1,1,1,done,银行".encode("gbk"), day=DAY)

    assert len(parsed.problems) == 1 and "UTF-8" in parsed.problems[0]


# Classification -----------------------------------------------------------------------------


def _row(line_no: int, serial: str, amount: int = 100000, result: str = "done") -> StatementRow:
    return StatementRow(line_no, DAY, serial, CARD, amount, result, f"R{line_no}")


def _payout(pk: int, serial: str, amount: int = 100000, state: str = "done") -> HallPayout:
    return HallPayout(
        payout_id=pk,
        serial=serial,
        amount_fen=amount,
        state=state,
        completed_at=dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI),
    )


def test_one_line_of_each_kind_lands_in_its_bucket_with_a_note():
    payouts = {
        "MATCH": _payout(1, "MATCH"),
        "AMOUNT": _payout(2, "AMOUNT", amount=120000),
        "DUP": _payout(3, "DUP"),
        "FAILEDHALL": _payout(4, "FAILEDHALL", state="failed"),
        "OPEN": _payout(5, "OPEN", state="processing"),
        "MISSING": _payout(6, "MISSING"),
    }
    lines = [
        _row(2, "MATCH"),
        _row(3, "NOBODY"),
        _row(4, "AMOUNT"),
        _row(5, "DUP"),
        _row(6, "DUP"),
        _row(7, "FAILEDHALL"),
        _row(8, "OPEN"),
    ]
    paid = [payouts["MATCH"], payouts["AMOUNT"], payouts["DUP"], payouts["MISSING"]]

    rows = statement_classify(lines=lines, payouts_by_serial=payouts, paid_that_day=paid)

    assert [(row.line.line_no if row.line else None, row.bucket) for row in rows] == [
        (2, Bucket.MATCHED),
        (3, Bucket.UNKNOWN_TO_HALL),
        (4, Bucket.AMOUNT_MISMATCH),
        (5, Bucket.MATCHED),
        (6, Bucket.DUPLICATE),
        (7, Bucket.RESULT_MISMATCH),
        (8, Bucket.RESULT_MISMATCH),
        (None, Bucket.MISSING_AT_BANK),
    ]
    notes = {(row.line.line_no if row.line else None): row.note for row in rows}
    assert notes[4] == "银行金额 1,000.00 元，中心记录 1,200.00 元"
    assert notes[6] == "支付流水号与第 5 行重复，银行对同一笔支付列出了多次"
    assert notes[7] == "银行结果为成功，中心记录为支付失败"
    assert notes[8] == "银行结果为成功，中心支付状态为银行处理中，请在支付管理中查询银行结果"
    assert notes[None] == "中心记录该笔 1,000.00 元于 10:00:00 支付成功，银行对账单上没有这笔"
    assert rows[-1].payout == payouts["MISSING"]


def test_a_failed_line_for_a_payout_the_hall_counts_as_paid_is_a_result_mismatch():
    rows = statement_classify(
        lines=[_row(2, "P1", result="failed")],
        payouts_by_serial={"P1": _payout(1, "P1")},
        paid_that_day=[_payout(1, "P1")],
    )

    assert [(row.bucket, row.note) for row in rows] == [
        (Bucket.RESULT_MISMATCH, "银行结果为失败，中心记录为支付成功")
    ]


def test_a_failure_both_sides_agree_on_is_matched():
    rows = statement_classify(
        lines=[_row(2, "P1", result="failed")],
        payouts_by_serial={"P1": _payout(1, "P1", state="failed")},
        paid_that_day=[],
    )

    assert [row.bucket for row in rows] == [Bucket.MATCHED]


_serials = st.sampled_from([f"P{i}" for i in range(8)])


@given(
    lines=st.lists(st.tuples(_serials, st.integers(1, 5), st.sampled_from(["done", "failed"])), max_size=30),
    hall=st.dictionaries(
        _serials,
        st.tuples(st.integers(1, 5), st.sampled_from(["done", "failed", "sent", "processing", "unknown"])),
    ),
    paid_serials=st.sets(_serials),
)
def test_every_line_ends_in_exactly_one_bucket_and_the_counts_add_up(lines, hall, paid_serials):
    rows_in = [_row(i + 2, serial, amount, result) for i, (serial, amount, result) in enumerate(lines)]
    payouts = {
        serial: _payout(i, serial, amount, state) for i, (serial, (amount, state)) in enumerate(hall.items())
    }
    paid = [payouts[s] for s in paid_serials if s in payouts and payouts[s].state == "done"]

    rows = statement_classify(lines=rows_in, payouts_by_serial=payouts, paid_that_day=paid)

    from_lines = [row for row in rows if row.line is not None]
    assert [row.line for row in from_lines] == rows_in  # each line once, in file order
    missing = [row for row in rows if row.line is None]
    assert all(row.bucket == Bucket.MISSING_AT_BANK and row.payout is not None for row in missing)
    assert {row.payout.serial for row in missing if row.payout} == {p.serial for p in paid} - {
        r.serial for r in rows_in
    }
    counts = Counter(row.bucket for row in rows)
    assert sum(counts.values()) == len(rows_in) + len(missing)
    assert counts[Bucket.DUPLICATE] == len(rows_in) - len({r.serial for r in rows_in})
    assert counts[Bucket.UNKNOWN_TO_HALL] == len({r.serial for r in rows_in} - set(payouts))
