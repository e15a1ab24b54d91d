"""The wx token in links from WeChat, and linking the openid when the member logs in on the H5."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import RequestFactory

from gjj.members.models import Person
from gjj.wechat import services
from gjj.wechat.links import LINK_SALT, h5_url, link_token, link_token_read, openid_from_link_token
from gjj.wechat.models import WechatBinding


@pytest.fixture
def person(db) -> Person:
    return Person.objects.create(id_number="210102198803120158", name="张伟", phone="13804001001")


@pytest.fixture
def other(db) -> Person:
    return Person.objects.create(id_number="210103199007050241", name="李娜", phone="13804001002")


def _request_with_session(token: str | None):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/m/login/", {"wx": token} if token else {})
    request.session = SessionStore()
    return request


def test_the_token_round_trips_the_openid() -> None:
    assert openid_from_link_token(link_token("oABC123")) == "oABC123"


def test_a_forged_a_foreign_or_an_old_token_gives_nothing(settings, monkeypatch) -> None:
    forged = link_token("oABC123")[:-2] + "xx"
    other_salt = signing.dumps({"openid": "oABC123"}, salt="something-else")
    settings.GJJ_WECHAT_LINK_MAX_AGE_SECONDS = 60
    old = signing.dumps({"openid": "oABC123"}, salt=LINK_SALT)
    now = time.time()
    # The clock moves past the max age (django.core.signing reads time.time()).
    monkeypatch.setattr(signing.time, "time", lambda: now + 61)

    for token in (forged, other_salt, old, "", None, "garbage"):
        assert openid_from_link_token(token) is None


def test_h5_links_carry_the_token_only_when_the_openid_is_known(settings) -> None:
    settings.GJJ_PUBLIC_BASE_URL = "https://gjj.example.cn/"
    assert h5_url("/m/") == "https://gjj.example.cn/m/"
    assert h5_url("/m/", openid="oX").startswith("https://gjj.example.cn/m/?wx=")


def test_a_confirmed_binding_links_the_openid_and_spends_the_token(person) -> None:
    request = _request_with_session(link_token("oZHANG"))
    services.wechat_link_token_remember(request)
    assert services.wechat_binding_pending(request).openid == "oZHANG"
    assert not WechatBinding.objects.exists()  # offering is not binding

    binding = services.wechat_binding_confirm(request, person)

    assert binding is not None and binding.openid == "oZHANG"
    assert services.wechat_openid_of(person) == "oZHANG"
    assert services.SESSION_KEY not in request.session


def test_a_token_binds_once_whoever_presents_it_again(person, other) -> None:
    token = link_token("oATTACKER")
    first = _request_with_session(token)
    services.wechat_link_token_remember(first)
    services.wechat_binding_confirm(first, person)

    again = _request_with_session(token)
    services.wechat_link_token_remember(again)

    assert services.wechat_binding_pending(again) is None  # already spent: not even offered
    services.wechat_link_token_remember(again)
    assert services.wechat_binding_confirm(again, other) is None
    assert services.wechat_openid_of(other) is None


def test_declining_binds_nothing(person) -> None:
    request = _request_with_session(link_token("oZHANG"))
    services.wechat_link_token_remember(request)

    services.wechat_binding_decline(request)

    assert services.wechat_binding_pending(request) is None
    assert services.wechat_binding_confirm(request, person) is None
    assert not WechatBinding.objects.exists()


def test_a_token_without_a_nonce_or_too_old_is_not_offered(person, settings, monkeypatch) -> None:
    without_nonce = signing.dumps({"openid": "oOLDSTYLE"}, salt=LINK_SALT)
    assert link_token_read(without_nonce) is None
    settings.GJJ_WECHAT_LINK_MAX_AGE_SECONDS = 600
    token = link_token("oZHANG")
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 601)
    request = _request_with_session(token)
    services.wechat_link_token_remember(request)
    assert services.wechat_binding_pending(request) is None


def test_no_or_a_bad_token_links_nothing(person) -> None:
    assert services.wechat_binding_confirm(_request_with_session(None), person) is None
    request = _request_with_session("not-a-token")
    services.wechat_link_token_remember(request)
    assert services.wechat_binding_confirm(request, person) is None
    assert not WechatBinding.objects.exists()


def test_the_member_can_unbind(person) -> None:
    services.wechat_binding_link(person=person, openid="oZHANG")

    assert services.wechat_binding_unlink(person=person) is True
    assert services.wechat_openid_of(person) is None
    assert services.wechat_binding_unlink(person=person) is False


def test_linking_again_moves_the_openid_and_replaces_the_old_one(person, other) -> None:
    services.wechat_binding_link(person=person, openid="o1")
    services.wechat_binding_link(person=person, openid="o2")
    services.wechat_binding_link(person=other, openid="o2")

    assert services.wechat_openid_of(person) is None
    assert services.wechat_openid_of(other) == "o2"
    assert WechatBinding.objects.count() == 1
