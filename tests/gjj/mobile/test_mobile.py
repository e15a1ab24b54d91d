"""The mobile H5: home and login, the 购房提取 wizard one step a screen (validation per step, the
refusal routed back to its step), the draft shared with the desktop, the channel, and the PWA."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from PIL import Image

from gjj.policy.active import active_policy
from gjj.wechat.links import link_token
from gjj.wechat.services import wechat_binding_link, wechat_openid_of
from gjj.withdrawals.models import Application, Channel, State, Transition
from tests.gjj.hall.test_withdrawal_form import login, text_of
from tests.gjj.withdrawals import conftest as withdrawal_fixtures

loaded = withdrawal_fixtures.loaded
_media_in_tmp = withdrawal_fixtures._media_in_tmp

pytestmark = pytest.mark.django_db

STEP = "/m/withdrawals/purchase/{}/"
YANG_LEI = "210106198411110378"
YANG_ARCHIVE = "2026010203456"
YANG_CARD = "6224553012333258487"
HUANG_QIANG = "210105198405150190"
HUANG_HOUSE = "SY202608300004321"
HUANG_CARD = "6212848194943347205"
LI_NA = "210103199007050241"
LI_HOUSE = "SY202605180001234"
LI_CARD = "6222024013192319654"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
WECHAT = ANDROID + " MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64"


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch):
    day = dt.date(2026, 11, 27)
    monkeypatch.setattr("gjj.withdrawals.services.today_shanghai", lambda: day)
    monkeypatch.setattr("gjj.withdrawals.form_selectors.today_shanghai", lambda: day)


def walk_to_declaration(client: Client, *, house: dict[str, str], bank: str, card: str) -> None:
    assert client.post(STEP.format("notice")).status_code == 302
    assert client.post(STEP.format("person")).status_code == 302
    response = client.post(STEP.format("house"), {**house, "action": "next"})
    assert response.status_code == 302, text_of(response.content.decode())
    response = client.post(STEP.format("account"), {"bank": bank, "card_no": card, "amount": ""})
    assert response.status_code == 302, text_of(response.content.decode())


def declare(client: Client):
    return client.post(
        STEP.format("declaration"),
        {"declaration": "accepted", "declaration_version": active_policy().declaration_version},
    )


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


# --- home, login ----------------------------------------------------------------------------------


def test_home_shows_the_tiles(client):
    page = client.get("/m/").content.decode()
    assert '<a href="/m/withdrawals/purchase/">购房提取</a>' in page
    assert "暂未开放" in page and 'rel="manifest"' in page


def test_login_page_has_the_note_the_govsso_link_and_starts_oidc_back_to_the_h5(client, settings):
    settings.GJJ_OIDC_ISSUER = "https://sso.example.gov.cn:8443/o"
    page = client.get("/m/login/?next=/m/withdrawals/purchase/").content.decode()
    assert "本登录页面的注册、忘记密码功能暂未开放" in page
    assert 'href="https://sso.example.gov.cn:8443/"' in page
    match = re.search(r'id="login-button" href="([^"]+)"', page)
    assert match and "立即登录" in page
    assert match.group(1).startswith("/oidc/")
    assert "next=%2Fm%2Flogin%2Fdone%2F%3Fnext%3D%252Fm%252Fwithdrawals%252Fpurchase%252F" in match.group(
        1
    ).replace("&amp;", "&")


def test_login_page_keeps_the_wechat_link_token(client):
    client.get("/m/login/?wx=abc123")
    assert client.session["wechat_link_token"] == "abc123"


def test_a_visitor_is_sent_to_the_h5_login(client):
    response = client.get(STEP.format("house"))
    assert response.status_code == 302
    assert response["Location"].startswith("/m/login/?next=")


# --- the wizard -----------------------------------------------------------------------------------


def test_each_step_renders_with_its_labels(client, loaded):
    login(client, YANG_LEI)
    expectations = {
        "notice": ["温馨提示", "备案合同号"],
        "person": ["个人基本信息", "杨磊"],
        "house": [
            '<label for="id_contract_no">备案合同号</label>',
            '<label for="id_archive_no">房证新档案号</label>',
        ],
        "account": [
            '<label for="id_bank">收款银行</label>',
            '<label for="id_card_no">银行卡号码</label>',
            '<label for="id_amount">提取金额</label>',
        ],
        "declaration": ["承诺书", "提交申请", '<label for="id_declaration">'],
    }
    for step, needles in expectations.items():
        response = client.get(STEP.format(step), HTTP_USER_AGENT=ANDROID)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'aria-current="step"' in page
        for needle in needles:
            assert needle in page, (step, needle)
    assert "上一步" in page and "提交申请" in page


def test_house_step_requires_a_house_that_is_found(client, loaded):
    login(client, YANG_LEI)
    response = client.post(STEP.format("house"), {"contract_no": "", "archive_no": ""})
    assert response.status_code == 400
    assert "请填写备案合同号或房证新档案号" in text_of(response.content.decode())
    response = client.post(STEP.format("house"), {"archive_no": "9999999999999"})
    assert response.status_code == 400
    response = client.post(STEP.format("house"), {"archive_no": YANG_ARCHIVE, "action": "lookup"})
    assert response.status_code == 302
    page = client.get(STEP.format("house")).content.decode()
    assert "查询到的房屋信息" in page and YANG_ARCHIVE in page


def test_account_step_checks_the_card_against_the_bank(client, loaded):
    login(client, YANG_LEI)
    response = client.post(STEP.format("account"), {"bank": "CCB", "card_no": YANG_CARD, "amount": ""})
    assert response.status_code == 400
    assert "银行" in text_of(response.content.decode())
    response = client.post(STEP.format("account"), {"bank": "SJB", "card_no": "6224553012333258488"})
    assert response.status_code == 400
    check = client.post("/m/withdrawals/purchase/card-check/", {"bank": "SJB", "card_no": YANG_CARD}).json()
    assert check["ok"] is True
    bad = client.post("/m/withdrawals/purchase/card-check/", {"bank": "CCB", "card_no": YANG_CARD}).json()
    assert bad["ok"] is False and bad["message"]


def test_the_whole_wizard_reaches_the_materials_and_the_result(client, loaded):
    person = login(client, YANG_LEI)
    walk_to_declaration(client, house={"archive_no": YANG_ARCHIVE}, bank="SJB", card=YANG_CARD)
    response = declare(client)
    assert response.status_code == 302 and "/materials/" in response["Location"]
    application = Application.objects.get(person=person, state=State.AWAITING_MATERIALS)
    page = client.get(response["Location"]).content.decode()
    assert 'capture="environment"' in page and "影像上传" in page
    kinds = re.findall(r'data-kind="([a-z_]+)"', page)
    assert kinds
    for kind in kinds:
        answer = client.post(
            f"/m/withdrawals/{application.business_no}/materials/{kind}/",
            {"file": _upload(f"{kind}.jpg")},
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["width"] == 64
    response = client.post(f"/m/withdrawals/{application.business_no}/submit/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "提交成功" in page and "业务流水号" in page and application.business_no in page
    application.refresh_from_db()
    assert application.channel == Channel.APP


def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def test_huang_qiang_is_sent_back_to_the_person_step_with_the_loan_overdue_reason(client, loaded):
    login(client, HUANG_QIANG)
    # The person step already says so.
    response = client.post(STEP.format("person"))
    assert response.status_code == 400 and "逾期" in text_of(response.content.decode())
    assert "提交失败" not in text_of(response.content.decode())  # a step's check is not a submission
    client.post(STEP.format("house"), {"contract_no": HUANG_HOUSE})
    client.post(STEP.format("account"), {"bank": "CCB", "card_no": HUANG_CARD, "amount": ""})
    response = declare(client)
    assert response.status_code == 302 and response["Location"] == STEP.format("person")
    page = text_of(client.get(response["Location"]).content.decode())
    assert "提交失败 您的申请未能提交，原因如下" in page
    assert "贷款" in page and "逾期" in page


def test_a_draft_started_on_the_desktop_continues_in_the_h5(client, loaded):
    person = login(client, LI_NA)
    client.post(
        "/hall/withdrawals/purchase/",
        {"contract_no": LI_HOUSE, "archive_no": "", "bank": "ICBC", "card_no": LI_CARD, "action": "lookup"},
    )
    draft = Application.objects.get(person=person, state=State.DRAFT)
    assert draft.house_key == LI_HOUSE
    page = client.get(STEP.format("house")).content.decode()
    assert f'value="{LI_HOUSE}"' in page
    page = client.get(STEP.format("account")).content.decode()
    assert '<option value="ICBC" selected>' in page
    assert Application.objects.filter(person=person).count() == 1


def test_the_channel_is_wechat_for_a_micromessenger_user_agent(client, loaded):
    person = login(client, YANG_LEI)
    client.get(STEP.format("notice"), HTTP_USER_AGENT=WECHAT)
    assert not Application.objects.filter(person=person).exists()  # a step shown stores nothing
    client.post(STEP.format("house"), {"archive_no": YANG_ARCHIVE}, HTTP_USER_AGENT=WECHAT)
    application = Application.objects.get(person=person, state=State.DRAFT)
    assert application.channel == Channel.WECHAT
    assert all(t.channel == Channel.WECHAT for t in Transition.objects.filter(application=application))


def test_logging_in_through_someone_elses_wechat_link_binds_nothing(client, loaded):
    """The fixation probe: an attacker sends the victim an H5 link with the attacker's own wx token;
    the victim logs in. Before, the login alone bound the attacker's openid to the victim."""
    client.get(f"/m/login/?wx={link_token('oATTACKER')}")
    person = login(client, YANG_LEI)

    response = client.get("/m/login/done/?next=/m/withdrawals/purchase/", HTTP_USER_AGENT=WECHAT)

    assert response.status_code == 302
    assert response["Location"] == "/m/wechat/bind/?next=%2Fm%2Fwithdrawals%2Fpurchase%2F"
    assert wechat_openid_of(person) is None


