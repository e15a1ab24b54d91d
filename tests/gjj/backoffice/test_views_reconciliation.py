"""财务's reconciliation pages: a statement uploaded or fetched from the live bank simulator, the
report by bucket, the CSV export, and the refusals (a malformed file, the bank down, a future day)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gjj.audit.models import AuditAction, AuditEntry
from gjj.core.timeutil import SHANGHAI, today_shanghai
from gjj.members.models import AccountStatus, Employer, FundAccount, Person
from gjj.reconciliation.matching import Bucket
from gjj.reconciliation.models import StatementImport, StatementLine
from gjj.reconciliation.selectors import CSV_HEADER
from gjj.staff.roles import StaffRole
from gjj.withdrawals import payouts
from gjj.withdrawals.models import Application, Channel, Payout, PayoutState, State
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
)
from tests.gjj.withdrawals.conftest import member as walk_of

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "date,serial,card_no,amount_fen,result,bank_reference\n"
STAFF_IP = "10.20.30.42"
REPORT_URL = re.compile(r"^/backoffice/reconciliation/(\d+)/$")


@pytest.fixture
def day() -> dt.date:
    # A day that is over, whatever day the suite runs.
    return today_shanghai() - dt.timedelta(days=1)


@pytest.fixture
def hall(day):
    """Payouts of one member for a statement with one line of each kind (as in the services' tests)."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
    employer = Employer.objects.create(code="E0001", name="辽宁省测试单位")
    person = Person.objects.create(id_number=ZHANG_WEI, name="张伟", phone="13804001001")
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

    def payout(serial: str, *, state: str, amount: int = 100_000) -> Payout:
        application = Application.objects.create(
            business_no=f"TQ{serial}",
            person=person,
            account=account,
            channel=Channel.WEB,
            state=State.PAID if state == PayoutState.DONE else State.PAYOUT_FAILED,
        )
        return Payout.objects.create(
            application=application,
            serial=serial,
            bank="CCB",
            card_no=ZHANG_CARD,
            holder_name="张伟",
            amount_fen=amount,
            state=state,
            created_at=noon - dt.timedelta(hours=1),
            completed_at=noon,
        )

    payout("PMATCH", state=PayoutState.DONE)
    payout("PAMOUNT", state=PayoutState.DONE, amount=120_000)
    payout("PRESULT", state=PayoutState.FAILED)
    payout("PMISSING", state=PayoutState.DONE, amount=50_000)


def _csv(day: dt.date, *lines: tuple[str, int, str]) -> bytes:
    body = "".join(
        f"{day.isoformat()},{serial},{ZHANG_CARD},{amount},{result},SIMB{n:04d}\n"
        for n, (serial, amount, result) in enumerate(lines, start=1)
    )
    return (HEADER + body).encode("utf-8")


def _one_of_each(day: dt.date) -> bytes:
    return _csv(
        day,
        ("PMATCH", 100_000, "done"),
        ("PNOBODY", 30_000, "done"),
        ("PAMOUNT", 100_000, "done"),
        ("PMATCH", 100_000, "done"),  # the bank listed the first payout twice
        ("PRESULT", 100_000, "done"),
    )


def _client(sign_in, account) -> Client:
    client = Client(REMOTE_ADDR=STAFF_IP)
    sign_in(client, account)
    return client


def _upload(client: Client, day: dt.date, content: bytes, name: str = "statement.csv", **extra):
    return client.post(
        "/backoffice/reconciliation/import/",
        {"day": day.isoformat(), "file": SimpleUploadedFile(name, content, content_type="text/csv")},
        **extra,
    )


def _bucket_counts(html: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-bucket="(\w+)"[^>]*>.*?<td class="num">(\d+)</td>', html, flags=re.S)
    return {bucket: int(count) for bucket, count in rows}


def test_an_uploaded_statement_leads_to_its_report_with_one_line_in_each_bucket(hall, day, staff, sign_in):
    account = staff[StaffRole.FINANCE]
    client = _client(sign_in, account)

    response = _upload(client, day, _one_of_each(day), name="ccb-statement.csv")

    assert response.status_code == 302
    found = REPORT_URL.match(response["Location"])
    assert found, response["Location"]
    statement = StatementImport.objects.get()
    assert int(found.group(1)) == statement.pk
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert _bucket_counts(html) == {bucket: 1 for bucket in Bucket.values}
    assert "上传文件 ccb-statement.csv" in html
    assert ZHANG_CARD not in html and "6217 **** **** 1799" in html
    assert (statement.source, statement.line_count, statement.imported_by) == (
        "ccb-statement.csv",
        5,
        account.user,
    )

    entry = AuditEntry.objects.get(action=AuditAction.STATEMENT_IMPORT)
    assert (entry.actor, entry.ip, entry.target_id) == (account.user, STAFF_IP, str(statement.pk))
    assert entry.details["day"] == day.isoformat()


def test_the_export_has_the_chinese_header_masked_cards_and_is_audited(hall, day, staff, sign_in):
    account = staff[StaffRole.FINANCE]
    client = _client(sign_in, account)
    _upload(client, day, _one_of_each(day))
    statement = StatementImport.objects.get()

    response = client.get(f"/backoffice/reconciliation/{statement.pk}/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 6
    cards = {row[3] for row in rows[1:] if row[1]}  # statement lines (the missing one has no card)
    assert cards == {"6217 **** **** 1799"}
    assert ZHANG_CARD not in body
    entry = AuditEntry.objects.get(action=AuditAction.STATEMENT_EXPORT)
    assert (entry.actor, entry.ip, entry.target_id) == (account.user, STAFF_IP, str(statement.pk))


def test_a_malformed_file_is_refused_naming_its_problems_and_nothing_is_written(hall, day, staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FINANCE])
    other_day = day - dt.timedelta(days=1)
    bad = (
        _one_of_each(day)
        + (f"{day.isoformat()},PX,{ZHANG_CARD},abc,done,R\n{other_day.isoformat()},PY,1,5,lost,R\n").encode()
    )

    response = _upload(client, day, bad, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/backoffice/reconciliation/"
    assert "对账单未导入：" in html
    assert "第 7 行：金额（amount_fen）“abc”应为正整数（分）" in html
    assert f"第 8 行：日期（date）为 {other_day.isoformat()}，与对账日期 {day.isoformat()} 不符" in html
    assert "第 8 行：结果（result）“lost”无法识别，应为 done 或 failed" in html
    assert StatementImport.objects.count() == 0 and StatementLine.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.STATEMENT_IMPORT).exists()


def test_a_file_that_is_not_a_statement_is_refused(hall, day, staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FINANCE])

    response = _upload(client, day, "序号,金额\n1,100\n".encode("gbk"), name="wrong.xls", follow=True)

    assert "对账单未导入：文件不是 UTF-8 编码" in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_a_future_day_is_refused(hall, staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FINANCE])
    tomorrow = today_shanghai() + dt.timedelta(days=1)

    response = _upload(client, tomorrow, _csv(tomorrow, ("PMATCH", 100_000, "done")), follow=True)

    html = response.content.decode()
    assert f"{tomorrow.isoformat()} 尚未到来，不能导入该日对账单" in html
    assert StatementImport.objects.count() == 0


