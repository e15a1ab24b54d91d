"""What members and the bank read name the application's own reason: the SMS at every member event
(gjj.withdrawals.notifications), the WeChat template's first line, the payout memo
(gjj.withdrawals.payouts), the receipt's rows (gjj.withdrawals.receipts: a house only for a
purchase), the facts and rows of 我的业务 (gjj.withdrawals.selectors) and the refusal's message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gjj.members.models import AccountStatus, Employer, FundAccount, Person
from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.wechat.notifications import template_data
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.errors import ApplicationRefused
from gjj.withdrawals.events import MemberEvent
from gjj.withdrawals.models import Application, Channel, State
from gjj.withdrawals.notifications import notify
from gjj.withdrawals.payouts import payout_memo
from gjj.withdrawals.receipts import receipt_content
from gjj.withdrawals.selectors import application_facts, applications_for_member
from tests.gjj.withdrawals.conftest import ZHANG_CARD, ZHANG_WEI

pytestmark = pytest.mark.django_db

ID_NUMBER = "210104199609090351"
CARD = "6222022952745110411"
HOUSE = "SY202605180001234"
HOUSE_ROWS = ("房屋坐落", "备案合同号", "房证新档案号", "与购房人关系")
SHORT_NAMES = {"purchase": "购房提取", "rent": "租房提取", "retirement": "离退休提取"}
FULL_NAMES = {"purchase": "购买商品住房提取", "rent": "租房提取", "retirement": "离退休提取"}


@pytest.fixture
def account(db) -> FundAccount:
    employer = Employer.objects.create(code="E0002", name="辽宁省交通规划设计院")
    person = Person.objects.create(id_number=ID_NUMBER, name="曹阳", phone="13804001014")
    return FundAccount.objects.create(
        account_no="210500000002",
        person=person,
        employer=employer,
        status=AccountStatus.NORMAL,
        balance_fen=2_600_000,
        opened_on=dt.date(2016, 7, 1),
        paid_through="2026-10",
        consecutive_months=24,
    )


def _application(account: FundAccount, reason: str, *, number: int = 1, **fields) -> Application:
    house = (
        {
            "lookup_field": "contract_no",
            "house_key": HOUSE,
            "house_snapshot": {
                "contract_no": HOUSE,
                "kind": "new",
                "address": "沈阳市浑南区智慧四街18-2号2-8-1",
            },
            "relation": "buyer",
        }
        if reason == "purchase"
        else {}
    )
    values = {
        "business_no": f"TQ202611270000{number}",
        "person": account.person,
        "account": account,
        "channel": Channel.WEB,
        "state": State.SUBMITTED,
        "reason": reason,
        "reason_code": {"purchase": "01", "rent": "07", "retirement": "03"}[reason],
        "bank": "ICBC",
        "card_no": CARD,
        "amount_fen": 450_000,
        "decision_reason": "材料不清晰",
        "submitted_at": dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC),
        **house,
        **fields,
    }
    return Application.objects.create(**values)


def _sms(application: Application, event: MemberEvent) -> str:
    with transaction.atomic():
        return notify(application=application, event=event).text


# -- SMS and WeChat -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["rent", "retirement"])
@pytest.mark.parametrize("event", list(MemberEvent))
def test_every_sms_names_the_applications_reason(account, reason, event):
    application = _application(account, reason)

    text = _sms(application, event)

    assert text.startswith("【辽宁省省直住房资金管理中心】您的" + SHORT_NAMES[reason])
    assert "购房提取" not in text and "购房" not in text
    assert application.business_no in text
    assert CARD not in text


@pytest.mark.parametrize("event", list(MemberEvent))
def test_a_purchase_sms_still_says_purchase(account, event):
    assert "您的购房提取" in _sms(_application(account, "purchase"), event)


def test_the_paid_sms_of_an_open_account_does_not_speak_of_closure(account):
    text = _sms(_application(account, "retirement", state=State.PAID), MemberEvent.PAID)

    assert "离退休提取款4,500.00 元已转入工商银行账户" in text
    assert "销户" not in text


def test_the_paid_sms_of_a_closed_account_says_so(account):
    application = _application(account, "retirement", state=State.PAID)
    FundAccount.objects.filter(pk=account.pk).update(status=AccountStatus.CLOSED, balance_fen=0)

    text = _sms(application, MemberEvent.PAID)

    assert "离退休提取款4,500.00 元已转入" in text and "您的住房公积金个人账户已销户。" in text
    # Only the payment says it: an earlier event's message does not.
    assert "销户" not in _sms(application, MemberEvent.APPROVED)


@pytest.mark.parametrize("reason", ["purchase", "rent", "retirement"])
def test_the_wechat_template_names_the_reason(account, reason):
    data = template_data(_application(account, reason), "paid")

    assert data["first"] == {"value": f"您的{SHORT_NAMES[reason]}申请有新进展"}


# -- the payout memo -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["purchase", "rent", "retirement"])
def test_the_payout_memo_names_the_reason_and_the_business_number(account, reason):
    application = _application(account, reason)

    assert payout_memo(application) == f"{SHORT_NAMES[reason]} {application.business_no}"


# -- the receipt, 我的业务 and the detail's facts ---------------------------------------------------


@pytest.mark.parametrize("reason", ["rent", "retirement"])
def test_the_receipt_names_no_house_for_the_other_reasons(account, reason):
    rows = dict(receipt_content(application=_application(account, reason)).rows)

    assert rows["提取原因"] == FULL_NAMES[reason]
    assert not set(HOUSE_ROWS) & set(rows)
    assert rows["收款银行"] == "工商银行" and rows["提取金额"] == "4,500.00 元"
    assert "账户状态" not in rows  # the account is open


def test_the_receipt_of_a_purchase_names_its_house(account):
    rows = dict(receipt_content(application=_application(account, "purchase")).rows)

    assert rows["提取原因"] == "购买商品住房提取"
    assert rows["房屋坐落"] == "沈阳市浑南区智慧四街18-2号2-8-1"
    assert rows["备案合同号"] == HOUSE and rows["与购房人关系"] == "本人"


def test_the_receipt_rows_keep_their_order_without_a_house(account):
    labels = [label for label, _ in receipt_content(application=_application(account, "rent")).rows]

    assert labels[:6] == ["业务流水号", "申请人", "身份证号", "个人账号", "提取原因", "收款银行"]


def test_the_receipt_of_a_closed_account_says_closed(account):
    application = _application(
        account, "retirement", state=State.PAID, paid_at=dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
    )
    FundAccount.objects.filter(pk=account.pk).update(status=AccountStatus.CLOSED, balance_fen=0)
    application.refresh_from_db()

    rows = receipt_content(application=application).rows

    assert rows[-2:] == [("到账时间", "2026-11-27 11:00:00"), ("账户状态", "已销户")]


@pytest.mark.parametrize("reason", ["purchase", "rent", "retirement"])
def test_the_facts_of_an_application_carry_its_reason(account, reason):
    facts = application_facts(application=_application(account, reason))

    assert (facts.reason, facts.reason_name) == (reason, FULL_NAMES[reason])
    assert facts.has_house is (reason == "purchase")
    assert facts.account_closed is False


def test_my_applications_name_each_ones_reason(account):
    for number, reason in enumerate(("purchase", "rent", "retirement"), start=1):
        _application(account, reason, number=number, state=State.CANCELLED)

    rows = applications_for_member(person=account.person)

    assert sorted(row.reason_name for row in rows) == sorted(FULL_NAMES.values())


# -- the refusal's message -------------------------------------------------------------------------


def _refused(id_number: str, reason: str, *, bank: str, card_no: str) -> ApplicationRefused:
    person = Person.objects.select_related("account").get(id_number=id_number)
    actor = Actor.member(person, channel=Channel.WEB)
    application = services.application_start(person=person, actor=actor, reason=reason)
    services.application_update_draft(application=application, actor=actor, bank=bank, card_no=card_no)
    services.application_accept_declaration(
        application=application,
        actor=actor,
        version=declaration_for(active_policy(), application.reason).version,
        client_ip="127.0.0.1",
        user_agent="pytest",
    )
    with pytest.raises(ApplicationRefused) as refused:
        services.application_submit(application=application, actor=actor)
    return refused.value


def test_a_rent_refusal_says_rent(loaded_reasons):
    refused = _refused(ZHANG_WEI, "rent", bank="CCB", card_no=ZHANG_CARD)

    reasons = "；".join(result.reason for result in refused.evaluation.failures)
    assert refused.message == f"不符合租房提取条件：{reasons}"
    assert "您名下有住房" in refused.message and "购房提取" not in refused.message


def test_a_retirement_refusal_says_retirement(loaded_reasons):
    # 邓超 is retired but still repays a provident-fund loan.
    refused = _refused("210105196407010176", "retirement", bank="SJB", card_no="6224558587060954098")

    assert refused.message == (
        "不符合离退休提取条件：您有未结清的住房公积金贷款，须先结清贷款后再申请离退休提取"
    )
