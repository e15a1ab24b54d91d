"""Every link the centre sends reaches its recipient's page, on the channel it was sent through.

The links are collected where they leave the system — the WeChat platform stand-in's log of template
messages, the SMS simulator's outbox, the official account's replies and published menu — after flows
that produce every kind of news (submitted, approved, paid, rejected, returned, payout failed), and
the QR codes the portal and the receipt print. Each
is then opened as its recipient would: first without a session (the H5's login page, which comes back
to the link), then logged in (a 200 on the page in the H5 layout, showing the member's application).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from gjj.members.models import Person
from gjj.wechat import services as wechat_services
from gjj.wechat.menu import official_menu
from gjj.wechat.notifications import wechat_notifications_reconcile
from gjj.withdrawals import payouts, services
from gjj.withdrawals.models import Application, Notification, NotificationState, State
from gjj.withdrawals.notifications import notification_send
from gjj.withdrawals.receipts import receipt_content
from tests.gjj.hall import test_applications as fixtures
from tests.gjj.hall import test_applications_flows as flows
from tests.gjj.hall.test_applications import submitted
from tests.gjj.wechat.conftest import wechat_log

loaded = fixtures.loaded
reviewers = fixtures.reviewers
zhang = fixtures.zhang
no_auto_payout = fixtures.no_auto_payout
no_instant_approval = fixtures.no_instant_approval
payout_failed = flows.payout_failed

pytestmark = pytest.mark.django_db

BASE = "https://gjj.example.cn"  # GJJ_PUBLIC_BASE_URL in this package's tests
OPENID = "oSENTLINKS"
PHONE_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
)
WECHAT = PHONE_BROWSER + " MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64"
URL = re.compile(r"https?://[^\s\"'<>，。；）]+")


@pytest.fixture
def sent(wechat_sims, django_capture_on_commit_callbacks):
    """``with sent():`` — what the block commits leaves through the live simulators afterwards, as
    the worker sends it in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _sms_links(sims, person: Person) -> list[str]:
    return [url for message in sims.outbox(person.phone) for url in URL.findall(message["text"])]


def _template_links(sims) -> list[str]:
    return [message["url"] for message in wechat_log(sims, OPENID)]


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _main(response) -> str:
    page = response.content.decode()
    assert '<main id="main" class="m-main">' in page, "not in the H5's layout"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def open_as_recipient(url: str, *, person: Person, user_agent: str, expect_text: str) -> None:
    """A fresh phone opens the link: the H5 login, naming the page to come back to; once logged in,
    the page itself, in the H5 layout, showing ``expect_text``."""
    path = _path(url)
    visitor = Client(HTTP_USER_AGENT=user_agent)
    first = visitor.get(path, follow=True)
    assert first.status_code == 200, (url, first.status_code)
    login_path = first.redirect_chain[-1][0] if first.redirect_chain else path
    landed = urlsplit(login_path)
    clean = urlsplit(path).path
    if landed.path == "/m/login/":
        assert parse_qs(landed.query)["next"] == [clean], url
        assert "立即登录" in _main(first)
    else:
        assert landed.path == clean, url  # a page for everybody (the H5 home)
    fixtures.login(visitor, person)
    again = visitor.get(clean, follow=True)
    assert again.status_code == 200, (url, again.status_code)
    # the page itself, or its first screen (购房提取 opens at 温馨提示)
    final = urlsplit(again.redirect_chain[-1][0]).path if again.redirect_chain else clean
    assert final.startswith(clean), again.redirect_chain
    assert expect_text in _main(again), (url, expect_text)


def test_news_of_an_application_paid_at_once(following, no_auto_payout, wechat_sims, sent):
    with sent():
        application = submitted()
        payouts.payout_execute(payout_id=application.payouts.get().pk)
    application.refresh_from_db()
    assert application.state == State.PAID
    links = _template_links(wechat_sims)
    assert len(links) == 3  # 已提交, 审批通过, 已到账
    for url in links:
        open_as_recipient(url, person=following, user_agent=WECHAT, expect_text=application.business_no)
    assert _sms_links(wechat_sims, following) == []  # good news needs no link


@pytest.fixture
def following(zhang) -> Person:
    """张伟 follows the official account and has bound it, before anything happens."""
    wechat_services.wechat_binding_link(person=zhang, openid=OPENID)
    return zhang


def _in_review(reviewer) -> Application:
    application = submitted()
    assert application.state == State.SUBMITTED
    return services.application_claim(application=application, reviewer=reviewer)


