"""The code flow from 立即登录 to the member home, and how the SSO account is mapped to the member."""

from __future__ import annotations

import datetime as dt
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gjj.core.sessions import REFRESHED_AT_KEY
from gjj.identity.models import MemberLogin
from gjj.identity.services import member_username
from gjj.members.models import Person
from tests.gjj.identity.fake_provider import AUTHORIZATION_ENDPOINT, CLIENT_ID, s256
from tests.gjj.identity.fixtures import (
    NO_ACCOUNT_ID,
    STRANGER_ID,
    ZHANG_WEI_ID,
    ZHANG_WEI_SUB,
    person_with_account,
)
from tests.support.id_numbers import VALID

pytestmark = pytest.mark.django_db


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_login_start_asks_for_a_code_with_pkce_s256_nonce_and_the_configured_scopes(walk, client):
    authorize_url = walk.start()

    assert authorize_url.startswith(f"{AUTHORIZATION_ENDPOINT}?")
    query = _query(authorize_url)
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/oidc/callback/"
    assert query["scope"] == "openid profile phone id_card"
    assert query["code_challenge_method"] == "S256"
    pending = client.session["oidc_states"][query["state"]]
    assert query["code_challenge"] == s256(pending["code_verifier"])
    assert query["nonce"] == pending["nonce"]


def test_a_member_logs_in_and_lands_on_the_member_home(walk, client, zhang_wei):
    response = walk.login()

    assert response.status_code == 302
    assert response["Location"] == "/hall/home/"
    login = MemberLogin.objects.select_related("user", "person").get()
    assert login.person == zhang_wei
    assert (login.issuer, login.subject) == ("http://127.0.0.1:8001/o", ZHANG_WEI_SUB)
    assert client.session[SESSION_KEY] == str(login.user.pk)
    assert client.session["oidc_id_token"]  # kept for 退出's id_token_hint
    # The token request proved the PKCE verifier of this flow.
    assert walk.provider.token_requests[-1]["code_verifier"]


def test_the_member_user_is_never_staff_has_no_password_and_an_opaque_username(walk, zhang_wei):
    walk.login()

    user = MemberLogin.objects.get().user
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert user.username.startswith("member:")
    assert ZHANG_WEI_SUB not in user.username and ZHANG_WEI_ID not in user.username
    assert user.first_name == "张伟"


def test_the_next_login_finds_the_same_user_and_takes_the_name_from_the_claims(walk, client, zhang_wei):
    walk.login()
    client.post("/hall/logout/")
    walk.login(name="张伟伟")

    assert get_user_model().objects.count() == 1
    assert MemberLogin.objects.get().user.first_name == "张伟伟"
    # The centre's own record is not rewritten by the SSO.
    assert Person.objects.get(pk=zhang_wei.pk).name == "张伟"


def test_the_link_follows_the_id_number_the_sso_reports_now(walk, client, zhang_wei, employer):
    walk.login()
    client.post("/hall/logout/")
    corrected = person_with_account(
        id_number="210106198411110378",
        name="杨磊",
        phone="13804001003",
        account_no="2101000099999",
        employer=employer,
        balance_fen=100,
    )

    walk.login(id_number=corrected.id_number, name="杨磊")

    assert MemberLogin.objects.get().person == corrected


@pytest.mark.parametrize(
    "sent",
    [
        STRANGER_ID.lower(),
        " ".join((STRANGER_ID[:6], STRANGER_ID[6:14], STRANGER_ID[14:])),
        "２１０１０４１９８５０１０１０２８Ｘ",  # full-width, as some providers pass on what was typed
    ],
)
def test_an_id_number_as_a_provider_may_send_it_still_finds_the_member(walk, employer, sent):
    person = person_with_account(
        id_number=STRANGER_ID,
        name="王芳",
        phone="13804001004",
        account_no="2101000077777",
        employer=employer,
        balance_fen=1,
    )

    response = walk.login(id_number=sent, name="王芳", sub="sub-wang")

    assert response.status_code == 302
    assert MemberLogin.objects.get().person == person


@pytest.mark.parametrize(("id_number", "who"), VALID)
def test_members_of_every_age_and_area_code_log_in_and_see_their_name(walk, client, employer, id_number, who):
    person_with_account(
        id_number=id_number,
        name="刘国庆",
        phone="13904011962",
        account_no="2101000066666",
        employer=employer,
        balance_fen=15_238_060,
    )

    response = walk.login(id_number=id_number, name="刘国庆", sub="sub-liu")

    assert response.status_code == 302, who
    assert response["Location"] == "/hall/home/"
    home = client.get("/hall/home/").content.decode()
    assert "刘国庆" in home
    assert id_number not in home


