"""注册账号: the choice of user type, the natural-person form with its SMS code, every
validation, and "身份证被占用"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govsso.accounts.models import NaturalPerson
from tests.govsso.support import field_errors, id_number, latest_code, page_text, with_wrong_check_digit
from tests.support.id_numbers import INVALID, VALID

pytestmark = pytest.mark.django_db

NEW_ID = id_number("21010219850615234")
NEW_PHONE = "13804005678"
GOOD_PASSWORD = "Shen@yang2026"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "李晓红",
        "id_number": NEW_ID,
        "phone": NEW_PHONE,
        "verification_code": "000000",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def request_code(client: Client, phone: str = NEW_PHONE, **typed: str) -> Any:
    return client.post("/register/natural/code/", {"phone": phone, **typed})


def test_the_register_page_offers_natural_and_legal_person(client: Client) -> None:
    page = page_text(client.get("/register/"))

    assert "自然人用户" in page and "法人用户" in page
    assert 'href="/register/natural/"' in page
    assert 'href="/register/legal-person/"' in page


def test_legal_person_registration_is_explained_as_not_handled_here(client: Client) -> None:
    page = page_text(client.get("/register/legal-person/"))

    assert "法人用户注册不在此办理" in page
    assert 'href="/register/"' in page


def test_the_form_labels_every_field(client: Client) -> None:
    page = page_text(client.get("/register/natural/"))

    for field, label in [
        ("name", "姓名"),
        ("id_number", "身份证号"),
        ("phone", "手机号"),
        ("verification_code", "短信验证码"),
        ("password", "密码"),
        ("password_confirm", "确认密码"),
    ]:
        assert f'<label class="field__label" for="id_{field}">{label}</label>' in page
    assert "获取验证码" in page
    assert ">注册</button>" in page


def test_a_natural_person_registers_with_the_code_from_the_sms(client: Client, sms: Any) -> None:
    sent = request_code(client, name="李晓红", id_number=NEW_ID)

    assert sent.status_code == 200
    assert "验证码已发送至 138****5678" in page_text(sent)
    assert 'value="李晓红"' in page_text(sent)  # what was typed stays
    [message] = sms.outbox(NEW_PHONE)
    assert message["text"].startswith("【辽宁政务服务网】您的注册验证码为")
    assert message["text"].endswith("，5分钟内有效。")

    registered = client.post("/register/natural/", form_data(verification_code=latest_code(sms, NEW_PHONE)))

    assert registered.status_code == 302
    assert registered["Location"] == "/register/done/"
    done = page_text(client.get(registered["Location"]))
    assert "注册成功" in done and 'href="/login/"' in done
    person = NaturalPerson.objects.get(id_number=NEW_ID)
    assert (person.name, person.phone) == ("李晓红", NEW_PHONE)
    assert person.check_password(GOOD_PASSWORD)
    assert GOOD_PASSWORD not in person.password


def test_a_lower_case_x_is_stored_upper_case(client: Client, sms: Any) -> None:
    with_x = id_number("21010219900101004")
    assert with_x.endswith("X")
    request_code(client)

    client.post(
        "/register/natural/",
        form_data(id_number=with_x.lower(), verification_code=latest_code(sms, NEW_PHONE)),
    )

    assert NaturalPerson.objects.filter(id_number=with_x).exists()


def test_the_code_request_works_from_script_too(client: Client, sms: Any) -> None:
    answer = client.post("/register/natural/code/", {"phone": NEW_PHONE}, HTTP_ACCEPT="application/json")

    assert answer.status_code == 200
    assert answer.json() == {
        "ok": True,
        "field": "verification_code",
        "message": "验证码已发送至 138****5678，5 分钟内有效",
        "retry_after_seconds": 60,
    }
    assert len(sms.outbox(NEW_PHONE)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "请输入姓名"),
        ({"name": "李2红"}, "name", "姓名不能包含数字"),
        ({"id_number": ""}, "id_number", "请输入身份证号"),
        (
            {"id_number": with_wrong_check_digit(NEW_ID)},
            "id_number",
            "身份证号校验位（第 18 位）与前 17 位不符，请逐位核对",
        ),
        (
            {"id_number": id_number("21010219851345234")},
            "id_number",
            "身份证号第 7–14 位的出生日期不是有效日期",
        ),
        ({"id_number": "2101021985061523"}, "id_number", "身份证号应为 18 位，您输入的是 16 位"),
        ({"phone": "1380400567"}, "phone", "手机号应为 11 位数字，以 1 开头"),
        ({"verification_code": "12345"}, "verification_code", "短信验证码应为 6 位数字"),
        ({"password": "Ab1@", "password_confirm": "Ab1@"}, "password", "密码至少需要 8 位，您输入的是 4 位"),
        (
            {"password": "shenyang2026", "password_confirm": "shenyang2026"},
            "password",
            "密码需包含大写字母、小写字母、数字、符号中的至少 3 种",
        ),
        (
            {"password": f"Ab@{NEW_ID}", "password_confirm": f"Ab@{NEW_ID}"},
            "password",
            "密码不能包含身份证号",
        ),
        (
            {"password": f"Ab@{NEW_PHONE}", "password_confirm": f"Ab@{NEW_PHONE}"},
            "password",
            "密码不能包含手机号",
        ),
        ({"password_confirm": "Shen@yang2027"}, "password_confirm", "两次输入的密码不一致，请重新输入"),
    ],
)
def test_each_problem_is_shown_next_to_its_field(
    client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    shown = client.post("/register/natural/", form_data(**overrides))

    assert shown.status_code == 200
    assert message in field_errors(shown, field)
    page = page_text(shown)
    assert f'id="id_{field}_error"' in page and message in page
    assert 'aria-invalid="true"' in page
    assert NaturalPerson.objects.count() == 0


def test_a_re_shown_form_keeps_what_was_typed_but_not_the_passwords(client: Client) -> None:
    shown = client.post("/register/natural/", form_data(phone="12345"))

    page = page_text(shown)
    assert 'value="李晓红"' in page and f'value="{NEW_ID}"' in page and 'value="12345"' in page
    assert GOOD_PASSWORD not in page


def test_a_wrong_code_is_refused(client: Client, sms: Any) -> None:
    request_code(client)
    right = latest_code(sms, NEW_PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = client.post("/register/natural/", form_data(verification_code=wrong))

    assert field_errors(refused, "verification_code") == ["短信验证码不正确，请核对后重新输入"]
    assert not NaturalPerson.objects.exists()


def test_a_code_never_requested_is_refused(client: Client, sms: Any) -> None:
    refused = client.post("/register/natural/", form_data(verification_code="123456"))

    assert field_errors(refused, "verification_code") == ["请先获取短信验证码"]


def test_a_code_older_than_five_minutes_is_refused(client: Client, sms: Any, clock: Any) -> None:
    request_code(client)
    code = latest_code(sms, NEW_PHONE)
    clock.advance(minutes=5, seconds=1)

    refused = client.post("/register/natural/", form_data(verification_code=code))

    assert field_errors(refused, "verification_code") == ["短信验证码已过期（有效期 5 分钟），请重新获取"]
    assert not NaturalPerson.objects.exists()


def test_a_code_still_works_just_before_five_minutes(client: Client, sms: Any, clock: Any) -> None:
    request_code(client)
    code = latest_code(sms, NEW_PHONE)
    clock.advance(minutes=4, seconds=59)

    registered = client.post("/register/natural/", form_data(verification_code=code))

    assert registered.status_code == 302


def test_a_code_is_used_once(client: Client, sms: Any, make_person: Any) -> None:
    request_code(client)
    code = latest_code(sms, NEW_PHONE)
    client.post("/register/natural/", form_data(verification_code=code))
    NaturalPerson.objects.all().delete()

    again = client.post("/register/natural/", form_data(verification_code=code))

    assert field_errors(again, "verification_code") == [
        "短信验证码已失效（已使用或输错次数过多），请重新获取"
    ]


def test_five_wrong_codes_spend_the_code(client: Client, sms: Any) -> None:
    request_code(client)
    right = latest_code(sms, NEW_PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post("/register/natural/", form_data(verification_code=wrong))

    refused = client.post("/register/natural/", form_data(verification_code=right))

    assert field_errors(refused, "verification_code") == [
        "短信验证码已失效（已使用或输错次数过多），请重新获取"
    ]


def test_only_the_newest_code_counts(client: Client, sms: Any, clock: Any) -> None:
    request_code(client)
    first = latest_code(sms, NEW_PHONE)
    clock.advance(seconds=61)
    request_code(client)
    second = latest_code(sms, NEW_PHONE)
    if first == second:  # one chance in a million
        pytest.skip("两次验证码恰好相同")

    refused = client.post("/register/natural/", form_data(verification_code=first))
    assert field_errors(refused, "verification_code") == ["短信验证码不正确，请核对后重新输入"]
    assert client.post("/register/natural/", form_data(verification_code=second)).status_code == 302


def test_an_id_number_with_an_account_gets_only_id_card_taken(
    client: Client, sms: Any, make_person: Any
) -> None:
    existing = make_person(id_number=NEW_ID, name="赵大海", phone="13904009999")
    request_code(client)

    refused = client.post("/register/natural/", form_data(verification_code=latest_code(sms, NEW_PHONE)))

    assert refused.status_code == 200
    assert field_errors(refused, "id_number") == ["身份证被占用"]
    page = page_text(refused)
    error_block = page.split('id="id_id_number_error"', 1)[1].split("</div>", 1)[0]
    assert "身份证被占用" in error_block
    assert '<a href="/password/forgot/">忘记密码</a>' in error_block
    # Nothing about the account that has the number: not its name, phone (even masked), or date.
    for revealing in (existing.name, existing.phone, "139****9999", "注册时间"):
        assert revealing not in page
    assert NaturalPerson.objects.count() == 1


def test_the_code_is_checked_before_the_id_number_is_looked_at(
    client: Client, sms: Any, make_person: Any
) -> None:
    """Whether a number has an account is told only to someone holding a code for their phone."""
    make_person(id_number=NEW_ID, phone="13904009999")

    refused = client.post("/register/natural/", form_data(verification_code="123456"))

    assert field_errors(refused, "id_number") == []
    assert "身份证被占用" not in page_text(refused)


def same_page(page: str, phone: str) -> str:
    """A page without what differs anyway: the CSRF token and the phone typed (masked or not)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.replace(phone, "PHONE").replace(f"{phone[:3]}****{phone[-4:]}", "PHONE")


