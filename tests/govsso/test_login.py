"""登录: by 身份证号 or 手机号, one message for every failure, the lockout after 5 failures, and a
``next`` that only leads to govsso's own pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govsso.accounts.models import NaturalPerson
from tests.govsso.support import page_text
from tests.support.id_numbers import INVALID, VALID

pytestmark = pytest.mark.django_db

PASSWORD = "Liao@2026ning"
FAILED = "身份证号/手机号或密码错误"


@pytest.fixture
def person(make_person: Any) -> NaturalPerson:
    return make_person(password=PASSWORD)


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_login_page_labels_its_fields_and_links_registration_and_recovery(client: Client) -> None:
    page = page_text(client.get("/login/"))

    assert '<label class="field__label" for="id_username">身份证号/手机号</label>' in page
    assert '<label class="field__label" for="id_password">密码</label>' in page
    assert ">登录</button>" in page
    assert '<a href="/register/">注册账号</a>' in page
    assert '<a href="/password/forgot/">忘记密码</a>' in page


def test_login_by_id_number(client: Client, person: NaturalPerson) -> None:
    answer = client.post("/login/", {"username": person.id_number, "password": PASSWORD})

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert signed_in_as(client) == str(person.pk)
    assert "您已登录：王小明" in page_text(client.get("/"))


def test_login_by_phone(client: Client, person: NaturalPerson) -> None:
    answer = client.post("/login/", {"username": person.phone, "password": PASSWORD})

    assert answer.status_code == 302
    assert signed_in_as(client) == str(person.pk)


def test_a_lower_case_x_signs_in(client: Client, make_person: Any) -> None:
    person = make_person(id_number="21010219900101004X", phone="13904000001")

    answer = client.post("/login/", {"username": person.id_number.lower(), "password": PASSWORD})

    assert answer.status_code == 302


@pytest.mark.parametrize(("id_number", "who"), VALID)
def test_members_of_every_age_and_area_code_sign_in_by_id_number(
    client: Client, make_person: Any, id_number: str, who: str
) -> None:
    person = make_person(id_number=id_number, phone="13904000002")

    answer = client.post("/login/", {"username": id_number, "password": PASSWORD})

    assert answer.status_code == 302, who
    assert signed_in_as(client) == str(person.pk)


@pytest.mark.parametrize(
    "typed",
    ["210102 19620418 0133", " 210102196204180133 ", "２１０１０２１９６２０４１８０１３３"],
)
def test_the_id_number_is_taken_as_people_type_it(client: Client, make_person: Any, typed: str) -> None:
    person = make_person(id_number="210102196204180133", phone="13904000003")

    answer = client.post("/login/", {"username": typed, "password": PASSWORD})

    assert answer.status_code == 302
    assert signed_in_as(client) == str(person.pk)


@pytest.mark.parametrize(("id_number", "reason"), INVALID)
def test_a_number_no_one_can_hold_is_named_before_any_password_is_tried(
    client: Client, person: NaturalPerson, id_number: str, reason: str
) -> None:
    answer = client.post("/login/", {"username": id_number, "password": PASSWORD})

    assert answer.status_code == 200
    assert answer.context["form"].errors["username"] == [reason]
    assert reason in page_text(answer)
    assert signed_in_as(client) is None


def test_mistyped_numbers_do_not_count_towards_the_lockout(client: Client, person: NaturalPerson) -> None:
    for _ in range(6):
        client.post("/login/", {"username": "210102196204180134", "password": "Wrong@2026x"})

    answer = client.post("/login/", {"username": person.id_number, "password": PASSWORD})

    assert answer.status_code == 302


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "210102199003071233", "password": "Wrong@2026x"},
        {"username": "13904001234", "password": "Wrong@2026x"},
        {"username": "210102198506152348", "password": PASSWORD},
        {"username": "13800000000", "password": PASSWORD},
    ],
)
def test_every_failure_gets_the_same_message(
    client: Client, person: NaturalPerson, credentials: dict[str, str]
) -> None:
    answer = client.post("/login/", credentials)

    assert answer.status_code == 200
    assert answer.context["form"].non_field_errors() == [FAILED]
    assert answer.context["form"].errors.get("username") is None
    assert answer.context["form"].errors.get("password") is None
    assert signed_in_as(client) is None


def test_an_inactive_account_cannot_sign_in(client: Client, person: NaturalPerson) -> None:
    NaturalPerson.objects.filter(pk=person.pk).update(is_active=False)

    answer = client.post("/login/", {"username": person.id_number, "password": PASSWORD})

    assert answer.context["form"].non_field_errors() == [FAILED]


def test_five_failures_lock_the_account_for_15_minutes(client: Client, person: NaturalPerson) -> None:
    for attempt in range(4):
        answer = client.post("/login/", {"username": person.id_number, "password": f"Wrong@{attempt}xx"})
        assert answer.status_code == 200

    fifth = client.post("/login/", {"username": person.id_number, "password": "Wrong@5xx"})

    assert fifth.status_code == 429
    assert "该账号已被锁定 15 分钟" in page_text(fifth)
    assert 'href="/password/forgot/"' in page_text(fifth)
    locked = client.post("/login/", {"username": person.id_number, "password": PASSWORD})
    assert locked.status_code == 429
    assert "该账号已被锁定 15 分钟" in page_text(locked)
    assert signed_in_as(client) is None


def test_the_lockout_counts_the_account_whether_id_number_or_phone_was_typed(
    client: Client, person: NaturalPerson
) -> None:
    for typed in [person.id_number, person.phone, person.id_number, person.phone, person.phone]:
        client.post("/login/", {"username": typed, "password": "Wrong@2026x"})

    assert client.post("/login/", {"username": person.id_number, "password": PASSWORD}).status_code == 429
    assert client.post("/login/", {"username": person.phone, "password": PASSWORD}).status_code == 429


def test_the_lockout_ends_after_15_minutes(
    client: Client, person: NaturalPerson, monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    import axes.attempts
    import axes.handlers.proxy

    # axes imported ``now`` by name: it follows the test's clock only when pointed at it.
    monkeypatch.setattr(axes.handlers.proxy, "now", clock.now)
    monkeypatch.setattr(axes.attempts, "now", clock.now)
    for _ in range(5):
        client.post("/login/", {"username": person.id_number, "password": "Wrong@2026x"})
    clock.advance(minutes=14, seconds=59)
    assert client.post("/login/", {"username": person.id_number, "password": PASSWORD}).status_code == 429

    clock.advance(seconds=2)

    assert client.post("/login/", {"username": person.id_number, "password": PASSWORD}).status_code == 302


def test_a_success_forgets_earlier_failures(client: Client, person: NaturalPerson) -> None:
    for _ in range(4):
        client.post("/login/", {"username": person.id_number, "password": "Wrong@2026x"})
    client.post("/login/", {"username": person.id_number, "password": PASSWORD})
    client.post("/logout/")

    for _ in range(4):
        client.post("/login/", {"username": person.id_number, "password": "Wrong@2026x"})

    assert client.post("/login/", {"username": person.id_number, "password": PASSWORD}).status_code == 302


def test_one_locked_account_does_not_lock_another(
    client: Client, person: NaturalPerson, make_person: Any
) -> None:
    other = make_person(id_number="210102198506152348", phone="13904005555")
    for _ in range(5):
        client.post("/login/", {"username": person.id_number, "password": "Wrong@2026x"})

    assert client.post("/login/", {"username": other.phone, "password": PASSWORD}).status_code == 302


def test_next_leads_back_to_a_govsso_page(client: Client, person: NaturalPerson) -> None:
    target = "/o/authorize/?client_id=gjj-hall&state=abc"
    page = page_text(client.get("/login/", {"next": target}))
    assert 'name="next" value="/o/authorize/?client_id=gjj-hall&amp;state=abc"' in page

    answer = client.post("/login/", {"username": person.id_number, "password": PASSWORD, "next": target})

    assert answer["Location"] == target


@pytest.mark.parametrize(
    "outside",
    ["http://evil.example/steal", "//evil.example/steal", "https://evil.example", "javascript:alert(1)"],
)
def test_next_never_leads_to_another_site(client: Client, person: NaturalPerson, outside: str) -> None:
    page = page_text(client.get("/login/", {"next": outside}))
    assert "evil.example" not in page

    answer = client.post("/login/", {"username": person.id_number, "password": PASSWORD, "next": outside})

    assert answer["Location"] == "/"


def test_next_is_carried_through_registration_links(client: Client) -> None:
    page = page_text(client.get("/login/", {"next": "/o/authorize/?x=1"}))

    assert 'href="/register/?next=%2Fo%2Fauthorize%2F%3Fx%3D1"' in page
    assert 'href="/password/forgot/?next=%2Fo%2Fauthorize%2F%3Fx%3D1"' in page


def test_logout_ends_the_session(client: Client, person: NaturalPerson) -> None:
    client.post("/login/", {"username": person.id_number, "password": PASSWORD})

    answer = client.post("/logout/")

    assert answer.status_code == 302
    assert signed_in_as(client) is None


def test_logout_needs_a_post(client: Client, person: NaturalPerson) -> None:
    client.post("/login/", {"username": person.id_number, "password": PASSWORD})

    assert client.get("/logout/").status_code == 405
    assert signed_in_as(client) == str(person.pk)


def test_sessions_expire_after_30_idle_minutes(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_NAME == "govsso_session"
    assert settings.CSRF_COOKIE_NAME == "govsso_csrftoken"


def test_the_touch_login_page_offers_neither_registration_nor_recovery(client: Client) -> None:
    """The hall's H5 (WeChat, the APP) asks with OpenID Connect's display=touch."""
    authorize = "/o/authorize/?response_type=code&client_id=gjj-hall&display=touch"

    touch = page_text(client.get("/login/", {"next": authorize}))
    full = page_text(client.get("/login/", {"next": authorize.replace("&display=touch", "")}))

    assert "本登录页面的注册、忘记密码功能暂未开放" in touch
    assert ">注册账号</a>" not in touch and ">忘记密码</a>" not in touch
    assert ">注册账号</a>" in full and ">忘记密码</a>" in full
    assert "暂未开放" not in full
