"""The mobile H5 in real Chromium emulating an Android phone (390×844, touch): 杨磊 logs in through
the H5 login page and completes the wizard (a large photo shrunk in the browser before upload),
黄强 is stopped at 个人基本信息 with the loan_overdue reason, and a draft started on the desktop is
finished in the H5. Screenshots of each step go to docs/screenshots/mobile-<n>-<step>.png."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.support.accessibility import assert_accessible
from tests.support.browser import phone_context, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_without_service_worker(browser):
    """Playwright's routing does not see requests of a page a service worker controls: the test of
    a dropped upload blocks the worker."""
    context = phone_context(browser, service_workers="block")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mobile-photos")
    large = Image.new("RGB", (4000, 3000), (230, 230, 220))
    draw = ImageDraw.Draw(large)
    for i in range(0, 4000, 97):
        draw.line((i, 0, 4000 - i, 3000), fill=(i % 255, 80, 160), width=9)
    out = io.BytesIO()
    large.save(out, format="JPEG", quality=95)
    (folder / "large.jpg").write_bytes(out.getvalue())
    small = Image.new("RGB", (800, 600), (200, 210, 220))
    out = io.BytesIO()
    small.save(out, format="JPEG")
    (folder / "small.jpg").write_bytes(out.getvalue())
    small.save(folder / "scan.pdf", format="PDF")
    return {"large": folder / "large.jpg", "small": folder / "small.jpg", "pdf": folder / "scan.pdf"}


CANCEL_OPEN = """
from gjj.members.models import Person
from gjj.withdrawals import services
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.models import ACTIVE_STATES, Application, Channel
person = Person.objects.get(id_number="{id_number}")
for application in Application.objects.filter(person=person, state__in=ACTIVE_STATES):
    services.application_cancel(application=application, actor=Actor.member(person, channel=Channel.APP))
"""


def cancel_open_applications(stack, id_number: str) -> None:
    """The stack is shared by the session: another test may have left this member an open
    application (one at a time, by the open_application rule)."""
    stack.gjj("shell", "-c", CANCEL_OPEN.format(id_number=id_number))


def h5_login(page, stack, id_number: str, *, next_path: str = "/m/withdrawals/purchase/") -> None:
    page.goto(f"{stack.hall}/m/login/?next={next_path}")
    assert "本登录页面的注册、忘记密码功能暂未开放" in page.inner_text("main")
    link = page.get_by_role("link", name="辽宁政务服务网")
    assert link.get_attribute("href").rstrip("/") == stack.govsso.rstrip("/")
    page.get_by_role("link", name="立即登录").click()
    # The SSO's own touch page: the same note, neither 注册账号 nor 忘记密码.
    expect(page.get_by_role("note")).to_contain_text("本登录页面的注册、忘记密码功能暂未开放")
    assert page.get_by_role("link", name="注册账号").count() == 0
    assert page.get_by_role("link", name="忘记密码").count() == 0
    page.get_by_label("身份证号/手机号").fill(id_number)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/m/withdrawals/"))


def step(page, n: int, name: str, *, shots: bool) -> None:
    assert_accessible(page)
    if shots:
        screenshot(page, f"mobile-{n}-{name}")


def next_step(page) -> None:
    page.get_by_role("button", name="下一步").click()


def upload_all(page, photos, *, shots: bool) -> list[dict]:
    answers = []
    items = page.locator(".m-material")
    for i in range(items.count()):
        item = items.nth(i)
        photo = photos["large"] if i == 0 else photos["small"]
        with page.expect_response(lambda r: "/materials/" in r.url and r.request.method == "POST") as info:
            item.locator("input[data-role=album]").set_input_files(str(photo))
        answer = info.value.json()
        assert answer["ok"], answer
        answers.append(answer)
        item.locator(".m-material__state", has_text="已上传").wait_for()
    if shots:
        screenshot(page, "mobile-7-materials-uploaded")
    return answers


def test_yang_lei_completes_the_wizard_on_a_phone(live_stack, phone, photos):
    page = phone
    cancel_open_applications(live_stack, "210106198411110378")
    page.goto(f"{live_stack.hall}/m/")
    step(page, 0, "home", shots=True)
    page.goto(f"{live_stack.hall}/m/login/")
    step(page, 1, "login", shots=True)
    h5_login(page, live_stack, "210106198411110378")
    assert page.locator('[aria-current="step"]').inner_text().strip().endswith("温馨提示")
    step(page, 2, "notice", shots=True)
    next_step(page)
    step(page, 3, "person", shots=True)
    next_step(page)
    # Typed as a member does: the house is echoed without 查询 once the number is whole.
    page.get_by_label("房证新档案号").press_sequentially("2026010203456")
    page.get_by_text("查询到的房屋信息").wait_for()
    expect(page.locator("#house-echo")).to_contain_text("本人")
    assert "/purchase/house/" in page.url
    step(page, 4, "house", shots=True)
    next_step(page)
    page.get_by_label("收款银行").select_option(label="盛京银行")
    page.get_by_label("银行卡号码").fill("6224553012333258487")
    page.get_by_text("卡号格式正确").wait_for()
    step(page, 5, "account", shots=True)
    next_step(page)
    page.get_by_label("我已阅读并同意《承诺书》").check()
    step(page, 6, "declaration", shots=True)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/materials/"))
    assert page.locator('input[capture="environment"]').count() >= 1
    step(page, 7, "materials", shots=True)
    answers = upload_all(page, photos, shots=True)
    large = answers[0]
    assert max(large["width"], large["height"]) <= 2000
    assert large["content_type"] == "image/jpeg"
    assert large["size"] < photos["large"].stat().st_size
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/result/"))
    text = page.inner_text("main")
    assert "提交成功" in text and "业务流水号" in text and "审核" in text
    step(page, 8, "result", shots=True)
    # The service worker is installed and its cache holds the shell, never a page with his data.
    cached = page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            const urls = [];
            for (const key of await caches.keys()) {
                for (const request of await (await caches.open(key)).keys()) urls.push(new URL(request.url).pathname);
            }
            return urls;
        }"""
    )
    assert "/m/offline/" in cached and any(url.endswith(".css") for url in cached)
    assert not [url for url in cached if url.startswith(("/m/withdrawals/", "/m/login/", "/api/", "/hall/"))]


