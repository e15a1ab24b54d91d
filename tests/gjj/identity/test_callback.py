"""A callback that cannot complete lands on 请重新登录 — never a server error, never a session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY

from tests.gjj.identity.fake_provider import ISSUER, rsa_key
from tests.gjj.identity.fixtures import ZHANG_WEI_SUB

pytestmark = pytest.mark.django_db

RELOGIN_BUTTON = 'href="/oidc/authenticate/?next=%2Fhall%2Fhome%2F"'


def _assert_relogin_page(response, client, *, status: int = 400) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert "请重新登录" in page
    assert RELOGIN_BUTTON in page and ">重新登录<" in page
    assert SESSION_KEY not in client.session


def _state(callback_url: str) -> str:
    return parse_qs(urlsplit(callback_url).query)["state"][0]


def test_a_callback_without_state(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    code = parse_qs(urlsplit(callback).query)["code"][0]

    _assert_relogin_page(client.get("/oidc/callback/", {"code": code}), client)


def test_a_provider_that_does_not_name_itself_in_the_response_is_fine(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start()).replace(f"&{urlencode({'iss': ISSUER})}", "")
    assert "iss=" not in callback

    assert client.get(callback)["Location"] == "/hall/home/"


def test_an_authorization_response_from_another_issuer_is_refused(walk, client, zhang_wei):
    """RFC 9207 (mix-up): the code came back naming another provider."""
    callback = walk.callback_url(walk.start())

    response = client.get(
        callback.replace(urlencode({"iss": ISSUER}), urlencode({"iss": "https://sso.evil.example"}))
    )

    _assert_relogin_page(response, client)
    assert walk.provider.token_requests == []


def test_a_callback_without_code_or_error(walk, client, zhang_wei):
    state = _state(walk.callback_url(walk.start()))

    _assert_relogin_page(client.get("/oidc/callback/", {"state": state}), client)


def test_a_callback_with_a_state_this_browser_never_asked_for(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    code = parse_qs(urlsplit(callback).query)["code"][0]

    response = client.get("/oidc/callback/", {"code": code, "state": "forged-state"})

    _assert_relogin_page(response, client)
    assert walk.provider.token_requests == []  # refused before the code was even tried


def test_an_old_link_in_a_browser_without_a_pending_login(walk, client, zhang_wei, django_user_model):
    callback = walk.callback_url(walk.start())
    client.cookies.clear()  # another browser, or the session is gone

    _assert_relogin_page(client.get(callback), client)


def test_the_back_button_to_a_used_callback_keeps_the_member_logged_in(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    assert client.get(callback).status_code == 302

    replay = client.get(callback)

    assert replay.status_code == 400
    assert "请重新登录" in replay.content.decode()
    # The stale callback did not end the member's session; 重新登录 takes them straight in.
    assert client.get("/hall/home/").status_code == 200


def test_a_used_code_replayed_with_a_fresh_state_is_refused_by_the_provider(walk, client, zhang_wei):
    first = walk.callback_url(walk.start())
    used_code = parse_qs(urlsplit(first).query)["code"][0]
    client.get(first)
    client.post("/hall/logout/")

    second_state = _state(walk.callback_url(walk.start()))
    response = client.get("/oidc/callback/", {"code": used_code, "state": second_state})

    _assert_relogin_page(response, client)


def test_two_tabs_each_finish_their_own_login(walk, client, zhang_wei):
    first_tab = walk.callback_url(walk.start())
    second_tab = walk.callback_url(walk.start())

    assert client.get(second_tab)["Location"] == "/hall/home/"
    # The first tab's callback is still valid for this browser: the member is (still) logged in.
    assert client.get(first_tab)["Location"] == "/hall/home/"


@pytest.mark.parametrize("error", ["access_denied", "login_required", "server_error"])
def test_an_error_from_the_provider(walk, client, zhang_wei, error):
    state = _state(walk.callback_url(walk.start()))

    response = client.get(
        "/oidc/callback/", {"error": error, "error_description": "<script>x</script>", "state": state}
    )

    _assert_relogin_page(response, client)
    assert "<script>x</script>" not in response.content.decode()
    assert state not in client.session["oidc_states"]  # the state cannot be used afterwards


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    session = client.session
    session["oidc_states"][_state(callback)]["code_verifier"] = "x" * 64
    session.save()

    _assert_relogin_page(client.get(callback), client)


def test_an_id_token_signed_with_another_key(walk, client, zhang_wei):
    walk.provider.token_key = rsa_key("govsso-1")  # same kid, another key

    _assert_relogin_page(walk.login(), client)


def test_an_id_token_for_another_client(walk, client, zhang_wei):
    walk.provider.token_overrides = {"aud": "another-client"}

    _assert_relogin_page(walk.login(), client)


def test_an_id_token_from_another_issuer(walk, client, zhang_wei):
    walk.provider.token_overrides = {"iss": "https://sso.evil.example"}

    _assert_relogin_page(walk.login(), client)


def test_an_id_token_with_another_nonce(walk, client, zhang_wei):
    walk.provider.token_overrides = {"nonce": "replayed-nonce"}

    _assert_relogin_page(walk.login(), client)


def test_userinfo_about_another_subject(walk, client, zhang_wei, monkeypatch):
    original_get = walk.provider.get

    def userinfo_for_someone_else(url, headers=None, **kwargs):
        response = original_get(url, headers=headers, **kwargs)
        if url.endswith("/userinfo/"):
            response._content = response.content.replace(ZHANG_WEI_SUB.encode(), b"someone-else")
        return response

    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", userinfo_for_someone_else)

    _assert_relogin_page(walk.login(), client)


def test_claims_without_the_id_number(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    for grant in walk.provider.grants.values():
        del grant.claims["id_card_number"]

    _assert_relogin_page(client.get(callback), client)


def test_the_provider_does_not_answer(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    walk.provider.unreachable = True

    response = client.get(callback)

    _assert_relogin_page(response, client, status=503)
    assert "统一身份认证服务暂时无法访问" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"code": ""},
        {"state": ""},
        {"code": "x", "state": "y", "error": ""},
        {"error": "access_denied"},
        {"code": "\x00", "state": "\x00"},
    ],
)
def test_odd_callbacks_never_cause_a_server_error(walk, client, zhang_wei, query):
    walk.start()

    response = client.get(f"/oidc/callback/?{urlencode(query)}")

    assert response.status_code == 400
    assert "请重新登录" in response.content.decode()


def test_the_callback_refuses_post(client, db):
    assert client.post("/oidc/callback/").status_code == 405


def test_the_relogin_page_button_starts_a_fresh_login(walk, client, zhang_wei):
    client.get("/oidc/callback/", {"state": "gone", "code": "old"})

    response = client.get("/oidc/authenticate/", {"next": "/hall/home/"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{ISSUER}/authorize/?")
