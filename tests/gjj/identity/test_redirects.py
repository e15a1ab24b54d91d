"""After the login the member goes only to a path of the hall, never to another site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gjj.identity.redirects import safe_next_path

pytestmark = pytest.mark.django_db

FOREIGN = [
    "//evil.example",
    "//evil.example/hall/home/",
    "https://evil.example/",
    "http://evil.example/hall/home/",
    "/\\evil.example",
    "/\\/evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/\x00/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\u2028/evil.example",
    " //evil.example",
    "http://testserver/hall/home/",  # even this host: only paths
    "evil.example",
    "hall/home/",
    "/oidc/authenticate/?next=/hall/home/",  # would loop
]


@pytest.mark.parametrize("next_url", FOREIGN)
def test_a_foreign_next_after_login_goes_to_the_member_home(walk, zhang_wei, next_url):
    response = walk.login(next_path=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/hall/home/"


@pytest.mark.parametrize("next_url", [None, ""])
def test_no_next_goes_to_the_member_home(walk, zhang_wei, next_url):
    assert walk.login(next_path=next_url)["Location"] == "/hall/home/"


def test_a_path_of_the_hall_is_kept(walk, zhang_wei):
    assert walk.login(next_path="/hall/home/?tab=ledger")["Location"] == "/hall/home/?tab=ledger"


def test_a_next_planted_in_the_session_is_checked_again_at_the_callback(walk, client, zhang_wei):
    callback = walk.callback_url(walk.start())
    session = client.session
    session["oidc_login_next"] = "https://evil.example/"
    session.save()

    assert client.get(callback)["Location"] == "/hall/home/"


@pytest.mark.parametrize("next_url", FOREIGN)
def test_safe_next_path_refuses_what_a_browser_reads_as_another_site(next_url):
    request = RequestFactory().get("/")

    assert safe_next_path(request, next_url) == "/hall/home/"


def test_safe_next_path_refuses_what_is_not_text():
    request = RequestFactory().get("/")

    assert safe_next_path(request, ["/hall/"]) == "/hall/home/"
    assert safe_next_path(request, None) == "/hall/home/"
