"""Importing a statement against payouts in the hall's database: buckets, refusals, re-imports,
the report, the CSV export and the command."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from gjj.core.timeutil import SHANGHAI
from gjj.members.models import AccountStatus, Employer, FundAccount, Person
from gjj.reconciliation import services
from gjj.reconciliation.matching import BUCKET_ORDER, Bucket
from gjj.reconciliation.models import StatementImport, StatementLine
from gjj.reconciliation.selectors import (
    CSV_HEADER,
    statement_current,
    statement_imports,
    statement_report,
    statement_report_csv,
)
from gjj.withdrawals.models import Application, Channel, Payout, PayoutState, State

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 27)
CARD = "6217001376212461799"
HEADER = "date,serial,card_no,amount_fen,result,bank_reference\n"
NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hall():
    """Payouts of one member for a statement with one line of each kind."""
    employer = Employer.objects.create(code="E0001", name="辽宁省测试单位")
    person = Person.objects.create(id_number="210102198803120158", name="张伟", phone="13804001001")
    account = FundAccount.objects.create(
        account_no="210100000001",
        person=person,
        employer=employer,
        status=AccountStatus.NORMAL,
        balance_fen=0,
        opened_on=dt.date(2016, 7, 1),
        paid_through="2026-10",
        consecutive_months=48,
    )

    def payout(serial: str, *, state: str, amount: int = 100_000, completed_at=NOON) -> Payout:
        application = Application.objects.create(
            business_no=f"TQ{serial}",
            person=person,
            account=account,
            channel=Channel.WEB,
            state=State.PAID if state == PayoutState.DONE else State.PAYING,
        )
        return Payout.objects.create(
            application=application,
            serial=serial,
            bank="CCB",
            card_no=CARD,
            holder_name="张伟",
            amount_fen=amount,
            state=state,
            created_at=NOON - dt.timedelta(hours=1),
            completed_at=completed_at if state in (PayoutState.DONE, PayoutState.FAILED) else None,
        )

    return {
        "matched": payout("PMATCH", state=PayoutState.DONE),
        "amount": payout("PAMOUNT", state=PayoutState.DONE, amount=120_000),
        "result": payout("PRESULT", state=PayoutState.FAILED),
        "missing": payout("PMISSING", state=PayoutState.DONE, amount=50_000),
        # Paid the day before: not expected on this statement, so never "missing" from it.
        "yesterday": payout("PYESTERDAY", state=PayoutState.DONE, completed_at=NOON - dt.timedelta(days=1)),
    }


def _csv(*lines: tuple[str, int, str]) -> bytes:
    body = "".join(
        f"{DAY.isoformat()},{serial},{CARD},{amount},{result},SIMB{n:04d}\n"
        for n, (serial, amount, result) in enumerate(lines, start=1)
    )
    return (HEADER + body).encode("utf-8")


ONE_OF_EACH = _csv(
    ("PMATCH", 100_000, "done"),
    ("PNOBODY", 30_000, "done"),
    ("PAMOUNT", 100_000, "done"),
    ("PMATCH", 100_000, "done"),  # the bank listed the first payout twice
    ("PRESULT", 100_000, "done"),
)


def test_a_statement_with_one_line_of_each_kind_yields_exactly_those_buckets(hall):
    statement = services.statement_import(day=DAY, content=ONE_OF_EACH, source="bank", actor=None)

    rows = list(StatementLine.objects.filter(statement_import=statement).order_by("line_no", "id"))
    assert sorted(row.bucket for row in rows) == sorted(Bucket.values)
    by_bucket = {row.bucket: row for row in rows}
    assert by_bucket[Bucket.MATCHED].payout == hall["matched"]
    assert by_bucket[Bucket.UNKNOWN_TO_HALL].payout is None and by_bucket[Bucket.UNKNOWN_TO_HALL].line_no == 3
    assert by_bucket[Bucket.AMOUNT_MISMATCH].note == "银行金额 1,000.00 元，中心记录 1,200.00 元"
    assert by_bucket[Bucket.AMOUNT_MISMATCH].hall_amount_fen == 120_000
    assert (by_bucket[Bucket.DUPLICATE].line_no, by_bucket[Bucket.DUPLICATE].payout) == (5, hall["matched"])
    assert by_bucket[Bucket.RESULT_MISMATCH].note == "银行结果为成功，中心记录为支付失败"
    missing = by_bucket[Bucket.MISSING_AT_BANK]
    assert (missing.line_no, missing.payout, missing.serial, missing.amount_fen) == (
        None,
        hall["missing"],
        "PMISSING",
        None,
    )
    # The statement's card numbers are never stored in full.
    assert {row.card_no for row in rows if row.line_no} == {"6217 **** **** 1799"}
    assert (statement.line_count, statement.problem_count, statement.matched_count) == (5, 5, 1)
    assert [statement.count_of(bucket) for bucket in Bucket] == [1, 1, 1, 1, 1, 1]
    assert statement.bank_done_fen == 430_000
    # Paid that day by the hall: matched, amount and missing — not yesterday's.
    assert statement.hall_paid_fen == 100_000 + 120_000 + 50_000


def test_a_payout_the_bank_completed_before_midnight_is_matched_on_that_day_not_missing_the_next(hall):
    """The bank paid at 23:59 and its answer was lost; the hall asked after midnight and marked it
    paid then (seen in a chaos run across midnight): it is on the bank's statement of the first day,
    matched there, and not "missing at the bank" from the second."""
    after_midnight = dt.datetime(2026, 11, 28, 0, 2, tzinfo=SHANGHAI)
    Payout.objects.filter(pk=hall["missing"].pk).update(completed_at=after_midnight)
    first = services.statement_import(
        day=DAY,
        content=_csv(("PMATCH", 100_000, "done"), ("PMISSING", 50_000, "done")),
        source="bank",
        actor=None,
    )
    assert first.count_of(Bucket.MATCHED) == 2 and first.count_of(Bucket.MISSING_AT_BANK) == 1  # PAMOUNT

    next_day = DAY + dt.timedelta(days=1)
    second = services.statement_import(
        day=next_day, content=(HEADER).encode("utf-8"), source="bank", actor=None
    )
    assert second.problem_count == 0
    assert second.hall_paid_fen == 0


def test_a_done_line_for_a_payout_still_open_asks_to_query_the_bank(hall):
    Payout.objects.filter(pk=hall["matched"].pk).update(state=PayoutState.UNKNOWN, completed_at=None)

    statement = services.statement_import(
        day=DAY, content=_csv(("PMATCH", 100_000, "done")), source="bank", actor=None
    )

    line = statement.lines.get(serial="PMATCH")
    assert line.bucket == Bucket.RESULT_MISMATCH
    assert line.note == "银行结果为成功，中心支付状态为结果待查询，请在支付管理中查询银行结果"


def test_a_refused_file_writes_nothing_and_names_every_problem(hall):
    bad = ONE_OF_EACH + b"2026-11-27,PX,6217001376212461799,abc,done,R\n2026-11-26,PY,1,5,lost,R\n"

    with pytest.raises(services.StatementRejected) as refused:
        services.statement_import(day=DAY, content=bad, source="upload.csv", actor=None)

    assert refused.value.problems == (
        "第 7 行：金额（amount_fen）“abc”应为正整数（分）",
        "第 8 行：日期（date）为 2026-11-26，与对账日期 2026-11-27 不符",
        "第 8 行：结果（result）“lost”无法识别，应为 done 或 failed",
    )
    assert refused.value.message.startswith("对账单未导入：第 7 行")
    assert StatementImport.objects.count() == 0 and StatementLine.objects.count() == 0


def test_the_same_file_twice_is_refused_and_a_new_file_becomes_the_days_report(hall):
    user = get_user_model().objects.create_user(username="duizhang", first_name="对账员")
    first = services.statement_import(day=DAY, content=ONE_OF_EACH, source="bank", actor=user)

    with pytest.raises(services.StatementAlreadyImported) as again:
        services.statement_import(day=DAY, content=ONE_OF_EACH, source="bank", actor=None)
    assert "已于" in again.value.problems[0] and "内容完全相同" in again.value.problems[0]

    corrected = _csv(("PMATCH", 100_000, "done"), ("PAMOUNT", 120_000, "done"))
    second = services.statement_import(day=DAY, content=corrected, source="fixed.csv", actor=None)

    assert StatementImport.objects.filter(day=DAY).count() == 2
    assert statement_current(day=DAY) == second
    listed = statement_imports()
    assert [(item.pk, item.is_current) for item in listed] == [(second.pk, True), (first.pk, False)]
    assert listed[1].imported_by == user


def test_the_report_groups_rows_in_a_fixed_order_with_totals(hall, django_assert_max_num_queries):
    statement = services.statement_import(day=DAY, content=ONE_OF_EACH, source="bank", actor=None)

    with django_assert_max_num_queries(1):
        report = statement_report(statement_import=statement)
        [line.payout for group in report.groups for line in group.lines]

    assert [group.bucket for group in report.groups] == list(BUCKET_ORDER)
    assert [group.count for group in report.groups] == [1, 1, 1, 1, 1, 1]
    groups = {group.bucket: group for group in report.groups}
    assert (groups[Bucket.AMOUNT_MISMATCH].bank_total_fen, groups[Bucket.AMOUNT_MISMATCH].hall_total_fen) == (
        100_000,
        120_000,
    )
    assert (groups[Bucket.MISSING_AT_BANK].bank_total_fen, groups[Bucket.MISSING_AT_BANK].hall_total_fen) == (
        0,
        50_000,
    )
    assert report.problem_count == 5 and report.row_count == 6


def test_the_csv_export_has_the_chinese_header_masked_cards_and_no_formulas(hall):
    content = _csv(("PMATCH", 100_000, "done")).replace(b"SIMB0001", b"=HYPERLINK(1)")
    statement = services.statement_import(day=DAY, content=content, source="bank", actor=None)

    text = statement_report_csv(statement_import=statement)

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_HEADER)
    assert rows[0] == [
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
    ]
    by_serial = {row[2]: row for row in rows[1:]}
    assert by_serial["PMATCH"] == [
        "2026-11-27",
        "2",
        "PMATCH",
        "6217 **** **** 1799",
        "1000.00",
        "1000.00",
        "成功",
        "'=HYPERLINK(1)",
        "已核对一致",
        "银行与中心记录一致",
    ]
    assert by_serial["PAMOUNT"][1] == "" and by_serial["PAMOUNT"][8] == "银行缺失"
    assert CARD not in text


def test_the_command_imports_a_file_and_prints_the_counts(hall, tmp_path, capsys):
    path = tmp_path / "statement-2026-11-27.csv"
    path.write_bytes(ONE_OF_EACH)

    call_command("reconcile_statement", "--date", "2026-11-27", "--file", str(path))

    out = capsys.readouterr().out
    assert "2026-11-27 对账单已导入（来源：statement-2026-11-27.csv），共 5 行" in out
    for label in (
        "已核对一致：1",
        "银行缺失：1",
        "中心无记录：1",
        "金额不符：1",
        "重复记录：1",
        "结果不符：1",
    ):
        assert label in out
    assert StatementImport.objects.get().source == "statement-2026-11-27.csv"


def test_the_command_fails_with_the_problems_of_a_refused_file(hall, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"serial,amount\nP1,1\n")

    with pytest.raises(CommandError) as failed:
        call_command("reconcile_statement", "--date", "2026-11-27", "--file", str(path))

    assert "第 1 行：表头应为" in str(failed.value)
    assert StatementImport.objects.count() == 0


def test_the_command_refuses_a_malformed_date():
    with pytest.raises(CommandError, match="对账日期“2026-11-31”格式不正确"):
        call_command("reconcile_statement", "--date", "2026-11-31")
