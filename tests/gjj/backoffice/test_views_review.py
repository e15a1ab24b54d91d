"""The review console through its pages: the queue and its filters, the case screen, the materials
viewer and every decision, each leaving its audit entry. Applications come from the sample dataset
walked through the services against the live simulators."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from gjj.audit.models import AuditAction, AuditEntry
from gjj.core.timeutil import to_shanghai, today_shanghai
from gjj.staff.roles import StaffRole
from gjj.staff.services import staff_role_grant
from gjj.withdrawals.models import Application, Channel, Decision, Material, State
from gjj.withdrawals.selectors import application_rule_lines, fix_items
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    WU_HAO,
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
    loaded,
)
from tests.gjj.withdrawals.conftest import member as walk_of
from tests.gjj.withdrawals.test_review import _submitted, no_auto_payout, no_instant_approval  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG_PHONE = "13804001001"
LI_NA = "210103199007050241"
LI_CARD = "6222024013192319654"
YANG_LEI = "210106198411110378"
YANG_ARCHIVE = "2026010203456"
YANG_CARD = "6224553012333258487"
WU_HOUSE = "SY202603150007777"
WU_CARD = "6222007019795107231"
STAFF_IP = "10.20.30.40"
CASE_ROW = re.compile(r'href="/backoffice/cases/([^/"]+)/"')


def _submit(
    id_number: str,
    *,
    bank: str,
    card: str,
    amount_fen: int,
    channel: str = Channel.WEB,
    contract_no: str | None = None,
    archive_no: str | None = None,
) -> Application:
    walk = walk_of(id_number, channel=channel)
    application = walk.submit(
        walk.fill(
            contract_no=contract_no, archive_no=archive_no, bank=bank, card_no=card, amount_fen=amount_fen
        )
    )
    walk.upload_all(application)
    submitted = walk.final_submit(application)
    assert submitted.state == State.SUBMITTED
    return submitted


def _client(sign_in, account) -> Client:
    client = Client(REMOTE_ADDR=STAFF_IP)
    sign_in(client, account)
    return client


def _listed(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/backoffice/queue/{query}")
    assert response.status_code == 200
    return CASE_ROW.findall(response.content.decode())


def _entries(action: str, business_no: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, target_id=business_no).order_by("seq"))


def _post(client: Client, url: str, data: dict[str, object] | None = None) -> str:
    """POSTs a decision, follows the redirect and returns the page (with its flash message)."""
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def three_cases(loaded, no_instant_approval, no_auto_payout):  # noqa: F811
    """Three cases in the order they were submitted: web/new/buyer, WeChat/resale/buyer, APP/new/spouse."""
    zhang = _submit(ZHANG_WEI, contract_no=ZHANG_HOUSE, bank="CCB", card=ZHANG_CARD, amount_fen=8_642_050)
    yang = _submit(
        YANG_LEI,
        archive_no=YANG_ARCHIVE,
        bank="SJB",
        card=YANG_CARD,
        amount_fen=10_000_000,
        channel=Channel.WECHAT,
    )
    li = _submit(
        LI_NA, contract_no=ZHANG_HOUSE, bank="ICBC", card=LI_CARD, amount_fen=2_000_000, channel=Channel.APP
    )
    assert (yang.house_snapshot["kind"], li.relation) == ("resale", "spouse")
    return zhang.business_no, yang.business_no, li.business_no


def test_the_queue_lists_cases_oldest_first_with_channel_amount_and_masked_id(three_cases, staff, sign_in):
    zhang, yang, li = three_cases
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])

    assert _listed(client) == [zhang, yang, li]
    html = client.get("/backoffice/queue/").content.decode()
    row = html[html.index(f"/backoffice/cases/{yang}/") :].split("</tr>")[0]
    assert "杨磊" in row and "2101**********0378" in row
    assert "微信" in row and "100,000.00" in row and "存量房" in row
    assert ZHANG_WEI not in html and YANG_LEI not in html and LI_NA not in html


def test_each_queue_filter(three_cases, staff, sign_in):
    zhang, yang, li = three_cases
    account = staff[StaffRole.FIRST_REVIEWER]
    first = _client(sign_in, account)
    # Claimed as the claim service leaves it (the claim itself is tested through its view below).
    Application.objects.filter(business_no=zhang).update(
        claimed_by=account.user, claimed_at=timezone.now(), state=State.UNDER_REVIEW
    )
    # Li's case was submitted a week ago: past the 3-working-day limit.
    week_ago = timezone.now() - dt.timedelta(days=7)
    Application.objects.filter(business_no=li).update(submitted_at=week_ago)
    today = today_shanghai()
    week_ago_day = to_shanghai(week_ago).date()

    assert _listed(first, "?state=under_review") == [zhang]
    assert _listed(first, "?state=submitted") == [li, yang]
    assert _listed(first, "?channel=wechat") == [yang]
    assert _listed(first, "?channel=app") == [li]
    assert _listed(first, f"?date_from={today}") == [zhang, yang]
    assert _listed(first, f"?date_to={week_ago_day}") == [li]
    assert _listed(first, f"?date_from={week_ago_day}&date_to={week_ago_day}") == [li]
    assert _listed(first, "?amount_min=50000") == [zhang, yang]
    assert _listed(first, "?amount_max=30000") == [li]
    assert _listed(first, "?amount_min=86420.50&amount_max=86420.50") == [zhang]
    assert _listed(first, "?house_kind=resale") == [yang]
    assert _listed(first, "?house_kind=new") == [li, zhang]
    assert _listed(first, "?relation=spouse") == [li]
    assert _listed(first, "?reviewer=me") == [zhang]
    assert _listed(first, "?reviewer=none") == [li, yang]
    assert _listed(first, "?reviewer=first_reviewer") == [zhang]
    assert _listed(first, "?overdue=1") == [li]
    assert _listed(first, "?channel=web&relation=buyer&amount_min=1") == [zhang]
    other = _client(sign_in, staff["first_reviewer_2"])
    assert _listed(other, "?reviewer=me") == []


def test_each_review_role_sees_its_own_stage(three_cases, staff, sign_in):
    zhang, yang, li = three_cases
    # Yang's case passed 初审 at the four-eyes threshold, as the approval service leaves it.
    Application.objects.filter(business_no=yang).update(review_stage=2, state=State.UNDER_REVIEW)
    first = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    second = _client(sign_in, staff[StaffRole.SECOND_REVIEWER])

    assert _listed(first) == [zhang, li]
    assert _listed(second) == [yang]
    assert _listed(second, "?stage=1") == []
    assert "待复审" in second.get("/backoffice/queue/").content.decode()


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?amount_min=1.234", "最低金额“1.234”应为不小于 0、最多两位小数的金额（元）"),
        ("?amount_max=abc", "最高金额“abc”不是有效金额"),
        ("?date_from=2026-02-30", "提交日期起“2026-02-30”不是有效日期（格式 YYYY-MM-DD）"),
        ("?channel=fax", "没有“fax”这个渠道"),
    ],
)
def test_a_bad_filter_value_is_named_in_chinese_and_ignored(three_cases, staff, sign_in, query, problem):
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    response = client.get(f"/backoffice/queue/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert problem in html
    assert CASE_ROW.findall(html) == list(three_cases)


def test_the_case_screen_shows_the_whole_file_and_is_audited(three_cases, staff, sign_in):
    zhang = three_cases[0]
    application = Application.objects.get(business_no=zhang)
    account = staff[StaffRole.FIRST_REVIEWER]
    client = _client(sign_in, account)

    response = client.get(f"/backoffice/cases/{zhang}/")

    assert response.status_code == 200
    html = response.content.decode()
    # The house as looked up, with where and when it came from.
    looked_up = to_shanghai(application.house_looked_up_at)
    assert application.house_source.startswith("住房信息系统")
    assert f"来源：{application.house_source}，查询时间 {looked_up:%Y-%m-%d %H:%M:%S}" in html
    assert "沈阳市浑南区智慧四街18-2号2-8-1" in html and ZHANG_HOUSE in html
    # The bank's verification of the card, line by line.
    for label, value in (
        ("银行是否查到此卡", "查到"),
        ("账户类别", "一类账户"),
        ("户名与身份证号", "与申请人一致"),
    ):
        assert re.search(rf"<th scope=\"row\">{label}</th><td>{value}</td>", html), label
    assert "6217 **** **** 1799" in html
    # Every rule with its result.
    rules = application_rule_lines(application=application)
    assert len(rules) >= 10
    rules_table = html[html.index('id="rules"') : html.index("</table>", html.index('id="rules"'))]
    assert rules_table.count("<tr><td>") == len(rules)
    for rule in rules:
        assert rule.name in rules_table
    # The materials, each with its viewer link.
    materials = list(Material.objects.filter(application=application, is_current=True))
    assert len(materials) == 5
    for material in materials:
        assert f"/backoffice/cases/{zhang}/materials/{material.pk}/" in html
    # The timeline, every transition.
    assert "待上传材料 → 已提交" in html
    assert html.count("<time>") == application.transitions.count()

    entry = _entries(AuditAction.CASE_VIEW, zhang)[-1]
    assert (entry.actor, entry.ip, entry.target_type) == (account.user, STAFF_IP, "application")


def test_personal_data_never_appears_in_full(three_cases, staff, sign_in):
    zhang = three_cases[0]
    reviewer = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    auditor = _client(sign_in, staff[StaffRole.AUDITOR])

    pages = {
        "queue": reviewer.get("/backoffice/queue/"),
        "case": reviewer.get(f"/backoffice/cases/{zhang}/"),
        "audit": auditor.get("/backoffice/audit/"),
        "audit search": auditor.get(f"/backoffice/audit/?target={zhang}"),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        for secret in (ZHANG_WEI, ZHANG_CARD, ZHANG_PHONE):
            assert secret not in html, (name, secret)
    assert "2101**********0158" in pages["case"].content.decode()
    assert "138****1001" in pages["case"].content.decode()
    assert zhang in pages["audit search"].content.decode()


def test_a_material_is_served_with_its_type_uncached_and_audited(three_cases, staff, sign_in):
    zhang, yang, _ = three_cases
    material = Material.objects.filter(application__business_no=zhang, kind="purchase_contract").get()
    other = Material.objects.filter(application__business_no=yang).first()
    account = staff[StaffRole.AUDITOR]  # 审计 may read a case too
    client = _client(sign_in, account)

    response = client.get(f"/backoffice/cases/{zhang}/materials/{material.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(material.file.path).read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    entry = _entries(AuditAction.MATERIAL_VIEW, f"{zhang}/{material.pk}")[-1]
    assert (entry.actor, entry.ip, entry.details["kind"]) == (account.user, STAFF_IP, "purchase_contract")
    assert "购房合同" in entry.summary

    # Another application's material under this business number does not exist.
    before = AuditEntry.objects.filter(action=AuditAction.MATERIAL_VIEW).count()
    assert client.get(f"/backoffice/cases/{zhang}/materials/{other.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.MATERIAL_VIEW).count() == before


def test_a_claimed_case_is_refused_to_a_second_reviewer_naming_the_holder(three_cases, staff, sign_in):
    zhang = three_cases[0]
    holder = staff[StaffRole.FIRST_REVIEWER]
    first = _client(sign_in, holder)
    second = _client(sign_in, staff["first_reviewer_2"])

    page = _post(first, f"/backoffice/cases/{zhang}/claim/")
    assert f"已领取 {zhang}" in page and "您已领取本申请" in page
    page = _post(second, f"/backoffice/cases/{zhang}/claim/")

    assert "该申请已由张初审" in page and "不能再由您办理" in page
    application = Application.objects.get(business_no=zhang)
    assert (application.state, application.claimed_by_id) == (State.UNDER_REVIEW, holder.user.pk)
    claims = _entries(AuditAction.APPLICATION_CLAIM, zhang)
    assert [(entry.actor, entry.ip) for entry in claims] == [(holder.user, STAFF_IP)]


def test_release_puts_the_case_back_and_is_audited(three_cases, staff, sign_in):
    zhang = three_cases[0]
    account = staff[StaffRole.FIRST_REVIEWER]
    client = _client(sign_in, account)
    _post(client, f"/backoffice/cases/{zhang}/claim/")

    page = _post(client, f"/backoffice/cases/{zhang}/release/")

    assert f"已放弃领取 {zhang}" in page
    application = Application.objects.get(business_no=zhang)
    assert (application.state, application.claimed_by_id) == (State.SUBMITTED, None)
    assert [entry.actor for entry in _entries(AuditAction.APPLICATION_RELEASE, zhang)] == [account.user]


def test_approval_below_the_threshold_approves_at_once(three_cases, staff, sign_in):
    zhang = three_cases[0]
    account = staff[StaffRole.FIRST_REVIEWER]
    client = _client(sign_in, account)
    _post(client, f"/backoffice/cases/{zhang}/claim/")

    page = _post(client, f"/backoffice/cases/{zhang}/approve/", {"opinion": "材料齐全"})

    assert f"{zhang} 审核通过，已交付支付" in page
    application = Application.objects.get(business_no=zhang)
    assert (application.state, application.claimed_by_id) == (State.APPROVED, None)
    decision = application.decisions.get()
    assert (decision.stage, decision.decision, decision.reason) == (1, Decision.APPROVE, "材料齐全")
    approvals = _entries(AuditAction.APPLICATION_APPROVE, zhang)
    assert [(entry.actor, entry.ip) for entry in approvals] == [(account.user, STAFF_IP)]


@pytest.fixture
def low_threshold(settings, tmp_path):
    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    assert 'four_eyes_threshold = "200000.00"' in text
    custom = tmp_path / "policy.toml"
    custom.write_text(
        text.replace('four_eyes_threshold = "200000.00"', 'four_eyes_threshold = "50000.00"'),
        encoding="utf-8",
    )
    settings.GJJ_POLICY_FILE = str(custom)


def test_four_eyes_at_the_threshold(loaded, no_auto_payout, low_threshold, staff, sign_in):  # noqa: F811
    wu = _submitted(WU_HAO, WU_HOUSE, "ICBC", WU_CARD)
    assert (wu.state, wu.amount_fen) == (State.SUBMITTED, 7_000_000)  # at or above: never 秒批
    number = wu.business_no
    first_account, second_account = staff[StaffRole.FIRST_REVIEWER], staff[StaffRole.SECOND_REVIEWER]
    first = _client(sign_in, first_account)
    second = _client(sign_in, second_account)
    assert _listed(first) == [number] and _listed(second) == []  # 复审 sees stage 2 only

    _post(first, f"/backoffice/cases/{number}/claim/")
    page = _post(first, f"/backoffice/cases/{number}/approve/")

    assert f"{number} 初审通过，金额达到复审标准，已转复审" in page
    wu.refresh_from_db()
    assert (wu.state, wu.review_stage, wu.claimed_by_id) == (State.UNDER_REVIEW, 2, None)
    assert _listed(first) == [] and _listed(second) == [number]  # 初审 sees stage 1 only

    # The 初审 person, even holding the 复审 role as well, may not be the second pair of eyes.
    staff_role_grant(user=first_account.user, role=StaffRole.SECOND_REVIEWER)
    page = _post(first, f"/backoffice/cases/{number}/claim/")
    assert "复审须由另一名工作人员办理" in page
    wu.refresh_from_db()
    assert wu.claimed_by_id is None

    _post(second, f"/backoffice/cases/{number}/claim/")
    page = _post(second, f"/backoffice/cases/{number}/approve/", {"opinion": "复核无误"})

    assert f"{number} 审核通过，已交付支付" in page
    wu.refresh_from_db()
    assert wu.state == State.APPROVED
    assert list(wu.decisions.order_by("at").values_list("stage", "decision", "reviewer_id")) == [
        (1, Decision.APPROVE, first_account.user.pk),
        (2, Decision.APPROVE, second_account.user.pk),
    ]
    approvals = _entries(AuditAction.APPLICATION_APPROVE, number)
    assert [(entry.actor, entry.summary) for entry in approvals] == [
        (first_account.user, f"初审通过 {number}，待复审"),
        (second_account.user, f"复审通过 {number}，已审批"),
    ]
    assert [entry.actor for entry in _entries(AuditAction.APPLICATION_CLAIM, number)] == [
        first_account.user,
        second_account.user,
    ]


def test_reject_needs_a_standard_reason_and_keeps_it_with_the_free_text(three_cases, staff, sign_in):
    zhang = three_cases[0]
    account = staff[StaffRole.FIRST_REVIEWER]
    client = _client(sign_in, account)
    _post(client, f"/backoffice/cases/{zhang}/claim/")

    page = _post(
        client, f"/backoffice/cases/{zhang}/reject/", {"standard_reason": "看着不顺眼", "detail": "x"}
    )

    assert "请从列表中选择不予通过的原因" in page
    application = Application.objects.get(business_no=zhang)
    assert (application.state, application.decisions.count()) == (State.UNDER_REVIEW, 0)
    assert _entries(AuditAction.APPLICATION_REJECT, zhang) == []

    standard = "材料不真实或经核查存在伪造、变造"
    page = _post(
        client,
        f"/backoffice/cases/{zhang}/reject/",
        {"standard_reason": standard, "detail": "购房发票经核查为伪造"},
    )

    assert f"{zhang} 不予通过" in page
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.decision_reason == f"{standard}：购房发票经核查为伪造"
    assert application.decisions.get().decision == Decision.REJECT
    rejects = _entries(AuditAction.APPLICATION_REJECT, zhang)
    assert [(entry.actor, entry.ip) for entry in rejects] == [(account.user, STAFF_IP)]
    assert standard in rejects[0].summary


def test_return_needs_ticked_items_and_a_reason_and_lists_them_for_the_member(three_cases, staff, sign_in):
    zhang = three_cases[0]
    account = staff[StaffRole.FIRST_REVIEWER]
    client = _client(sign_in, account)
    _post(client, f"/backoffice/cases/{zhang}/claim/")
    url = f"/backoffice/cases/{zhang}/return/"

    assert "请勾选需要补正的材料或项目" in _post(client, url, {"return_reason": "发票不清晰"})
    assert "请写明退回补正的原因" in _post(client, url, {"fix": ["purchase_invoice"], "return_reason": " "})
    application = Application.objects.get(business_no=zhang)
    assert application.state == State.UNDER_REVIEW and _entries(AuditAction.APPLICATION_RETURN, zhang) == []

    page = _post(
        client, url, {"fix": ["purchase_invoice", "card_no"], "return_reason": "发票不清晰，卡号有误"}
    )

    assert f"{zhang} 已退回补正" in page
    application.refresh_from_db()
    assert application.state == State.RETURNED
    assert application.what_to_fix == ["purchase_invoice", "card_no"]
    assert application.decision_reason == "发票不清晰，卡号有误"
    assert [item.name for item in fix_items(application=application)] == ["购房发票", "银行卡号码"]
    returns = _entries(AuditAction.APPLICATION_RETURN, zhang)
    assert [(entry.actor, entry.details["what_to_fix"]) for entry in returns] == [
        (account.user, ["purchase_invoice", "card_no"])
    ]


def test_a_decision_without_the_claim_is_refused(three_cases, staff, sign_in):
    zhang = three_cases[0]
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])

    page = _post(client, f"/backoffice/cases/{zhang}/approve/")

    assert "请先领取该申请，再作审核决定" in page
    assert Application.objects.get(business_no=zhang).state == State.SUBMITTED
    assert _entries(AuditAction.APPLICATION_APPROVE, zhang) == []


def test_only_reviewers_may_decide(three_cases, staff, sign_in):
    zhang = three_cases[0]
    finance = _client(sign_in, staff[StaffRole.FINANCE])

    assert finance.post(f"/backoffice/cases/{zhang}/claim/").status_code == 403
    assert finance.get("/backoffice/queue/").status_code == 403
    assert Application.objects.get(business_no=zhang).claimed_by_id is None