def test_news_of_a_return(following, no_instant_approval, no_auto_payout, reviewers, wechat_sims, sent):
    first, _ = reviewers
    with sent():
        services.application_return(
            application=_in_review(first),
            reviewer=first,
            what_to_fix=["purchase_invoice"],
            reason="购房发票不清晰",
        )

    sms = _sms_links(wechat_sims, following)
    template = _template_links(wechat_sims)

    assert len(sms) == 1 and len(template) == 2  # 已提交 and 退回补正
    for url in sms:
        open_as_recipient(url, person=following, user_agent=PHONE_BROWSER, expect_text="修改并重新提交")
    for url in template:
        open_as_recipient(url, person=following, user_agent=WECHAT, expect_text="购房发票不清晰")


def test_news_of_a_rejection(following, no_instant_approval, no_auto_payout, reviewers, wechat_sims, sent):
    first, _ = reviewers
    with sent():
        services.application_reject(application=_in_review(first), reviewer=first, reason="房屋已办理过提取")

    newest = wechat_log(wechat_sims, OPENID)[0]

    assert newest["data"]["keyword2"]["value"] == "未通过审核"
    open_as_recipient(newest["url"], person=following, user_agent=WECHAT, expect_text="房屋已办理过提取")


def _send_pending() -> None:
    """What the fixtures' transactions left to the worker, sent as the reconciler would."""
    for notification_id in Notification.objects.filter(state=NotificationState.PENDING).values_list(
        "pk", flat=True
    ):
        notification_send(notification_id=notification_id)
    wechat_notifications_reconcile(older_than_seconds=-60)


def test_news_of_a_failed_payout(following, payout_failed, wechat_sims):
    _send_pending()
    sms = _sms_links(wechat_sims, following)
    newest = wechat_log(wechat_sims, OPENID)[0]

    assert len(sms) == 1 and newest["data"]["keyword2"]["value"] == "转账未成功"
    for url, user_agent in ((sms[0], PHONE_BROWSER), (newest["url"], WECHAT)):
        open_as_recipient(url, person=following, user_agent=user_agent, expect_text="更换收款银行卡")


def test_the_official_accounts_replies_and_menu(loaded, platform, wechat_sims):
    zhang = Person.objects.get(id_number=fixtures.ZHANG_WEI)
    replies = [
        platform.event(OPENID, "subscribe"),
        platform.event(OPENID, "CLICK", "BUSINESS"),
        platform.event(OPENID, "CLICK", "PROGRESS"),
        platform.text(OPENID, "我要提取"),
        platform.text(OPENID, "查进度"),
    ]
    links = [url for reply in replies for url in URL.findall(reply.content.decode())]
    links += [button["url"] for button in official_menu()["button"] if button["type"] == "view"]

    # “提取” is answered with one link per reason of the registry.
    reasons = {f"/m/withdrawals/{key}/": "温馨提示" for key in ("purchase", "rent", "retirement")}
    expected = {"/m/": "业务办理", "/m/applications/": "我的业务", **reasons}
    assert {urlsplit(url).path for url in links} == set(expected)
    for url in links:
        open_as_recipient(
            url.replace("&amp;", "&"),
            person=zhang,
            user_agent=WECHAT,
            expect_text=expected[urlsplit(url).path],
        )


def test_the_portals_qr_codes(db, client, wechat_sims, monkeypatch):
    from gjj.portal import views as portal_views

    encoded: list[str] = []
    draw = portal_views.qr_svg
    monkeypatch.setattr(portal_views, "qr_svg", lambda data, **kw: encoded.append(data) or draw(data, **kw))
    assert client.get("/").status_code == 200
    app_url, follow_url = encoded

    app = Client(HTTP_USER_AGENT=PHONE_BROWSER).get(urlsplit(app_url).path)
    follow = requests.get(follow_url, headers={"User-Agent": WECHAT}, timeout=10)

    assert app.status_code == 200 and "安装" in app.content.decode()
    assert follow.status_code == 200 and "关注公众号" in follow.text


def test_the_receipts_qr_code(zhang, no_auto_payout, wechat_sims):
    application = submitted()
    url = receipt_content(application=application).verify_url

    checked = Client(HTTP_USER_AGENT=PHONE_BROWSER).get(_path(url))  # whoever holds the receipt

    assert checked.status_code == 200 and "回执真实有效" in checked.content.decode()
    assert application.business_no in checked.content.decode()