def test_a_phone_with_an_account_gets_the_same_answer_and_its_owner_a_notice_not_a_code(
    client: Client, sms: Any, make_person: Any
) -> None:
    """Whether a number has an account is not told to whoever types it in (phone enumeration)."""
    free = request_code(client, phone="13904007777")
    make_person(phone=NEW_PHONE)

    answered = request_code(client)

    assert answered.status_code == free.status_code == 200
    assert same_page(page_text(answered), NEW_PHONE) == same_page(page_text(free), "13904007777")
    assert "该手机号已被其他账户使用" not in page_text(answered)
    [notice] = sms.outbox(NEW_PHONE)
    assert "已注册政务服务网账户，未发送验证码" in notice["text"]
    assert not re.search(r"\d{6}", notice["text"])
    refused = client.post("/register/natural/", form_data(verification_code="000000"))
    assert refused.status_code == 200 and NaturalPerson.objects.filter(phone=NEW_PHONE).count() == 1


def test_a_phone_taken_between_code_and_registration_is_refused(
    client: Client, sms: Any, make_person: Any
) -> None:
    request_code(client)
    code = latest_code(sms, NEW_PHONE)
    make_person(phone=NEW_PHONE)

    refused = client.post("/register/natural/", form_data(verification_code=code))

    assert field_errors(refused, "phone")[0].startswith("该手机号已被其他账户使用")