def test_inside_wechat_the_member_confirms_the_binding(client, loaded):
    client.get(f"/m/login/?wx={link_token('oYANG')}")
    person = login(client, YANG_LEI)

    page = client.get("/m/wechat/bind/?next=/m/", HTTP_USER_AGENT=WECHAT).content.decode()
    assert "<h1>将此微信号与您的公积金账户绑定</h1>" in page and ">确认绑定</button>" in page
    assert wechat_openid_of(person) is None

    done = client.post("/m/wechat/bind/", {"action": "confirm", "next": "/m/"}, HTTP_USER_AGENT=WECHAT)

    assert "<h1>已绑定微信</h1>" in done.content.decode()
    assert wechat_openid_of(person) == "oYANG"
    assert client.get("/m/", HTTP_USER_AGENT=ANDROID).status_code == 200
    # The channel of a member who came by a WeChat link stays 微信.
    client.post(STEP.format("notice"), HTTP_USER_AGENT=ANDROID)
    assert Application.objects.get(person=person, state=State.DRAFT).channel == Channel.WECHAT


def test_declining_or_opening_the_link_outside_wechat_binds_nothing(client, loaded):
    client.get(f"/m/login/?wx={link_token('oYANG')}")
    person = login(client, YANG_LEI)
    declined = client.post("/m/wechat/bind/", {"action": "decline", "next": "/m/"}, HTTP_USER_AGENT=WECHAT)
    assert declined.status_code == 302 and declined["Location"] == "/m/"

    client.get(f"/m/login/?wx={link_token('oYANG')}")
    outside = client.get("/m/wechat/bind/?next=/m/", HTTP_USER_AGENT=ANDROID)
    assert outside.status_code == 302 and outside["Location"] == "/m/"
    assert client.post("/m/wechat/bind/", {"action": "confirm"}, HTTP_USER_AGENT=WECHAT).status_code == 302
    assert wechat_openid_of(person) is None


