"""The 长辈版 / 标准版 switch: a POST form in the header of both channels that sets the mode and
returns to the page, for visitors (their session) and members (stored for the person)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gjj.preferences.models import MemberPreference
from tests.gjj.preferences.support import SWITCH, force_member_login, html_tag, is_elder, switch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/hall/", "/m/", "/m/login/"])
def test_every_page_has_the_switch_as_a_post_form_back_to_itself(client, path):
    page = client.get(path, {"from": "x"}).content.decode()

    assert html_tag(page) == '<html lang="zh-CN">'  # the standard mode
    form = re.search(r'<form method="post" action="/preferences/elder-mode/"[^>]*>(.*?)</form>', page, re.S)
    assert form, "no switch"
    inside = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in inside
    assert f'<input type="hidden" name="next" value="{path}?from=x">' in inside
    assert '<input type="hidden" name="mode" value="elder">' in inside
    assert ">长辈版</button>" in inside


def test_the_offline_page_has_no_switch(client):
    """Kept by the service worker and shown without a network, where the form could not be sent."""
    page = client.get("/m/offline/").content.decode()

    assert "网络未连接" in page
    assert SWITCH not in page


def test_a_visitor_turns_the_elder_mode_on_and_off_on_both_channels(client):
    response = switch(client, "elder", next_path="/m/login/?next=/m/withdrawals/purchase/")

    assert response.status_code == 302
    assert response["Location"] == "/m/login/?next=/m/withdrawals/purchase/"
    for path in ("/m/", "/m/login/", "/hall/"):
        page = client.get(path).content.decode()
        assert is_elder(page), path
        assert '<input type="hidden" name="mode" value="standard">' in page
    assert not MemberPreference.objects.exists()  # a visitor's choice stays in the session

    switch(client, "standard", next_path="/hall/")

    assert not is_elder(client.get("/hall/").content.decode())
    assert not is_elder(client.get("/m/").content.decode())


def test_the_visitors_choice_is_theirs_alone(client):
    switch(client, "elder")

    assert not is_elder(Client().get("/hall/").content.decode())


def test_a_member_s_choice_is_stored_for_the_person_and_read_on_both_channels(client, zhang_wei):
    force_member_login(client, zhang_wei)

    response = switch(client, "elder", next_path="/hall/home/")

    assert response.status_code == 302 and response["Location"] == "/hall/home/"
    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is True
    assert is_elder(client.get("/hall/home/").content.decode())
    assert is_elder(client.get("/m/").content.decode())
    # Another device, another login of the same person (another SSO account tied to the same
    # 缴存职工 too): the same mode.
    elsewhere = Client()
    force_member_login(elsewhere, zhang_wei, subject="sub-elder-phone")
    assert is_elder(elsewhere.get("/m/").content.decode())
    assert is_elder(elsewhere.get("/hall/home/").content.decode())

    switch(elsewhere, "standard", next_path="/m/")

    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is False
    assert not is_elder(client.get("/hall/home/").content.decode())


def test_a_member_s_stored_choice_wins_over_their_session(client, zhang_wei):
    MemberPreference.objects.create(person=zhang_wei, elder_mode=False)
    force_member_login(client, zhang_wei)
    session = client.session
    session["gjj_elder_mode"] = True
    session.save()

    assert not is_elder(client.get("/hall/home/").content.decode())


def test_pressing_twice_changes_nothing_further(client, zhang_wei):
    force_member_login(client, zhang_wei)

    switch(client, "elder")
    switch(client, "elder")

    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is True


@pytest.mark.parametrize(
    "next_path",
    [
        None,
        "",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/oidc/callback/",
    ],
)
def test_a_foreign_or_missing_next_goes_to_the_member_home(client, next_path):
    response = switch(client, "elder", next_path=next_path)

    assert response.status_code == 302
    assert response["Location"] == "/hall/home/"
    assert client.session["gjj_elder_mode"] is True  # the mode is still switched


def test_an_unknown_mode_is_refused_and_changes_nothing(client, zhang_wei):
    force_member_login(client, zhang_wei)

    response = client.post(SWITCH, {"mode": "on", "next": "/hall/home/"})

    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
    assert not MemberPreference.objects.exists()


def test_the_switch_is_a_post(client):
    response = client.get(SWITCH, {"mode": "elder", "next": "/hall/"})

    assert response.status_code == 405
    assert "gjj_elder_mode" not in client.session


def test_the_switch_needs_the_csrf_token(zhang_wei):
    client = Client(enforce_csrf_checks=True)
    force_member_login(client, zhang_wei)

    refused = client.post(SWITCH, {"mode": "elder", "next": "/hall/home/"})

    assert refused.status_code == 403
    assert not MemberPreference.objects.exists()
    page = client.get("/hall/home/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    accepted = client.post(
        SWITCH, {"mode": "elder", "next": "/hall/home/", "csrfmiddlewaretoken": token.group(1)}
    )
    assert accepted.status_code == 302
    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is True


@pytest.mark.parametrize("foreign", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_a_foreign_next_of_the_page_is_not_passed_on_by_the_switch(client, foreign):
    page = client.get("/hall/", {"next": foreign, "tab": "a"}).content.decode()

    assert "evil" not in page
    assert '<input type="hidden" name="next" value="/hall/?next=/hall/home/&amp;tab=a">' in page
