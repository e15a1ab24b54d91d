"""The review console for every reason of the registry: the queue's 提取原因 filter and column, and
the case screen of a 租房提取 and of a 离退休提取 — their own name, no house panel, the tenancy or
retirement facts the rules used, their own materials — and never the purchase's words. The
applications are the other reasons' sample members (曹阳 rent, 韩梅 retirement) and the sample's
张伟 and 杨磊 (purchase), walked through the services against the live simulators."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from gjj.backoffice import views_review
from gjj.core.timeutil import SHANGHAI
from gjj.members.models import AccountStatus, FundAccount
from gjj.policy.active import active_policy
from gjj.policy.reasons import REASONS, declaration_for, reason_name
from gjj.staff.roles import StaffRole
from gjj.withdrawals import payouts, services
from gjj.withdrawals.models import Application, Channel, Material, State
from tests.gjj.backoffice.test_views_review import (
    CASE_ROW,
    YANG_ARCHIVE,
    YANG_CARD,
    YANG_LEI,
    _client,
    _listed,
    _post,
    _submit,
)
from tests.gjj.withdrawals.conftest import (  # noqa: F401
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    _media_in_tmp,
    _sample_day,
)
from tests.gjj.withdrawals.conftest import member as walk_of
from tests.gjj.withdrawals.test_review import no_auto_payout, no_instant_approval  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

HAN_MEI = ("210102196503150524", "CCB", "6217006362656765957")  # retired 2025-03-31, no loan
CAO_YANG = ("210104199609090351", "ICBC", "6222022952745110411")  # rents; last rent paid 2026-08-20
# The day the services evaluate on in these tests (tests.gjj.withdrawals.conftest._sample_day).
SAMPLE_DAY = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
PURCHASE_WORDS = ("购房提取", "购买商品住房提取", "与购房人关系", "房屋信息")


def _submit_reason(
    reason: str, member: tuple[str, str, str], *, amount_fen: int | None = None, channel: str = Channel.WEB
) -> Application:
    """A draft of ``reason`` with the card (and the amount, for rent), the 承诺书, 提交申请, every
    material of the reason and the final submission, as a channel drives them."""
    id_number, bank, card = member
    walk = walk_of(id_number, channel=channel)
    application = services.application_start(person=walk.person, actor=walk.actor, reason=reason)
    services.application_update_draft(
        application=application, actor=walk.actor, bank=bank, card_no=card, amount_fen=amount_fen
    )
    services.application_accept_declaration(
        application=application,
        actor=walk.actor,
        version=declaration_for(active_policy(), application.reason).version,
        client_ip="127.0.0.1",
        user_agent="pytest",
    )
    application = walk.submit(Application.objects.get(pk=application.pk))
    assert application.state == State.AWAITING_MATERIALS, application.rule_results
    walk.upload_all(application)
    submitted = walk.final_submit(application)
    assert submitted.state == State.SUBMITTED
    # Evaluated as of the sample's day, like the services' today in these tests.
    Application.objects.filter(pk=submitted.pk).update(evaluated_at=SAMPLE_DAY)
    return Application.objects.get(pk=submitted.pk)


@pytest.fixture
def reason_cases(loaded_reasons, no_instant_approval, no_auto_payout):  # noqa: F811
    """Four cases in the order they were submitted: two purchases (张伟, 杨磊), a rent (曹阳) and a
    retirement (韩梅)."""
    zhang = _submit(ZHANG_WEI, contract_no=ZHANG_HOUSE, bank="CCB", card=ZHANG_CARD, amount_fen=8_642_050)
    yang = _submit(YANG_LEI, archive_no=YANG_ARCHIVE, bank="SJB", card=YANG_CARD, amount_fen=10_000_000)
    cao = _submit_reason("rent", CAO_YANG, amount_fen=450_000, channel=Channel.WECHAT)
    han = _submit_reason("retirement", HAN_MEI, channel=Channel.APP)
    assert (cao.reason, cao.reason_code, han.reason, han.reason_code) == ("rent", "07", "retirement", "03")
    return {"zhang": zhang, "yang": yang, "cao": cao, "han": han}


def _row(html: str, business_no: str) -> str:
    return html[html.index(f"/backoffice/cases/{business_no}/") :].split("</tr>")[0]


def _facts(html: str) -> dict[str, tuple[str, str]]:
    """The tenancy/retirement panel: label → (value, verdict)."""
    start = html.index('id="subject-facts"')
    panel = html[start : html.index("</section>", start)]
    return {
        label: (value, re.sub(r"<[^>]+>", "", verdict).strip())
        for label, value, verdict in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td>\s*<td>(.*?)</td></tr>', panel, re.S
        )
    }


def _rules_table(html: str) -> str:
    start = html.index('id="rules"')
    return html[start : html.index("</table>", start)]


def test_the_queue_filters_by_each_reason_and_names_it_in_each_row(reason_cases, staff, sign_in):
    no = {key: application.business_no for key, application in reason_cases.items()}
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    policy = active_policy()

    everything = [no["zhang"], no["yang"], no["cao"], no["han"]]
    assert _listed(client) == everything
    assert _listed(client, "?reason=") == everything
    assert _listed(client, "?reason=purchase") == [no["zhang"], no["yang"]]
    assert _listed(client, "?reason=rent") == [no["cao"]]
    assert _listed(client, "?reason=retirement") == [no["han"]]
    assert _listed(client, "?reason=rent&channel=wechat") == [no["cao"]]
    assert _listed(client, "?reason=rent&channel=web") == []

    html = client.get("/backoffice/queue/").content.decode()
    # The filter offers every reason of the registry, in its order, by its name.
    select = html[html.index('<select id="f-reason"') : html.index("</select>", html.index('id="f-reason"'))]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', select)
    assert options == [("", "全部"), *((key, reason_name(policy, key)) for key in REASONS)]
    assert [label for _, label in options[1:]] == ["购买商品住房提取", "租房提取", "离退休提取"]
    # Each row says its reason.
    assert "购买商品住房提取" in _row(html, no["zhang"])
    assert "租房提取" in _row(html, no["cao"]) and "购" not in _row(html, no["cao"])
    assert "离退休提取" in _row(html, no["han"]) and "购" not in _row(html, no["han"])
    # The chosen reason stays selected.
    chosen = client.get("/backoffice/queue/?reason=retirement").content.decode()
    assert '<option value="retirement" selected>离退休提取</option>' in chosen


def test_the_reason_filter_is_kept_across_pages(reason_cases, staff, sign_in, monkeypatch):
    monkeypatch.setattr(views_review, "QUEUE_PAGE_SIZE", 1)
    no = {key: application.business_no for key, application in reason_cases.items()}
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])

    first = client.get("/backoffice/queue/?reason=purchase").content.decode()
    assert CASE_ROW.findall(first) == [no["zhang"]]
    # 下一页 carries the filter and the last row's key (not a page number).
    next_link = re.search(r'href="\?(reason=purchase&amp;after=[0-9.]+)" rel="next"', first)
    assert next_link is not None
    second = client.get("/backoffice/queue/?" + next_link.group(1).replace("&amp;", "&")).content.decode()
    assert CASE_ROW.findall(second) == [no["yang"]]
    assert '<option value="purchase" selected>' in second


def test_an_unknown_reason_is_named_in_chinese_and_ignored(reason_cases, staff, sign_in):
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])
    response = client.get("/backoffice/queue/?reason=lottery")
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有“lottery”这个提取原因" in html
    assert len(CASE_ROW.findall(html)) == 4


def test_the_case_screen_of_a_rent_application(reason_cases, staff, sign_in):
    cao = reason_cases["cao"]
    account = staff[StaffRole.FIRST_REVIEWER]
    services.application_claim(application=cao, reviewer=account.user)
    client = _client(sign_in, account)

    html = client.get(f"/backoffice/cases/{cao.business_no}/").content.decode()

    assert re.search(rf"<h1>提取申请 {cao.business_no} <span[^>]*>租房提取</span></h1>", html)
    assert "<dt>提取原因</dt><dd>租房提取（代码 07）</dd>" in html
    for words in PURCHASE_WORDS:
        assert words not in html, words
    assert 'id="house-heading"' not in html
    # The tenancy facts the rules used.
    assert "租房提取核验" in html
    facts = _facts(html)
    assert facts["名下住房核验"] == ("住房信息系统中本人及配偶名下均无有效住房", "✓ 符合")
    assert facts["上次租房提取"] == ("2026-08-20 支付（本系统上线前的提取记录）", "—")
    assert facts["距上次租房提取"] == ("3 个月（两次租房提取须间隔至少 3 个月）", "✓ 符合")
    assert facts["每月限额 × 月数"][0] == (
        "1,500.00 元 × 3 个月（距上次 3 个月，最多计 12 个月） = 4,500.00 元"
    )
    assert facts["本次最多可提取"][0].startswith("4,500.00 元")
    # Its rules by name, as for purchases.
    rules = _rules_table(html)
    for rule in ("owns_house", "rent_interval", "amount"):
        assert any(r["rule"] == rule and r["passed"] for r in cao.rule_results), rule
    assert "名下住房" in rules and "租房提取间隔" in rules
    assert "owns_house" not in rules and "rent_interval" not in rules
    # Its own materials, by name; nothing about a house to correct.
    assert "租房提取应交材料：" in html
    required = html[
        html.index('id="required-materials"') : html.index("</p>", html.index('id="required-materials"'))
    ]
    assert re.sub(r"<[^>]+>", "", required).endswith("身份证正面、身份证反面、银行卡")
    assert "租赁合同" not in html and "（未上传）" not in html
    assert sorted(Material.objects.filter(application=cao).values_list("kind", flat=True)) == [
        "bank_card",
        "id_card_back",
        "id_card_front",
    ]
    assert 'value="house"' not in html and 'value="amount"' in html
    # The standard refusals of a tenancy: the policy's [rent] list.
    select = html[
        html.index('<select id="standard_reason"') : html.index(
            "</select>", html.index('id="standard_reason"')
        )
    ]
    assert tuple(re.findall(r"<option>([^<]+)</option>", select)) == active_policy().rent.reject_reasons
    assert "不符合租房提取政策的其他情形" in select and "购房" not in select
    refused = _post(
        client,
        f"/backoffice/cases/{cao.business_no}/reject/",
        {"standard_reason": "申请人与购房人关系无法确认"},
    )
    assert "请从列表中选择不予通过的原因" in refused
    assert Application.objects.get(pk=cao.pk).state == State.UNDER_REVIEW
    _post(
        client,
        f"/backoffice/cases/{cao.business_no}/reject/",
        {"standard_reason": "不符合租房提取政策的其他情形", "detail": "经核查已购房"},
    )
    rejected = Application.objects.get(pk=cao.pk)
    assert (rejected.state, rejected.decision_reason) == (
        State.REJECTED,
        "不符合租房提取政策的其他情形：经核查已购房",
    )


def test_a_rent_application_asks_for_the_lease_when_the_policy_does(
    loaded_reasons,
    no_auto_payout,  # noqa: F811
    settings,
    tmp_path,
    staff,
    sign_in,
):
    from pathlib import Path

    import gjj.policy

    text = (Path(gjj.policy.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    rent_materials = 'materials = ["id_card_front", "id_card_back", "bank_card"]'
    assert text.count(rent_materials) == 1
    custom = tmp_path / "policy.toml"
    custom.write_text(
        text.replace("instant_approval = true", "instant_approval = false").replace(
            rent_materials, 'materials = ["id_card_front", "id_card_back", "lease_contract", "bank_card"]'
        ),
        encoding="utf-8",
    )
    settings.GJJ_POLICY_FILE = str(custom)
    cao = _submit_reason("rent", CAO_YANG, amount_fen=300_000)
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])

    html = client.get(f"/backoffice/cases/{cao.business_no}/").content.decode()

    assert "租房提取应交材料：" in html and "租赁合同" in html
    lease = Material.objects.get(application=cao, kind="lease_contract", is_current=True)
    assert 'data-name="租赁合同"' in html and f"/materials/{lease.pk}/" in html
    assert "购房提取" not in html


def test_the_case_screen_of_a_retirement_application_until_the_account_is_closed(
    reason_cases, staff, sign_in
):
    han = reason_cases["han"]
    account = staff[StaffRole.FIRST_REVIEWER]
    services.application_claim(application=han, reviewer=account.user)
    client = _client(sign_in, account)

    html = client.get(f"/backoffice/cases/{han.business_no}/").content.decode()

    assert re.search(rf"<h1>提取申请 {han.business_no} <span[^>]*>离退休提取</span></h1>", html)
    assert "<dt>提取原因</dt><dd>离退休提取（代码 03）</dd>" in html
    for words in PURCHASE_WORDS:
        assert words not in html, words
    assert 'id="house-heading"' not in html
    assert "156,300.25 元" in html  # the whole balance
    facts = _facts(html)
    assert facts["退休日期"] == ("2025-03-31", "✓ 符合")
    assert facts["公积金贷款"] == ("无未结清的住房公积金贷款", "✓ 符合")
    assert facts["提取方式"] == ("一次提取全部余额，支付成功后销户", "—")
    assert facts["账户销户"] == ("未销户（当前账户状态：封存）", "—")
    rules = _rules_table(html)
    assert "退休状态" in rules and "公积金贷款结清" in rules
    assert "retired" not in rules and "loan_active" not in rules
    # Her own materials, by name: the 退休证明 among them.
    required = html[
        html.index('id="required-materials"') : html.index("</p>", html.index('id="required-materials"'))
    ]
    assert re.sub(r"<[^>]+>", "", required).endswith("身份证正面、身份证反面、退休证明、银行卡")
    certificate = Material.objects.get(application=han, kind="retirement_certificate", is_current=True)
    assert 'data-name="退休证明"' in html and f"/materials/{certificate.pk}/" in html
    # Neither a house nor the fixed amount is anything to correct.
    assert 'value="house"' not in html and 'value="amount"' not in html
    assert 'value="retirement_certificate"' in html

    # Approved and paid: the account is closed (销户).
    services.application_approve(application=han, reviewer=account.user, reason="退休证明齐全")
    payout = Application.objects.get(pk=han.pk).payouts.get()
    payouts.payout_execute(payout_id=payout.pk)
    assert Application.objects.get(pk=han.pk).state == State.PAID
    closed = FundAccount.objects.get(pk=han.account_id)
    assert closed.status == AccountStatus.CLOSED and closed.closed_at is not None

    html = client.get(f"/backoffice/cases/{han.business_no}/").content.decode()
    facts = _facts(html)
    value, verdict = facts["账户销户"]
    assert value.startswith("已销户（") and closed.closure_reason in value and verdict == "✓ 符合"
    assert "<dt>账户状态</dt><dd>销户</dd>" in html
    for words in PURCHASE_WORDS:
        assert words not in html, words


def test_the_purchase_case_screen_keeps_its_house_and_names_its_reason(reason_cases, staff, sign_in):
    zhang = reason_cases["zhang"]
    client = _client(sign_in, staff[StaffRole.FIRST_REVIEWER])

    html = client.get(f"/backoffice/cases/{zhang.business_no}/").content.decode()

    assert re.search(rf"<h1>提取申请 {zhang.business_no} <span[^>]*>购买商品住房提取</span></h1>", html)
    assert 'id="house-heading"' in html and "与购房人关系" in html
    assert 'id="subject-facts"' not in html
    assert "购买商品住房提取应交材料：" in html and "购房合同" in html


def test_a_paid_rent_withdrawal_of_this_system_dates_the_next(reason_cases, staff, sign_in):
    """The last rent withdrawal is this system's own once one was paid (not the application itself)."""
    cao = reason_cases["cao"]
    paid_at = dt.datetime(2026, 9, 25, 15, 0, tzinfo=SHANGHAI)
    earlier = Application.objects.create(
        business_no="GJJ20260925000001",
        person=cao.person,
        account=cao.account,
        reason="rent",
        reason_code="07",
        channel=Channel.WEB,
        state=State.PAID,
        amount_fen=150_000,
        paid_at=paid_at,
        submitted_at=paid_at - dt.timedelta(days=1),
    )
    Application.objects.filter(pk=cao.pk).update(state=State.PAID, paid_at=timezone.now())
    client = _client(sign_in, staff[StaffRole.AUDITOR])

    html = client.get(f"/backoffice/cases/{cao.business_no}/").content.decode()

    assert _facts(html)["上次租房提取"][0] == f"2026-09-25 支付（本系统业务 {earlier.business_no}）"