def test_the_member_unbinds_in_the_h5(client, loaded):
    person = login(client, YANG_LEI)
    wechat_binding_link(person=person, openid="oYANG")
    page = client.get("/m/wechat/binding/").content.decode()
    assert "已绑定微信" in page and ">解除绑定</button>" in page

    after = client.post("/m/wechat/binding/").content.decode()

    assert "已解除绑定" in after and wechat_openid_of(person) is None


def test_login_done_never_leaves_the_h5(client, loaded):
    login(client, YANG_LEI)
    response = client.get("/m/login/done/?next=//evil.example/")
    assert response["Location"] == "/m/"


# --- PWA ------------------------------------------------------------------------------------------


def test_manifest(client):
    response = client.get("/m/manifest.webmanifest")
    assert response["Content-Type"].startswith("application/manifest+json")
    document = json.loads(response.content)
    assert document["name"] == "辽宁省直公积金"
    assert document["start_url"] == "/m/" and document["display"] == "standalone"
    sizes = {icon["sizes"] for icon in document["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in document["icons"]:
        image = client.get(icon["src"])
        assert image["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(image.content)).size == (int(icon["sizes"].split("x")[0]),) * 2


def test_service_worker_caches_the_shell_and_never_personal_data(client):
    response = client.get("/m/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/m/"
    body = response.content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))
    assert any(url.endswith("mobile.css") for url in shell) and "/m/offline/" in shell
    for url in shell:
        assert not url.startswith(("/m/withdrawals/", "/api/", "/hall/", "/m/login/"))
    network_only = json.loads(re.search(r"const NETWORK_ONLY = (\[.*?\]);", body).group(1))
    assert "/m/withdrawals/" in network_only and "/api/" in network_only
    assert "cache.put" not in body


def test_app_page_has_android_install_instructions(client):
    page = client.get("/app/").content.decode()
    assert "添加到主屏幕" in page and "安装应用" in page
