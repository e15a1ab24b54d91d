"""The callback URL as the WeChat platform calls it: signed GETs and signed XML POSTs."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from defusedxml.ElementTree import fromstring
from django.test import Client

from gjj.policy.active import active_policy
from gjj.wechat.callback import deliveries_forget
from gjj.wechat.links import openid_from_link_token
from gjj.wechat.models import WechatDelivery
from tests.gjj.wechat.conftest import ACCOUNT, CALLBACK, sign, xml


def _reply(response) -> dict[str, str]:
    assert response.status_code == 200, response.content
    root = fromstring(response.content)
    return {child.tag: child.text or "" for child in root}


def _link(content: str, path: str) -> str:
    """The one link to ``path`` in a reply, checked to carry a wx token."""
    start = content.index('href="') + len('href="')
    url = content[start : content.index('"', start)]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://gjj.example.cn{path}"
    return parse_qs(parts.query)["wx"][0]


# URL verification ------------------------------------------------------------------------------


def test_url_verification_echoes_echostr_when_the_signature_is_right(db) -> None:
    ts, nonce = str(int(time.time())), "123456"
    response = Client().get(
        CALLBACK, {"signature": sign(ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "e42"}
    )

    assert response.status_code == 200
    assert response.content == b"e42"


def test_url_verification_with_a_wrong_signature_is_refused(db) -> None:
    ts, nonce = str(int(time.time())), "123456"
    wrong = sign(ts, nonce, token="someone-else")
    response = Client().get(CALLBACK, {"signature": wrong, "timestamp": ts, "nonce": nonce, "echostr": "e42"})
    missing = Client().get(CALLBACK, {"echostr": "e42"})

    assert response.status_code == 403 and b"e42" not in response.content
    assert missing.status_code == 403


# Events ----------------------------------------------------------------------------------------


def test_subscribe_gets_a_welcome_with_the_business_link(platform, openid) -> None:
    reply = _reply(platform.event(openid, "subscribe"))

    assert reply["ToUserName"] == openid and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    assert abs(int(reply["CreateTime"]) - time.time()) < 60
    assert "欢迎关注" in reply["Content"] and "业务办理" in reply["Content"]
    token = _link(reply["Content"], "/m/")
    assert openid_from_link_token(token) == openid


def test_menu_click_business_answers_the_business_link(platform, openid) -> None:
    reply = _reply(platform.event(openid, "CLICK", "BUSINESS"))

    assert "业务办理" in reply["Content"]
    assert openid_from_link_token(_link(reply["Content"], "/m/")) == openid


def test_menu_click_progress_answers_my_applications(platform, openid) -> None:
    reply = _reply(platform.event(openid, "CLICK", "PROGRESS"))

    assert "我的业务" in reply["Content"]
    _link(reply["Content"], "/m/applications/")


def test_menu_view_is_answered_with_an_empty_success(platform, openid) -> None:
    response = platform.event(openid, "VIEW", "https://gjj.example.cn/m/")

    assert response.status_code == 200
    assert response.content == b"success"


# Text messages ---------------------------------------------------------------------------------


def test_keyword_withdraw_links_to_the_purchase_withdrawal(platform, openid) -> None:
    reply = _reply(platform.text(openid, "提取"))

    assert "购房提取" in reply["Content"]
    assert openid_from_link_token(_link(reply["Content"], "/m/withdrawals/purchase/")) == openid


def test_keyword_progress_links_to_my_applications(platform, openid) -> None:
    reply = _reply(platform.text(openid, "进度"))

    assert "我的业务" in reply["Content"]
    assert openid_from_link_token(_link(reply["Content"], "/m/applications/")) == openid


def test_an_unknown_message_gets_help_with_the_keywords_and_the_hotline(platform, openid) -> None:
    reply = _reply(platform.text(openid, "你好"))
    image = _reply(
        platform.post(
            xml(
                ToUserName=ACCOUNT,
                FromUserName=openid,
                CreateTime=int(time.time()),
                MsgType="image",
                PicUrl="http://x/1.jpg",
                MsgId=77001,
            )
        )
    )

    for content in (reply["Content"], image["Content"]):
        assert "提取" in content and "进度" in content
        assert active_policy().hotline in content
        assert "href" not in content


# Refusals --------------------------------------------------------------------------------------


def test_a_post_with_a_bad_signature_is_refused(platform, openid) -> None:
    body = xml(
        ToUserName=ACCOUNT,
        FromUserName=openid,
        CreateTime=int(time.time()),
        MsgType="text",
        Content="提取",
        MsgId=88001,
    )

    response = platform.post(body, signature="0" * 40)

    assert response.status_code == 403
    assert not WechatDelivery.objects.exists()


def test_a_post_with_a_stale_timestamp_is_refused_even_when_signed(platform, openid) -> None:
    stale = int(time.time()) - 6 * 60
    body = xml(
        ToUserName=ACCOUNT, FromUserName=openid, CreateTime=stale, MsgType="text", Content="提取", MsgId=88002
    )

    response = platform.post(body, timestamp=stale)
    future = platform.post(body, timestamp=int(time.time()) + 6 * 60)
    recent = platform.post(body, timestamp=int(time.time()) - 4 * 60)

    assert response.status_code == 403 and future.status_code == 403
    assert recent.status_code == 200


def test_malformed_or_hostile_xml_is_a_400(platform) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<xml><ToUserName>a</ToUserName><FromUserName>&lol2;</FromUserName><MsgType>text</MsgType></xml>"
    )

    assert platform.post(b"not xml").status_code == 400
    assert platform.post(bomb).status_code == 400
    assert platform.post(b"<xml><MsgType>text</MsgType></xml>").status_code == 400


# Retries of the platform -----------------------------------------------------------------------


def test_a_duplicate_msgid_is_answered_once(platform, openid) -> None:
    first = platform.text(openid, "提取", msg_id=99001)
    again = platform.text(openid, "提取", msg_id=99001)

    assert "购房提取" in _reply(first)["Content"]
    assert again.status_code == 200 and again.content == b"success"
    assert WechatDelivery.objects.filter(key="msg:99001").count() == 1


def test_a_duplicate_event_is_answered_once_by_sender_and_create_time(platform, openid) -> None:
    moment = int(time.time())
    first = platform.event(openid, "subscribe", create_time=moment)
    again = platform.event(openid, "subscribe", create_time=moment)
    other = platform.event(openid, "subscribe", create_time=moment - 1)

    assert "欢迎关注" in _reply(first)["Content"]
    assert again.content == b"success"
    assert "欢迎关注" in _reply(other)["Content"]


def test_old_delivery_records_are_forgotten_by_the_reconciler(platform, openid) -> None:
    import datetime as dt

    from gjj.wechat.tasks import reconcile_wechat_notifications

    platform.text(openid, "提取", msg_id=99101)
    platform.text(openid, "进度", msg_id=99102)
    WechatDelivery.objects.filter(key="msg:99101").update(
        received_at=WechatDelivery.objects.get(key="msg:99101").received_at - dt.timedelta(days=2)
    )

    reconcile_wechat_notifications.call_local()

    assert list(WechatDelivery.objects.values_list("key", flat=True)) == ["msg:99102"]
    assert deliveries_forget() == 0