@pytest.mark.parametrize("id_number", [NO_ACCOUNT_ID, STRANGER_ID])
def test_a_person_without_a_fund_account_here_gets_the_page_and_no_session(
    walk, client, person_without_account, id_number
):
    response = walk.login(id_number=id_number, name="李娜", sub="sub-li")

    assert response.status_code == 200
    page = response.content.decode()
    assert "未查询到您的公积金账户信息" in page
    assert "024-12329" in page
    # Nothing about the visitor: not their name, not their ID number (not even masked).
    assert "李娜" not in page
    assert id_number not in page and id_number[-4:] not in page
    assert "/hall/logout/" not in page  # no 退出: there is no session to end
    assert SESSION_KEY not in client.session
    assert "oidc_id_token" not in client.session
    assert get_user_model().objects.count() == 0
    assert client.get("/hall/home/").status_code == 302


def test_a_member_login_that_has_become_staff_is_refused(walk, client, zhang_wei):
    walk.login()
    client.post("/hall/logout/")
    get_user_model().objects.update(is_staff=True)

    response = walk.login()

    assert response.status_code == 400
    assert "请重新登录" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser", "is_active"])
def test_a_member_session_ends_when_the_user_is_made_staff_or_deactivated(walk, client, zhang_wei, flag):
    walk.login()
    assert client.get("/hall/home/").status_code == 200

    get_user_model().objects.update(**{flag: flag != "is_active"})

    response = client.get("/hall/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/hall/")


def test_a_username_already_taken_by_someone_else_is_refused(walk, client, zhang_wei):
    get_user_model().objects.create_user(
        username=member_username(issuer="http://127.0.0.1:8001/o", subject=ZHANG_WEI_SUB), password="x" * 12
    )

    response = walk.login()

    assert response.status_code == 400
    assert MemberLogin.objects.count() == 0
    assert SESSION_KEY not in client.session


def test_the_login_logs_no_id_number_and_no_name(walk, client, zhang_wei, person_without_account, caplog):
    caplog.set_level(logging.DEBUG)

    walk.login()
    client.post("/hall/logout/")
    walk.login(id_number=NO_ACCOUNT_ID, sub="sub-li", name="李娜")

    assert ZHANG_WEI_ID not in caplog.text and NO_ACCOUNT_ID not in caplog.text
    assert "张伟" not in caplog.text and "李娜" not in caplog.text


def test_the_hall_session_expires_after_thirty_idle_minutes(walk, client, zhang_wei, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60

    walk.login()
    assert client.session.get_expiry_age() == 30 * 60

    Session.objects.update(expire_date=timezone.now())  # 30 minutes have passed without a request
    response = client.get("/hall/home/")
    assert response.status_code == 302
    assert response["Location"] == "/hall/?next=/hall/home/"


def _refreshed_minutes_ago(minutes: float) -> None:
    """The session as if last written ``minutes`` ago: its refresh mark and its expiry."""
    (row,) = Session.objects.all()
    store = SessionStore(session_key=row.session_key)
    data = store.load()
    data[REFRESHED_AT_KEY] = time.time() - minutes * 60
    Session.objects.filter(pk=row.pk).update(
        session_data=store.encode(data), expire_date=timezone.now() + dt.timedelta(minutes=30 - minutes)
    )


def test_a_page_read_within_the_minute_writes_no_session(walk, client, zhang_wei):
    walk.login()
    _refreshed_minutes_ago(0.5)
    before = Session.objects.get().expire_date

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/hall/home/").status_code == 200

    assert Session.objects.get().expire_date == before
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_a_page_read_after_a_minute_pushes_the_idle_end_back_to_thirty_minutes(walk, client, zhang_wei):
    walk.login()
    _refreshed_minutes_ago(20)  # 20 idle minutes: ten were left

    assert client.get("/hall/home/").status_code == 200

    left = Session.objects.get().expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)


def test_an_already_logged_in_member_who_clicks_login_goes_straight_to_the_page(walk, client, zhang_wei):
    walk.login()

    response = client.get("/oidc/authenticate/", {"next": "/hall/home/"})

    assert response.status_code == 302
    assert response["Location"] == "/hall/home/"


@pytest.mark.parametrize(("next_path", "touch"), [("/m/withdrawals/purchase/", True), ("/hall/home/", False)])
def test_a_login_for_the_h5_asks_the_provider_for_its_touch_page(walk, next_path, touch):
    query = _query(walk.start(next_path))

    assert (query.get("display") == "touch") is touch


def test_a_member_page_reads_the_member_login_once(walk, client, zhang_wei):
    walk.login()

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/hall/home/").status_code == 200

    member_logins = [q for q in queries.captured_queries if 'FROM "identity_memberlogin"' in q["sql"]]
    assert len(member_logins) == 1  # the backend's get_user; the views and the page chrome reuse it