def test_a_bad_phone_gets_no_code(client: Client, sms: Any) -> None:
    refused = request_code(client, phone="2380400567")

    assert refused.status_code == 400
    assert "手机号应为 11 位数字，以 1 开头" in page_text(refused)


def test_a_gateway_failure_is_reported_and_does_not_count(client: Client, sms: Any) -> None:
    sms.set_fault(system="sms", operation="send", mode="error", count=1)

    failed = request_code(client)

    assert failed.status_code == 400
    assert "短信发送失败，请稍后重试" in page_text(failed)
    sms.clear_faults()
    assert request_code(client).status_code == 200  # at once: the failed request is forgotten
    assert len(sms.outbox(NEW_PHONE)) == 1


@pytest.mark.parametrize(("id_number", "who"), VALID)
def test_people_of_every_age_and_area_code_register(
    client: Client, sms: Any, id_number: str, who: str
) -> None:
    """A 身份证号 carries the code of the area that issued it, whatever the birth year: a person born
    in 1958 in 沈河区 (a code from 1983) or holding 辽中县's retired 210122 registers."""
    request_code(client)

    registered = client.post(
        "/register/natural/", form_data(id_number=id_number, verification_code=latest_code(sms, NEW_PHONE))
    )

    assert registered.status_code == 302, (who, field_errors(registered, "id_number"))
    assert NaturalPerson.objects.get(id_number=id_number).name == "李晓红"


@pytest.mark.parametrize(("id_number", "reason"), INVALID)
def test_numbers_no_one_can_hold_are_refused_naming_the_part(
    client: Client, sms: Any, id_number: str, reason: str
) -> None:
    request_code(client)

    refused = client.post(
        "/register/natural/", form_data(id_number=id_number, verification_code=latest_code(sms, NEW_PHONE))
    )

    assert refused.status_code == 200
    assert field_errors(refused, "id_number") == [reason]
    assert reason in page_text(refused)
    assert not NaturalPerson.objects.exists()
