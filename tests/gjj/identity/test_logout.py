"""退出 ends the hall session and, through RP-initiated logout, the SSO session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.gjj.identity.fake_provider import CLIENT_ID, END_SESSION_ENDPOINT

pytestmark = pytest.mark.django_db


def test_logout_ends_the_hall_session_and_sends_the_member_to_the_provider(walk, client, zhang_wei):
    walk.login()
    id_token = client.session["oidc_id_token"]

    response = client.post("/hall/logout/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == END_SESSION_ENDPOINT
    assert parse_qs(location.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://127.0.0.1:8000/hall/logged-out/"],
        "client_id": [CLIENT_ID],
    }
    assert SESSION_KEY not in client.session
    assert "oidc_id_token" not in client.session
    assert client.get("/hall/home/")["Location"] == "/hall/?next=/hall/home/"


def test_the_post_logout_redirect_uri_is_the_registered_setting(walk, client, zhang_wei, settings):
    settings.GJJ_OIDC_POST_LOGOUT_REDIRECT_URI = "https://gjj.example.cn/hall/logged-out/"
    walk.login()

    location = client.post("/hall/logout/")["Location"]

    assert parse_qs(urlsplit(location).query)["post_logout_redirect_uri"] == [
        "https://gjj.example.cn/hall/logged-out/"
    ]


def test_without_an_end_session_endpoint_logout_ends_the_hall_session_only(walk, client, zhang_wei, settings):
    settings.OIDC_OP_END_SESSION_ENDPOINT = ""
    walk.login()

    response = client.post("/hall/logout/")

    assert response["Location"] == "/hall/logged-out/"
    assert SESSION_KEY not in client.session


def test_logout_by_get_is_refused(walk, client, zhang_wei):
    walk.login()

    assert client.get("/hall/logout/").status_code == 405
    assert client.get("/hall/home/").status_code == 200


def test_logout_needs_the_csrf_token(walk, zhang_wei, provider):
    browser = Client(enforce_csrf_checks=True)
    walk.client = browser
    walk.login()

    assert browser.post("/hall/logout/").status_code == 403
    home = browser.get("/hall/home/")
    assert home.status_code == 200
    token = browser.cookies["gjj_hall_csrftoken"].value
    assert browser.post("/hall/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_logout_when_already_logged_out_shows_the_page(client):
    response = client.post("/hall/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/hall/logged-out/"
