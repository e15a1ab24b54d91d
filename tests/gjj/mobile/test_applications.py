"""The H5's 我的业务 and 账户查询: list, detail and timeline, 撤回, 退回补正 with the named material
photographed again, 更换收款银行卡 after 支付失败, 办理回执 as a page and a PDF, the account and 退出 —
the same services and rules as the desktop, in the phone's layout and channel."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile

from gjj.members.models import Person
from gjj.withdrawals.models import Channel, State
from tests.gjj.hall import test_applications as fixtures
from tests.gjj.hall import test_applications_flows as flows
from tests.gjj.hall.test_applications import LI_NA, submitted, text_of
from tests.gjj.withdrawals.conftest import ZHANG_CARD, jpeg_bytes

loaded = fixtures.loaded
reviewers = fixtures.reviewers
zhang = fixtures.zhang
no_auto_payout = fixtures.no_auto_payout
no_instant_approval = fixtures.no_instant_approval
_media_in_tmp = fixtures._media_in_tmp
_sample_day = fixtures._sample_day
returned = flows.returned
payout_failed = flows.payout_failed
OTHER_CARD = flows.OTHER_CARD

pytestmark = pytest.mark.django_db

WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36 "
    "MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64"
)


def main_text(response) -> str:
    page = response.content.decode()
    match = re.search(r'<main id="main" class="m-main">(.*?)</main>', page, re.S)
    assert match is not None, "not the H5 layout"
    return text_of(match.group(1))


def test_every_screen_asks_a_visitor_to_log_in_and_comes_back(loaded, client):
    for path in ("/m/applications/", "/m/applications/TQ20261127000001/", "/m/account/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/m/login/?next=")
        assert path.replace("/", "%2F") in response["Location"]


def test_the_home_tiles_and_the_menu_reach_every_working_screen(zhang, client):
    page = client.get("/m/").content.decode()

    for name, href in (
        ("购房提取", "/m/withdrawals/purchase/"),
        ("我的业务", "/m/applications/"),
        ("账户查询", "/m/account/"),
    ):
        assert f'<a href="{href}">{name}</a>' in page
    assert "账户查询</span>" not in page  # no longer a 暂未开放 tile
    menu = re.search(r'<nav class="m-tabbar" aria-label="主菜单">(.*?)</nav>', page, re.S)
    assert menu is not None
    assert 'action="/hall/logout/"' in menu.group(1) and 'name="channel" value="m"' in menu.group(1)


def test_the_list_and_the_detail_with_its_timeline(zhang, client, no_auto_payout):
    application = submitted()  # approved at once (秒批)

    listing = main_text(client.get("/m/applications/"))
    detail_response = client.get(f"/m/applications/{application.business_no}/")

    assert f"购买商品住房提取 {application.business_no}" in listing and "已审批" in listing
    assert detail_response.status_code == 200
    detail = main_text(detail_response)
    assert "办理进度" in detail and "秒批" in detail
    assert ZHANG_CARD not in detail_response.content.decode()  # masked
    assert (
        f'href="/m/applications/{application.business_no}/receipt/">办理回执</a>'
        in detail_response.content.decode()
    )


def test_another_members_application_is_not_found(loaded, client, no_auto_payout):
    application = submitted()  # 张伟's
    fixtures.login(client, Person.objects.get(id_number=LI_NA))

    for suffix in ("", "cancel/", "resubmit/", "card/", "receipt/", "receipt.pdf"):
        url = f"/m/applications/{application.business_no}/{suffix}"
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_cancel_before_review_in_the_h5(zhang, client, no_instant_approval, no_auto_payout):
    application = submitted()
    assert application.state == State.SUBMITTED
    confirm = client.get(f"/m/applications/{application.business_no}/cancel/")
    assert "确认撤回" in main_text(confirm)

    response = client.post(f"/m/applications/{application.business_no}/cancel/", HTTP_USER_AGENT=WECHAT)

    assert response.status_code == 302
    assert response["Location"] == f"/m/applications/{application.business_no}/"
    application.refresh_from_db()
    assert application.state == State.CANCELLED
    last = application.transitions.order_by("-at", "-id").first()
    assert last is not None and last.channel == Channel.WECHAT
    assert "申请已撤回。" in main_text(client.get(response["Location"]))


def test_returned_fixed_rephotographed_and_resubmitted_in_the_h5(returned, client):
    base = f"/m/applications/{returned.business_no}/"
    detail = main_text(client.get(base))
    assert "退回补正" in detail and "购房发票（需重新拍照上传）" in detail

    refused = client.post(f"{base}resubmit/", {"bank": "CCB", "card_no": ZHANG_CARD, "amount": "80,000元"})
    assert refused.status_code == 422
    assert "提交失败" in main_text(refused) and "请阅读并勾选“我已阅读并同意《承诺书》”" in main_text(refused)

    response = client.post(
        f"{base}resubmit/",
        {"bank": "CCB", "card_no": ZHANG_CARD, "amount": "80,000元", "declaration": "accepted"},
        HTTP_USER_AGENT=WECHAT,
    )

    assert response.status_code == 302
    assert response["Location"] == f"/m/withdrawals/{returned.business_no}/materials/"
    returned.refresh_from_db()
    assert returned.state == State.AWAITING_MATERIALS and returned.amount_fen == 8_000_000
    materials = client.get(response["Location"]).content.decode()
    assert (
        materials.count("m-material--fix") == 1
        and '购房发票<span class="m-material__fix">（需重新上传）' in materials
    )

    early = client.post(f"/m/withdrawals/{returned.business_no}/submit/")
    assert early.status_code == 400 and "请重新上传需补正的材料：购房发票" in main_text(early)

    upload = client.post(
        f"/m/withdrawals/{returned.business_no}/materials/purchase_invoice/",
        {"file": SimpleUploadedFile("invoice.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert upload.status_code == 200 and upload.json()["ok"]
    done = client.post(f"/m/withdrawals/{returned.business_no}/submit/", HTTP_USER_AGENT=WECHAT)

    assert done.status_code == 302
    returned.refresh_from_db()
    assert returned.state == State.SUBMITTED


def test_payout_failed_to_another_card_in_the_h5(payout_failed, client):
    base = f"/m/applications/{payout_failed.business_no}/"
    detail = client.get(base).content.decode()
    assert f'href="{base}card/">更换收款银行卡</a>' in detail
    assert payout_failed.payouts.get().bank_message in text_of(detail)

    missing = client.post(f"{base}card/", {"bank": "CCB", "card_no": ""})
    assert missing.status_code == 422 and "请填写银行卡号码" in main_text(missing)
    # The card as printed on it, with spaces and dashes, is read as the number.
    spaced = " ".join([OTHER_CARD[:4], OTHER_CARD[4:8], OTHER_CARD[8:12], OTHER_CARD[12:]]).replace(
        " ", "-", 1
    )
    response = client.post(f"{base}card/", {"bank": "CCB", "card_no": spaced})

    assert response.status_code == 302 and response["Location"] == base
    payout_failed.refresh_from_db()
    assert payout_failed.state == State.APPROVED and payout_failed.card_no == OTHER_CARD
    assert "已更换收款银行卡" in main_text(client.get(base))


def test_the_receipt_is_a_page_wechat_shows_and_a_pdf(zhang, client, no_auto_payout):
    application = submitted()

    page = client.get(f"/m/applications/{application.business_no}/receipt/", HTTP_USER_AGENT=WECHAT)
    pdf = client.get(f"/m/applications/{application.business_no}/receipt.pdf")

    text = main_text(page)
    assert "办理回执" in text and application.business_no in text and "校验码" in text
    assert ZHANG_CARD not in page.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_no_receipt_before_submission(zhang, client):
    application = fixtures.awaiting_materials()  # numbered, not yet submitted
    assert application.person == zhang and application.business_no
    assert client.get(f"/m/applications/{application.business_no}/receipt/").status_code == 404
    assert "办理回执" not in main_text(client.get(f"/m/applications/{application.business_no}/"))


def test_the_account_with_its_holds_and_ledger(zhang, client, no_instant_approval, no_auto_payout):
    page = client.get("/m/account/")

    text = main_text(page)
    for label in ("账户余额", "可用余额", "冻结金额", "缴至年月", "账户明细"):
        assert label in text
    assert zhang.id_number not in page.content.decode()


def test_logout_from_the_h5_comes_back_to_the_h5(zhang, client, settings):
    settings.OIDC_OP_END_SESSION_ENDPOINT = ""  # no SSO session to end: straight back

    response = client.post("/hall/logout/", {"channel": "m"})

    assert response.status_code == 302 and response["Location"] == "/m/logged-out/"
    page = client.get("/m/logged-out/")
    assert "您已安全退出" in main_text(page) and 'href="/m/login/"' in page.content.decode()
    assert client.get("/m/applications/").status_code == 302  # the session has ended


def test_after_the_sso_logout_the_h5_page(client):
    response = client.get("/hall/logged-out/?state=m")
    assert response.status_code == 302 and response["Location"] == "/m/logged-out/"
    assert "您已安全退出" in client.get("/hall/logged-out/").content.decode()


def test_a_link_from_wechat_lands_on_its_page_without_its_token(zhang, client):
    from gjj.wechat.links import link_token
    from gjj.wechat.services import wechat_binding_link

    wechat_binding_link(person=zhang, openid="oZHANG")

    own = client.get(f"/m/applications/?wx={link_token('oZHANG')}", HTTP_USER_AGENT=WECHAT)
    other = client.get(f"/m/account/?wx={link_token('oSOMEONE')}&page=2", HTTP_USER_AGENT=WECHAT)

    # Already bound to this WeChat account: straight to the page, the token gone from the address.
    assert own.status_code == 302 and own["Location"] == "/m/applications/"
    # Another WeChat account: offered the binding first, then the page (its other parameters kept).
    assert other.status_code == 302
    assert other["Location"] == "/m/wechat/bind/?next=%2Fm%2Faccount%2F%3Fpage%3D2"


def test_the_line_after_a_new_card_survives_a_request_that_saves_an_older_session(payout_failed, client):
    """The card check still under way when the member presses 确认更换 saves the session as it read
    it before (every request saves it): the line for the detail screen must not live there."""
    base = f"/m/applications/{payout_failed.business_no}/"
    session_key = client.session.session_key
    before = SessionStore(session_key=session_key).load()

    response = client.post(f"{base}card/", {"bank": "CCB", "card_no": OTHER_CARD})
    assert response.status_code == 302
    # The slower request ends now and writes back what it read.
    stale = SessionStore(session_key=session_key)
    stale.clear()  # what it read, and nothing since
    stale.update(before)
    stale.save()

    assert "已更换收款银行卡" in main_text(client.get(base))
    # Shown once.
    assert "已更换收款银行卡" not in main_text(client.get(base))
