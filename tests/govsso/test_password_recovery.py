"""忘记密码 / 找回密码: a code only to the phone on file when 身份证号, 姓名 and 手机号 all match,
the same answer either way, then a new password that replaces the old one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gjj.core.masking import mask_phone
from govsso.accounts.models import NaturalPerson
from tests.govsso.support import field_errors, latest_code, page_text

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "Liao@2026ning"
NEW_PASSWORD = "Shen@yang2027"


@pytest.fixture
def person(make_person: Any) -> NaturalPerson:
    return make_person(password=OLD_PASSWORD)


def comparable(page: str, *, phone: str) -> str:
    """A page without what differs between two visitors anyway: the CSRF token, and the masked
    phone each of them typed."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', page)
    return page.replace(mask_phone(phone), "PHONE")


def identity(person: NaturalPerson, **overrides: str) -> dict[str, str]:
    return {"id_number": person.id_number, "name": person.name, "phone": person.phone, **overrides}


def new_password(code: str, password: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {
        "verification_code": code,
        "new_password": password,
        "new_password_confirm": password if confirm is None else confirm,
    }


def test_the_first_step_is_choosing_natural_person(client: Client) -> None:
    page = page_text(client.get("/password/forgot/"))
    assert "自然人" in page and "法人" in page and "下一步" in page
    assert '<label for="user-type-natural">自然人</label>' in page

    chosen = client.get("/password/forgot/", {"user_type": "natural"})

    assert chosen.status_code == 302
    assert chosen["Location"] == "/password/forgot/natural/"


def test_legal_persons_are_told_it_is_not_handled_here(client: Client) -> None:
    chosen = client.get("/password/forgot/", {"user_type": "legal_person"})

    page = page_text(client.get(chosen["Location"]))
    assert "法人用户的密码不在此找回" in page


def test_the_identity_form_labels_its_fields(client: Client) -> None:
    page = page_text(client.get("/password/forgot/natural/"))

    for field, label in [("id_number", "身份证号"), ("name", "姓名"), ("phone", "手机号")]:
        assert f'<label class="field__label" for="id_{field}">{label}</label>' in page


def test_matching_details_send_a_code_and_the_new_password_replaces_the_old(
    client: Client, sms: Any, person: NaturalPerson
) -> None:
    asked = client.post("/password/forgot/natural/", identity(person))

    assert asked.status_code == 302
    reset_page = page_text(client.get(asked["Location"]))
    assert "如信息正确，验证码已发送至该手机（139****1234）" in reset_page
    [message] = sms.outbox(person.phone)
    assert "找回密码" in message["text"]

    done = client.post("/password/forgot/natural/reset/", new_password(latest_code(sms, person.phone)))

    assert done.status_code == 302
    assert done["Location"] == "/password/forgot/done/"
    assert "密码已重新设置" in page_text(client.get(done["Location"]))
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not person.check_password(OLD_PASSWORD)
    assert client.post("/login/", {"username": person.id_number, "password": OLD_PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": person.id_number, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    "wrong",
    [
        {"name": "王小亮"},
        {"phone": "13904001235"},
        {"id_number": "210102198506152348"},
    ],
)
def test_details_that_do_not_match_get_the_same_answer_and_no_sms(
    client: Client, sms: Any, clock: Any, person: NaturalPerson, wrong: dict[str, str]
) -> None:
    matching_client = Client()
    matching = matching_client.post("/password/forgot/natural/", identity(person))
    matching_page = page_text(matching_client.get(matching["Location"]))
    sms.reset()
    clock.advance(seconds=60)  # the phone's rate limit holds for both

    other = client.post("/password/forgot/natural/", identity(person, **wrong))

    assert other.status_code == matching.status_code == 302
    assert other["Location"] == matching["Location"]
    other_page = page_text(client.get(other["Location"]))
    phone = wrong.get("phone", person.phone)
    assert comparable(other_page, phone=phone) == comparable(matching_page, phone=person.phone)
    assert sms.outbox(phone) == []
    assert sms.outbox(person.phone) == []


def test_without_a_matching_account_no_code_can_set_a_password(
    client: Client, sms: Any, person: NaturalPerson
) -> None:
    client.post("/password/forgot/natural/", identity(person, name="王小亮"))

    refused = client.post("/password/forgot/natural/reset/", new_password("123456"))

    assert field_errors(refused, "verification_code") == [
        "短信验证码错误或已失效，请核对后重新输入或重新获取"
    ]
    person.refresh_from_db()
    assert person.check_password(OLD_PASSWORD)


def test_an_expired_code_gets_the_same_message_as_a_wrong_one(
    client: Client, sms: Any, clock: Any, person: NaturalPerson
) -> None:
    client.post("/password/forgot/natural/", identity(person))
    code = latest_code(sms, person.phone)
    clock.advance(minutes=6)

    refused = client.post("/password/forgot/natural/reset/", new_password(code))

    assert field_errors(refused, "verification_code") == [
        "短信验证码错误或已失效，请核对后重新输入或重新获取"
    ]


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short1A", None, "new_password", "密码至少需要 8 位，您输入的是 7 位"),
        ("alllowercase1", None, "new_password", "密码需包含大写字母、小写字母、数字、符号中的至少 3 种"),
        ("Ab@210102199003071233", None, "new_password", "密码不能包含身份证号"),
        ("Ab@13904001234", None, "new_password", "密码不能包含手机号"),
        (NEW_PASSWORD, "Shen@yang2028", "new_password_confirm", "两次输入的密码不一致，请重新输入"),
    ],
)
def test_the_new_password_follows_the_same_rules(
    client: Client,
    sms: Any,
    person: NaturalPerson,
    password: str,
    confirm: str | None,
    field: str,
    message: str,
) -> None:
    client.post("/password/forgot/natural/", identity(person))
    code = latest_code(sms, person.phone)

    refused = client.post("/password/forgot/natural/reset/", new_password(code, password, confirm))

    assert message in field_errors(refused, field)
    assert NEW_PASSWORD not in page_text(refused)
    person.refresh_from_db()
    assert person.check_password(OLD_PASSWORD)


