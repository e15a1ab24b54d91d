"""The WeChat stand-in's 关注 page through real HTTP: a visitor follows the official account, the
platform posts the signed ``subscribe`` event to the account's server (here a recording server of
the test, set as the account's 服务器配置), and the reply is shown as a chat line with its link."""

from __future__ import annotations

import hashlib
import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from defusedxml.ElementTree import fromstring

from tests.support.sims import LiveSims

APPID = "wxgjjembedded0001"
SECRET = "embedded-wechat-secret-change-me"
TOKEN = "follow-test-token-0123456789"
FAULT_NOTICE = "该公众号暂时无法提供服务，请稍后再试"
LINK = "http://hall.example.cn/m/?wx=signed.token:abc"


@dataclass
class Delivery:
    query: dict[str, str]
    fields: dict[str, str]
    content_type: str


@dataclass
class AccountServer:
    """The official account's server as the test plays it: records each delivery, answers with
    ``reply`` (a callable of the delivery), or with ``status``."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    status: int = 200
    reply: object = None

    def text_reply(self, content: str):  # type: ignore[no-untyped-def]
        def answer(delivery: Delivery) -> str:
            return (
                f"<xml><ToUserName><![CDATA[{delivery.fields['FromUserName']}]]></ToUserName>"
                f"<FromUserName><![CDATA[{delivery.fields['ToUserName']}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{content}]]></Content></xml>"
            )

        return answer


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def account_server() -> Iterator[AccountServer]:
    server_state = AccountServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            root = fromstring(body)
            delivery = Delivery(
                query={k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                fields={child.tag: child.text or "" for child in root},
                content_type=self.headers.get("Content-Type", ""),
            )
            server_state.deliveries.append(delivery)
            answer = server_state.reply(delivery) if callable(server_state.reply) else "success"
            encoded = answer.encode("utf-8")
            self.send_response(server_state.status)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}/wechat/callback/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def platform(live_sims: LiveSims, account_server: AccountServer) -> Iterator[LiveSims]:
    requests.post(f"{live_sims.url}/wechat/_reset", timeout=10).raise_for_status()
    configured = requests.post(
        f"{live_sims.url}/wechat/_server_config", json={"url": account_server.url, "token": TOKEN}, timeout=10
    )
    assert configured.json() == {"url": account_server.url, "token": TOKEN}
    yield live_sims
    # Back to the settings' 服务器配置 for the other tests of this simulator.
    requests.post(f"{live_sims.url}/wechat/_reset", timeout=10).raise_for_status()


class Visitor:
    """One browser: its own cookies, so its own openid."""

    def __init__(self, sims: LiveSims, appid: str = APPID) -> None:
        self.url = f"{sims.url}/wechat/mp/follow?appid={appid}"
        self.http = requests.Session()

    def page(self) -> requests.Response:
        return self.http.get(self.url, timeout=30)

    def press(self, action: str, **fields: str) -> str:
        """Press a button of the page (with the page's CSRF token); the page shown after."""
        form_page = self.page().text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
        assert csrf, form_page[:500]
        answer = self.http.post(
            self.url,
            data={"csrfmiddlewaretoken": csrf.group(1), "action": action, **fields},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text[:500]
        assert answer.headers["Location"].endswith("#latest")
        return self.page().text

    @property
    def openid_cookie(self) -> str | None:
        return self.http.cookies.get("gjj_sims_wechat_openid")


def _chat(page: str) -> list[str]:
    """The chat's lines as a person reads them (markup dropped)."""
    lines = re.findall(r'<span class="wx-line__bubble">(.*?)</span>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


def _followers(sims: LiveSims) -> list[dict]:
    return requests.get(f"{sims.url}/wechat/_followers", timeout=10).json()


def test_following_posts_a_signed_subscribe_event_and_shows_the_reply_with_its_link(
    platform: LiveSims, account_server: AccountServer
) -> None:
    account_server.reply = account_server.text_reply(
        f'欢迎关注！\n点击<a href="{LINK}">业务办理</a>，登录后办理。'
    )
    visitor = Visitor(platform)

    before = visitor.page()
    assert before.status_code == 200
    assert "关注公众号</button>" in before.text and "辽宁省直公积金" in before.text
    assert "default-src 'none'" in before.headers["Content-Security-Policy"]
    page = visitor.press("subscribe")

    [delivery] = account_server.deliveries
    # The platform's signature: SHA-1 of the sorted token, timestamp and nonce.
    query = delivery.query
    expected = hashlib.sha1("".join(sorted([TOKEN, query["timestamp"], query["nonce"]])).encode()).hexdigest()  # noqa: S324
    assert query["signature"] == expected
    assert abs(int(query["timestamp"]) - time.time()) < 60
    assert delivery.content_type.startswith("text/xml")
    fields = delivery.fields
    assert fields["MsgType"] == "event" and fields["Event"] == "subscribe"
    assert fields["ToUserName"].startswith("gh_")
    assert re.fullmatch(r"o[A-Za-z0-9_-]{27}", fields["FromUserName"])
    assert query["openid"] == fields["FromUserName"]
    assert abs(int(fields["CreateTime"]) - time.time()) < 60
    # The reply in the chat: its text with the line break, and its link clickable.
    assert _chat(page) == ["你已关注该公众号", "欢迎关注！点击业务办理，登录后办理。"]
    assert f'<a href="{html.escape(LINK)}">业务办理</a>' in page
    assert "欢迎关注！<br>点击" in page
    assert "关注公众号</button>" not in page and "不再关注" in page
    assert [(f["openid"], f["subscribed"]) for f in _followers(platform)] == [(fields["FromUserName"], True)]


def test_the_openid_is_the_same_for_one_browser_and_another_for_another(
    platform: LiveSims, account_server: AccountServer
) -> None:
    first, second = Visitor(platform), Visitor(platform)

    first.press("subscribe")
    first.press("unsubscribe")
    first.press("subscribe")
    second.press("subscribe")

    senders = [d.fields["FromUserName"] for d in account_server.deliveries]
    events = [d.fields["Event"] for d in account_server.deliveries]
    assert events == ["subscribe", "unsubscribe", "subscribe", "subscribe"]
    assert senders[0] == senders[1] == senders[2] != senders[3]
    assert first.openid_cookie and first.openid_cookie != second.openid_cookie


def test_a_forged_visitor_cookie_gets_a_new_openid(platform: LiveSims, account_server: AccountServer) -> None:
    visitor = Visitor(platform)
    visitor.http.cookies.set("gjj_sims_wechat_openid", "oFORGEDFORGEDFORGEDFORGED000", path="/wechat/")

    visitor.press("subscribe")

    assert account_server.deliveries[0].fields["FromUserName"] != "oFORGEDFORGEDFORGEDFORGED000"


@pytest.mark.parametrize("how", ["down", "error", "not_a_reply"])
def test_a_server_that_does_not_answer_gets_wechat_s_notice(
    platform: LiveSims, account_server: AccountServer, how: str
) -> None:
    if how == "down":
        requests.post(
            f"{platform.url}/wechat/_server_config",
            json={"url": f"http://127.0.0.1:{_free_port()}/wechat/callback/", "token": TOKEN},
            timeout=10,
        ).raise_for_status()
    elif how == "error":
        account_server.status = 500
    else:
        account_server.reply = lambda delivery: "<html>Bad gateway</html>"
    visitor = Visitor(platform)

    page = visitor.press("subscribe")

    assert _chat(page) == ["你已关注该公众号", FAULT_NOTICE]
    # The follow itself happened on the platform, whatever the account's server did.
    assert [f["subscribed"] for f in _followers(platform)] == [True]


def test_success_means_no_reply_and_an_unfollower_gets_no_template_message(
    platform: LiveSims, account_server: AccountServer
) -> None:
    visitor = Visitor(platform)
    visitor.press("subscribe")
    openid = account_server.deliveries[0].fields["FromUserName"]

    page = visitor.press("unsubscribe")

    assert _chat(page) == ["你已关注该公众号", "你已不再关注该公众号"]
    assert "关注公众号</button>" in page
    assert [(f["openid"], f["subscribed"]) for f in _followers(platform)] == [(openid, False)]
    token = requests.get(
        f"{platform.url}/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
        timeout=10,
    ).json()["access_token"]
    sent = requests.post(
        f"{platform.url}/wechat/cgi-bin/message/template/send",
        params={"access_token": token},
        json={"touser": openid, "template_id": "tpl", "url": "", "data": {}},
        timeout=10,
    ).json()
    assert sent["errcode"] == 43004


def test_a_follower_sends_text_and_presses_the_menu(
    platform: LiveSims, account_server: AccountServer
) -> None:
    token = requests.get(
        f"{platform.url}/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
        timeout=10,
    ).json()["access_token"]
    menu = {
        "button": [
            {"type": "view", "name": "业务办理", "url": "http://hall.example.cn/m/"},
            {"type": "click", "name": "办理进度", "key": "PROGRESS"},
        ]
    }
    requests.post(
        f"{platform.url}/wechat/cgi-bin/menu/create", params={"access_token": token}, json=menu, timeout=10
    ).raise_for_status()
    account_server.reply = lambda delivery: account_server.text_reply(
        f"收到：{delivery.fields.get('Content') or delivery.fields.get('EventKey')}"
    )(delivery)
    visitor = Visitor(platform)
    visitor.press("subscribe")

    visitor.press("text", content="进度")
    page = visitor.press("click", key="PROGRESS")
    visitor.press("click", key="NOT_IN_THE_MENU")

    text, click = account_server.deliveries[1], account_server.deliveries[2]
    assert (
        text.fields["MsgType"] == "text"
        and text.fields["Content"] == "进度"
        and text.fields["MsgId"].isdigit()
    )
    assert click.fields["MsgType"] == "event" and click.fields["Event"] == "CLICK"
    assert click.fields["EventKey"] == "PROGRESS"
    assert len(account_server.deliveries) == 3
    assert _chat(page)[-4:] == ["进度", "收到：进度", "点击了菜单“办理进度”", "收到：PROGRESS"]
    assert '<a class="wx-menu__item" href="http://hall.example.cn/m/">业务办理</a>' in page


def test_markup_in_a_reply_other_than_a_web_link_is_shown_as_text(
    platform: LiveSims, account_server: AccountServer
) -> None:
    account_server.reply = account_server.text_reply(
        '<script>alert(1)</script><a href="javascript:alert(2)">点我</a><a href="https://ok.example.cn/">好</a>'
    )

    page = Visitor(platform).press("subscribe")

    assert "<script>" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://ok.example.cn/">好</a>' in page


def test_an_unknown_account_is_a_chinese_404(platform: LiveSims) -> None:
    answer = Visitor(platform, appid="wxnobody").page()

    assert answer.status_code == 404
    assert "未找到该公众号" in answer.text


def test_the_server_configuration_must_be_a_web_address(platform: LiveSims) -> None:
    answer = requests.post(
        f"{platform.url}/wechat/_server_config", json={"url": "ftp://x", "token": TOKEN}, timeout=10
    )

    assert answer.status_code == 400


def test_a_template_message_shows_in_the_chat_as_a_card_whose_details_open_its_link(
    platform: LiveSims, account_server: AccountServer
) -> None:
    visitor = Visitor(platform)
    visitor.press("subscribe")
    openid = account_server.deliveries[0].fields["FromUserName"]
    token = requests.get(
        f"{platform.url}/wechat/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
        timeout=10,
    ).json()["access_token"]
    data = {
        "first": {"value": "您的购房提取申请有新进展"},
        "keyword1": {"value": "TQ20261130000007"},
        "keyword2": {"value": "退回补正"},
        "remark": {"value": "需补正：购房发票不清晰。"},
    }
    for url in ("http://hall.example.cn/m/applications/TQ20261130000007/?wx=t", "javascript:alert(1)"):
        sent = requests.post(
            f"{platform.url}/wechat/cgi-bin/message/template/send",
            params={"access_token": token},
            json={"touser": openid, "template_id": "tpl", "url": url, "data": data},
            timeout=10,
        ).json()
        assert sent["errcode"] == 0

    page = visitor.page().text

    cards = re.findall(r'<article class="wx-line__bubble wx-card">(.*?)</article>', page, re.S)
    assert len(cards) == 2
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cards[0])))
    assert "您的购房提取申请有新进展" in text and "业务流水号： TQ20261130000007" in text
    assert "办理状态： 退回补正" in text and "需补正：购房发票不清晰。" in text
    assert (
        '<a class="wx-card__more" href="http://hall.example.cn/m/applications/TQ20261130000007/?wx=t">详情'
        in cards[0]
    )
    assert "详情" not in cards[1] and "javascript:" not in page  # only a web link is a link