def test_huang_qiang_is_stopped_with_the_loan_overdue_reason(live_stack, phone):
    page = phone
    h5_login(page, live_stack, "210105198405150190")
    next_step(page)
    # 个人基本信息 already says why.
    next_step(page)
    alert = page.get_by_role("alert")
    assert "逾期" in alert.inner_text() and "贷款" in alert.inner_text()
    assert page.locator('[aria-current="step"]').inner_text().strip().endswith("个人基本信息")
    assert_accessible(page)
    screenshot(page, "mobile-3-person-refused")
    # Going on anyway, 提交申请 sends him back to 个人基本信息 with the reason.
    page.goto(f"{live_stack.hall}/m/withdrawals/purchase/house/")
    page.get_by_label("备案合同号").fill("SY202608300004321")
    next_step(page)
    page.get_by_label("收款银行").select_option(label="建设银行")
    page.get_by_label("银行卡号码").fill("6212848194943347205")
    next_step(page)
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/purchase/person/"))
    alert = page.get_by_role("alert").inner_text()
    assert alert.startswith("提交失败") and "逾期" in alert
    assert_accessible(page)
    screenshot(page, "mobile-refused-submission")


def test_a_desktop_draft_is_finished_in_the_h5(live_stack, phone_without_service_worker, photos):
    page = phone_without_service_worker
    cancel_open_applications(live_stack, "210103198604040717")
    h5_login(page, live_stack, "210103198604040717")
    page.goto(f"{live_stack.hall}/hall/withdrawals/purchase/")
    page.get_by_label("备案合同号").fill("SY202603150007777")
    page.get_by_label("备案合同号").blur()
    page.get_by_text("查询到的房屋信息").wait_for()
    page.get_by_label("收款银行").select_option(label="工商银行")
    page.get_by_label("银行卡号码").fill("6222007019795107231")
    page.get_by_label("银行卡号码").blur()
    # The desktop's check as typed also keeps the draft: wait for its answer.
    expect(page.locator("#card-feedback")).to_contain_text("7231")
    page.goto(f"{live_stack.hall}/m/withdrawals/purchase/house/")
    assert page.get_by_label("备案合同号").input_value() == "SY202603150007777"
    next_step(page)
    assert page.get_by_label("收款银行").input_value() == "ICBC"
    assert "已保存" in page.inner_text("main")
    next_step(page)
    page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/materials/"))
    first = page.locator(".m-material").first
    # A dropped connection: the upload fails, 重试 appears and sends the photo again.
    dropped = []

    def drop_once(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/materials/[a-z_]+/$"), drop_once)
    first.locator("input[data-role=album]").set_input_files(str(photos["large"]))
    retry = first.get_by_role("button", name="重试")
    retry.wait_for(state="visible")
    assert "网络连接中断" in first.inner_text()
    with page.expect_response(lambda r: "/materials/" in r.url and r.request.method == "POST") as info:
        retry.click()
    assert info.value.json()["ok"] and max(info.value.json()["width"], info.value.json()["height"]) <= 2000
    assert retry.is_hidden()
    page.unroute(re.compile(r"/materials/[a-z_]+/$"))
    # A PDF goes up whole (only photos are shrunk in the browser).
    second = page.locator(".m-material").nth(1)
    with page.expect_response(lambda r: "/materials/" in r.url and r.request.method == "POST") as info:
        second.locator("input[data-role=album]").set_input_files(str(photos["pdf"]))
    assert info.value.json()["content_type"] == "application/pdf"
    assert info.value.json()["size"] > 0  # stored as the hall rewrote it, without active content
    upload_all(page, photos, shots=False)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/result/"))
    assert "提交成功" in page.inner_text("main")