def test_a_new_code_can_be_asked_for_on_the_reset_page(
    client: Client, sms: Any, clock: Any, person: NaturalPerson
) -> None:
    client.post("/password/forgot/natural/", identity(person))
    too_soon = client.post("/password/forgot/natural/code/")
    assert "获取验证码过于频繁" in page_text(too_soon)
    clock.advance(seconds=60)

    resent = client.post("/password/forgot/natural/code/")

    assert "如信息正确，验证码已发送至该手机（139****1234），5 分钟内有效" in page_text(resent)
    assert len(sms.outbox(person.phone)) == 2


def test_the_reset_page_needs_the_first_step(client: Client) -> None:
    sent_back = client.get("/password/forgot/natural/reset/")

    assert sent_back.status_code == 302
    assert sent_back["Location"] == "/password/forgot/natural/"


def test_a_reset_lifts_a_login_lockout(client: Client, sms: Any, person: NaturalPerson) -> None:
    for _ in range(5):
        client.post("/login/", {"username": person.id_number, "password": "Wrong@2026x"})
    assert client.post("/login/", {"username": person.id_number, "password": OLD_PASSWORD}).status_code == 429

    client.post("/password/forgot/natural/", identity(person))
    client.post("/password/forgot/natural/reset/", new_password(latest_code(sms, person.phone)))

    assert client.post("/login/", {"username": person.id_number, "password": NEW_PASSWORD}).status_code == 302


def test_the_recovery_help_page_walks_through_the_steps(client: Client) -> None:
    page = page_text(client.get("/help/password/"))

    assert "找回密码帮助手册" in page
    for step in ("第一步", "第二步", "第三步", "第四步"):
        assert step in page


@pytest.mark.parametrize(
    "id_number",
    ["210103195803121751", "210122196010100583", "21011219650606021X"],
    ids=["1958 沈河区", "辽中县 retired 2016", "东陵区 before 浑南区"],
)
def test_older_members_and_retired_area_codes_recover_their_password(
    client: Client, sms: Any, make_person: Any, id_number: str
) -> None:
    person = make_person(id_number=id_number, password=OLD_PASSWORD)

    asked = client.post(
        "/password/forgot/natural/", identity(person, id_number=f" {id_number[:6]} {id_number[6:]}")
    )
    assert asked.status_code == 302
    done = client.post(asked["Location"], new_password(latest_code(sms, person.phone)))

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_a_number_no_one_can_hold_is_named_on_the_identity_form(
    client: Client, person: NaturalPerson
) -> None:
    refused = client.post("/password/forgot/natural/", identity(person, id_number="21010219620418013X"))

    assert refused.status_code == 200
    assert field_errors(refused, "id_number") == ["身份证号校验位（第 18 位）与前 17 位不符，请逐位核对"]