def test_a_day_that_is_not_a_date_is_refused(staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FINANCE])

    response = client.post("/backoffice/reconciliation/import/", {"day": "2026-02-30"}, follow=True)

    assert "对账日期“2026-02-30”不是有效日期（格式 YYYY-MM-DD）" in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_the_days_statement_is_fetched_from_the_live_bank(loaded, monkeypatch, staff, sign_in):  # noqa: F811
    monkeypatch.setattr(payouts, "payout_enqueue_after_commit", lambda payout: None)
    zhang = walk_of(ZHANG_WEI)
    application = zhang.submit(zhang.fill(contract_no=ZHANG_HOUSE, bank="CCB", card_no=ZHANG_CARD))
    zhang.upload_all(application)
    application = zhang.final_submit(application)
    paid = payouts.payout_execute(payout_id=application.payouts.get().pk)
    assert paid.state == PayoutState.DONE
    account = staff[StaffRole.FINANCE]
    client = _client(sign_in, account)
    today = today_shanghai()

    response = client.post("/backoffice/reconciliation/import/", {"day": today.isoformat()}, follow=True)

    html = response.content.decode()
    assert f"{today.isoformat()} 对账单已导入：1 行，0 项差异" in html
    assert "来源：银行下载" in html and paid.serial in html
    statement = StatementImport.objects.get()
    assert (statement.source, statement.matched_count, statement.problem_count) == ("bank", 1, 0)
    assert statement.lines.get().payout == paid
    entry = AuditEntry.objects.get(action=AuditAction.STATEMENT_IMPORT)
    assert entry.actor == account.user and "银行下载" in entry.summary


def test_the_bank_down_gives_a_clear_message(sims, day, staff, sign_in, settings):
    settings.GJJ_BANK_URL = f"{sims.url}/no-such-bank"
    client = _client(sign_in, staff[StaffRole.FINANCE])

    response = client.post("/backoffice/reconciliation/import/", {"day": day.isoformat()}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/backoffice/reconciliation/"
    assert "未能下载对账单，请稍后再试或上传文件" in html
    assert StatementImport.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.STATEMENT_IMPORT).exists()


def test_only_finance_may_import_and_the_auditor_may_read(hall, day, staff, sign_in):
    auditor = _client(sign_in, staff[StaffRole.AUDITOR])

    assert _upload(auditor, day, _one_of_each(day)).status_code == 403
    assert StatementImport.objects.count() == 0
    _upload(_client(sign_in, staff[StaffRole.FINANCE]), day, _one_of_each(day))
    statement = StatementImport.objects.get()
    assert auditor.get("/backoffice/reconciliation/").status_code == 200
    assert auditor.get(f"/backoffice/reconciliation/{statement.pk}/").status_code == 200
    reviewer = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    assert reviewer.get(f"/backoffice/reconciliation/{statement.pk}/").status_code == 403
    assert reviewer.get(f"/backoffice/reconciliation/{statement.pk}/export.csv").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.STATEMENT_EXPORT).exists()
