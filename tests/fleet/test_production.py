"""The production topology as a member and an operator meet it: 购房提取 through nginx over TLS with
the materials in object storage, a hall instance killed mid-form losing nothing, every instance's
health and metrics, and one request id from nginx through the hall into the payout task."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import io
import json
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import SimpleNamespace

import httpx
import psycopg
import pytest
from PIL import Image
from playwright.sync_api import expect

from bench.flow import Answer, application, jpeg
from bench.members import PASSWORD, generate, write
from bench.oidc import api_token
from gjj.fleet.topology import BUCKET, hall_names, s3_client, worker_names
from tests.browser.conftest import log_in
from tests.browser.test_desktop_hall import (
    _fill_card,
    _fill_house,
    _open_purchase_form,
    _upload_every_material,
)
from tests.support.browser import DESKTOP

pytestmark = pytest.mark.browser

ZHANG_WEI = "210102198803120158"


def _rows(fleet, sql: str, *params):
    with psycopg.connect(fleet.config.database_url("gjj")) as connection:
        return connection.execute(sql, params).fetchall()


def wait_until(predicate: Callable[[], bool], *, seconds: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_member_applies_through_nginx_and_a_killed_instance_loses_neither_session_nor_draft(
    fleet, browser, photo_files
):
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", ignore_https_errors=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, SimpleNamespace(hall=fleet.config.public_url), ZHANG_WEI)
    assert page.url.startswith(f"{fleet.config.public_url}/hall/")
    _open_purchase_form(page)
    _fill_house(page, contract_no="SY202605180001234")
    _fill_card(page, bank="建设银行", card_no="6217001376212461799")
    expect(page.locator("#draft-status")).to_contain_text("草稿已自动保存")

    # Each instance in turn dies as a machine does (SIGKILL to its whole process group): the member's
    # next page comes from the other one, still signed in, the draft still there.
    for killed, survivor in (("hall-1", "hall-2"), ("hall-2", "hall-1")):
        fleet.kill(killed)
        assert not fleet.alive(killed) and fleet.alive(survivor)
        page.reload()
        expect(page.get_by_role("heading", name="购买商品住房提取")).to_be_visible()
        expect(page.get_by_label("备案合同号")).to_have_value("SY202605180001234")
        expect(page.locator("#house-echo")).to_contain_text("沈阳市浑南区智慧四街18-2号2-8-1")
        expect(page.locator("body")).to_contain_text("6217 **** **** 1799")
        fleet.restart(killed)

    if not page.get_by_label("我已阅读并同意《承诺书》").is_checked():
        page.get_by_label("我已阅读并同意《承诺书》").check()
    page.get_by_role("button", name="提交申请").click()
    _upload_every_material(page, photo_files["photo"])
    page.locator("#final-submit").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    business_no = re.search(r"TQ\d{14}", page.locator("body").inner_text()).group(0)
    expect(page.locator("#payout-status")).to_contain_text("已到账", timeout=90_000)
    context.close()

    # The materials are objects in the private bucket, read back through the S3 API: the bytes the
    # hall recorded (its SHA-256), none of them on the instances' disks, none readable anonymously.
    materials = _rows(
        fleet,
        "SELECT m.file, m.sha256 FROM withdrawals_material m JOIN withdrawals_application a"
        " ON a.id = m.application_id WHERE a.business_no = %s AND m.is_current",
        business_no,
    )
    assert len(materials) >= 3
    s3 = s3_client(fleet.config, fleet.env)
    for name, sha256 in materials:
        body = s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == sha256
        with Image.open(io.BytesIO(body)) as image:
            image.verify()
        assert not (fleet.config.var_dir / "media" / name).exists()
        status, _ = _get(f"{fleet.config.s3_url}/{BUCKET}/{name}")
        assert status == 403


def test_every_instance_answers_ready_and_metrics_and_nginx_keeps_metrics_inside(fleet):
    for name, url in zip(hall_names(fleet.config), fleet.config.hall_urls, strict=True):
        status, body = _get(f"{url}/health/ready")
        assert status == 200, (name, body)
        checks = json.loads(body)["checks"]
        assert set(checks) >= {"database", "redis", "storage", "policy"}
        assert set(checks.values()) == {"ok"}, (name, checks)
        status, body = _get(f"{url}/metrics")
        assert status == 200
        for metric in (
            "gjj_http_request_duration_seconds",
            "gjj_applications",
            "gjj_payouts",
            "gjj_task_queue_depth",
        ):
            assert metric in body, (name, metric)
    for port in fleet.config.ports.worker_metrics:
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert "gjj_task_queue_depth" in body
    public = httpx.get(f"{fleet.config.public_url}/metrics", verify=False)  # noqa: S501 - the fleet's own certificate
    assert public.status_code == 404


def _apply_over_the_api(fleet, member) -> tuple[dict, dict[str, str]]:
    """One 购房提取 through nginx as the app makes it: the final answer, and each step's X-Request-ID
    (nginx's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the browser tests' loop runs in this thread
        token = pool.submit(
            lambda: asyncio.run(
                api_token(
                    fleet.config.govsso_url,
                    fleet.config.public_url,
                    member.id_number,
                    PASSWORD,
                    client_secret=fleet.env["GJJ_OIDC_CLIENT_SECRET"],
                )
            )
        ).result()
    request_ids: dict[str, str] = {}
    certificate = str(fleet.config.tls_dir / "cert.pem")
    with httpx.Client(
        base_url=fleet.config.public_url, verify=ssl.create_default_context(cafile=certificate), timeout=60
    ) as http:
        flow = application(member, jpeg())
        step = next(flow)
        try:
            while True:
                response = http.request(
                    step.method,
                    step.path,
                    json=step.json,
                    files=step.files,
                    headers={"Authorization": f"Bearer {token}"},
                )
                request_ids[step.name] = response.headers["X-Request-ID"]
                step = flow.send(Answer(response.status_code, response.json()))
        except StopIteration as finished:
            return finished.value, request_ids


def _log_lines_with(path, request_id: str) -> list[dict]:
    found = []
    for line in path.read_text(errors="replace").splitlines():
        if request_id in line and line.startswith("{"):
            found.append(json.loads(line))
    return found


def test_one_request_id_links_nginx_the_hall_and_the_payout_task(fleet):
    (member,) = generate(1, seed=81)
    fleet.gjj("import-dataset", str(write(fleet.config.var_dir / "one-member.json", [member])))
    final, request_ids = _apply_over_the_api(fleet, member)
    request_id = request_ids["final_submit"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    logs = fleet.config.log_dir

    def paid_and_logged() -> bool:
        (state,) = _rows(
            fleet, "SELECT state FROM withdrawals_application WHERE business_no = %s", final["business_no"]
        )[0]
        return state == "paid" and bool(_worker_lines(fleet, request_id))

    assert wait_until(paid_and_logged, seconds=90), "the final submission's payout was not paid under its id"
    nginx = _log_lines_with(logs / "nginx-access.log", request_id)
    assert [entry["uri"] for entry in nginx] == [f"/api/v1/applications/{final['id']}/final-submit"]
    hall = [
        line
        for name in hall_names(fleet.config)
        for line in _log_lines_with(logs / f"{name}.log", request_id)
    ]
    assert hall, "the hall logged nothing under the request's id"
    # The payout task ran in a worker under the request's id, and so did its call to the bank.
    task = _worker_lines(fleet, request_id)
    assert any(line["logger"].startswith("gjj.") for line in task), task


def _worker_lines(fleet, request_id: str) -> list[dict]:
    return [
        line
        for name in worker_names(fleet.config)
        if (fleet.config.log_dir / f"{name}.log").exists()
        for line in _log_lines_with(fleet.config.log_dir / f"{name}.log", request_id)
    ]
