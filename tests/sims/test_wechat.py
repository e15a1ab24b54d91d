"""The WeChat-platform stand-in through real HTTP: token, menu, template messages and their log."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.support.sims import LiveSims

APPID = "wxgjjembedded0001"
SECRET = "embedded-wechat-secret-change-me"


@pytest.fixture
def platform(live_sims: LiveSims) -> LiveSims:
    requests.post(f"{live_sims.url}/wechat/_reset", timeout=10).raise_for_status()
    return live_sims


def _token(sims: LiveSims, *, appid: str = APPID, secret: str = SECRET) -> dict:
    response = requests.get(
        f"{sims.url}/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": appid, "secret": secret},
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()


def _send(sims: LiveSims, token: str, **body) -> dict:
    response = requests.post(
        f"{sims.url}/wechat/cgi-bin/message/template/send",
        params={"access_token": token},
        json=body,
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()


def _log(sims: LiveSims, openid: str | None = None) -> list[dict]:
    return requests.get(
        f"{sims.url}/wechat/_log", params={"openid": openid} if openid else {}, timeout=10
    ).json()


def test_the_token_endpoint_checks_appid_and_secret(platform: LiveSims) -> None:
    good = _token(platform)

    assert good["expires_in"] == 7200 and len(good["access_token"]) >= 32
    assert _token(platform, appid="wxother")["errcode"] == 40013
    assert _token(platform, secret="wrong")["errcode"] == 40125


def test_template_messages_are_logged_newest_first_per_openid(platform: LiveSims) -> None:
    token = _token(platform)["access_token"]
    for n in (1, 2, 3):
        answer = _send(
            platform,
            token,
            touser="oA",
            template_id="tpl",
            url=f"https://h/{n}",
            data={"keyword1": {"value": n}},
        )
        assert answer["errcode"] == 0 and answer["msgid"]
    _send(platform, token, touser="oB", template_id="tpl", url="", data={})

    log = _log(platform, "oA")

    assert [m["url"] for m in log] == ["https://h/3", "https://h/2", "https://h/1"]
    assert {m["openid"] for m in log} == {"oA"} and {m["template_id"] for m in log} == {"tpl"}
    assert log[0]["data"] == {"keyword1": {"value": 3}}
    assert all(dt.datetime.fromisoformat(m["sent_at"]).tzinfo for m in log)
    assert len(_log(platform)) == 4
    assert _log(platform, "oNobody") == []


def test_an_unknown_or_expired_token_is_40001(platform: LiveSims) -> None:
    token = _token(platform)["access_token"]

    assert _send(platform, "not-a-token", touser="oA", template_id="tpl", data={})["errcode"] == 40001
    requests.post(f"{platform.url}/wechat/_expire_tokens", timeout=10).raise_for_status()
    assert _send(platform, token, touser="oA", template_id="tpl", data={})["errcode"] == 40001
    assert _log(platform, "oA") == []


def test_a_template_message_without_openid_or_template_is_refused(platform: LiveSims) -> None:
    token = _token(platform)["access_token"]

    assert _send(platform, token, touser="", template_id="tpl", data={})["errcode"] == 40003
    assert _send(platform, token, touser="oA", template_id="", data={})["errcode"] == 40037
    bad = requests.post(
        f"{platform.url}/wechat/cgi-bin/message/template/send",
        params={"access_token": token},
        data=b"x",
        timeout=10,
    )
    assert bad.status_code == 400


def test_the_menu_is_stored_and_shown(platform: LiveSims) -> None:
    assert requests.get(f"{platform.url}/wechat/_menu", timeout=10).status_code == 404
    token = _token(platform)["access_token"]
    menu = {"button": [{"type": "view", "name": "业务办理", "url": "http://h/m/"}]}

    created = requests.post(
        f"{platform.url}/wechat/cgi-bin/menu/create", params={"access_token": token}, json=menu, timeout=10
    ).json()
    refused = requests.post(
        f"{platform.url}/wechat/cgi-bin/menu/create", params={"access_token": "bad"}, json=menu, timeout=10
    ).json()

    assert created == {"errcode": 0, "errmsg": "ok"}
    assert refused["errcode"] == 40001
    assert requests.get(f"{platform.url}/wechat/_menu", timeout=10).json()["menu"] == menu
