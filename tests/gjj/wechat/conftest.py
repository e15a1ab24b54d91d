"""Fixtures for the official account: signed platform requests, and the live platform stand-in."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from tests.gjj.withdrawals.conftest import _media_in_tmp, _sample_day, loaded  # noqa: F401
from tests.support.sims import LiveSims

TOKEN = "test-wechat-token"
ACCOUNT = "gh_gjj_test"
CALLBACK = "/wechat/callback/"


@pytest.fixture(autouse=True)
def _wechat_settings(settings):
    settings.GJJ_WECHAT_TOKEN = TOKEN
    settings.GJJ_PUBLIC_BASE_URL = "https://gjj.example.cn"
    cache.clear()
    yield
    cache.clear()


def sign(timestamp: str, nonce: str, token: str = TOKEN) -> str:
    joined = "".join(sorted([token, timestamp, nonce])).encode()
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 - the platform's protocol


def xml(**fields: Any) -> bytes:
    body = "".join(
        f"<{name}>{value}</{name}>" if isinstance(value, int) else f"<{name}><![CDATA[{value}]]></{name}>"
        for name, value in fields.items()
    )
    return f"<xml>{body}</xml>".encode()


class Platform:
    """Posts to the callback exactly as the WeChat platform does (plain-text mode)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        nonce: str = "nonce42",
    ):
        ts = str(int(time.time()) if timestamp is None else timestamp)
        query = {
            "signature": signature or sign(ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": "ignored",
        }
        return self.client.post(
            CALLBACK + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
            data=body,
            content_type="text/xml",
        )

    def text(self, openid: str, content: str, *, msg_id: int | None = None):
        return self.post(
            xml(
                ToUserName=ACCOUNT,
                FromUserName=openid,
                CreateTime=int(time.time()),
                MsgType="text",
                Content=content,
                MsgId=msg_id or uuid.uuid4().int % 10**18,
            )
        )

    def event(self, openid: str, event: str, key: str = "", *, create_time: int | None = None):
        fields: dict[str, Any] = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": create_time or int(time.time()),
            "MsgType": "event",
            "Event": event,
        }
        if key:
            fields["EventKey"] = key
        return self.post(xml(**fields))


@pytest.fixture
def platform(db) -> Platform:
    return Platform(Client())


@pytest.fixture
def openid() -> str:
    return f"o{uuid.uuid4().hex[:27]}"


@pytest.fixture
def wechat_sims(sims: LiveSims, settings) -> LiveSims:
    """The live simulator, with the hall's WeChat client pointed at its platform stand-in."""
    settings.GJJ_WECHAT_API_URL = f"{sims.url}/wechat"
    requests.post(f"{sims.url}/wechat/_reset", timeout=10).raise_for_status()
    return sims


def wechat_log(sims: LiveSims, openid: str) -> list[dict[str, Any]]:
    response = requests.get(f"{sims.url}/wechat/_log", params={"openid": openid}, timeout=10)
    response.raise_for_status()
    return response.json()
