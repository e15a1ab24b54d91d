"""The JSON API over HTTP against the whole live system, with a REAL access token: the app's
authorization-code flow with PKCE against govsso, then the whole 购房提取 flow under /api/v1/, and a 租房提取 created and submitted (an owner refused)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import re
import secrets
import subprocess
import sys
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from PIL import Image
from stdnum import luhn

from gjj.core.identity_numbers import id_number_make
from tests.support.members import members_import
from tests.support.sims import REPO_ROOT

pytestmark = pytest.mark.browser

YANG_LEI = "210106198411110378"
PASSWORD = "Demo@2026"
CLIENT_ID = "gjj-hall"
CLIENT_SECRET = "gjj-hall-embedded-secret-0123456789"
TIMEOUT = 30


def access_token(
    stack,
    username: str,
    password: str,
    *,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
    redirect_uri: str | None = None,
) -> str:
    session = requests.Session()
    login_page = session.get(f"{stack.govsso}/login/", timeout=TIMEOUT)
    login_page.raise_for_status()
    csrf = session.cookies.get("govsso_csrftoken")
    assert csrf, "govsso set no CSRF cookie"
    logged_in = session.post(
        f"{stack.govsso}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{stack.govsso}/login/"},
        timeout=TIMEOUT,
    )
    assert logged_in.status_code == 200, logged_in.text[:500]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect_uri = redirect_uri or f"{stack.hall}/oidc/callback/"
    authorized = session.get(
        f"{stack.govsso}/o/authorize/",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile phone id_card",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert authorized.status_code in (301, 302, 303), authorized.text[:500]
    code = parse_qs(urlparse(authorized.headers["Location"]).query)["code"][0]
    token = requests.post(
        f"{stack.govsso}/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
            "code_verifier": verifier,
        },
        timeout=TIMEOUT,
    )
    assert token.status_code == 200, token.text[:500]
    return token.json()["access_token"]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_the_whole_flow_over_the_api_with_a_real_token(live_stack):
    api = f"{live_stack.hall}/api/v1"
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {access_token(live_stack, YANG_LEI, PASSWORD)}"

    def call(method: str, path: str, *, key: str | None = None, **kwargs) -> requests.Response:
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return http.request(method, f"{api}{path}", headers=headers, timeout=TIMEOUT, **kwargs)

    assert requests.get(f"{api}/me", timeout=TIMEOUT).status_code == 401
    assert (
        requests.get(f"{api}/me", headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT).status_code
        == 401
    )
    me = http.get(f"{api}/me", timeout=TIMEOUT).json()
    assert me == {"name": "杨磊", "id_number": "2101**********0378"}
    assert http.get(f"{api}/account", timeout=TIMEOUT).json()["balance"] == "120500.80"

    # The live stack is shared by the session's tests: withdraw what another test left open.
    for row in http.get(f"{api}/applications", timeout=TIMEOUT).json():
        if row["state"] in ("awaiting_materials", "submitted", "returned"):
            call("POST", f"/applications/{row['id']}/cancel")

    started = call("POST", "/applications", key="start-1")
    assert started.status_code == 200, started.text
    app_id = started.json()["id"]
    # The same Idempotency-Key again: the first answer, nothing new.
    repeated = call("POST", "/applications", key="start-1")
    assert repeated.status_code == 200 and repeated.json() == started.json()
    assert repeated.headers.get("Idempotent-Replayed") == "true"

    assert requests.get(f"{api}/openapi.json", timeout=TIMEOUT).status_code == 200
    detail = http.get(f"{api}/applications/{app_id}", timeout=TIMEOUT).json()
    assert detail["state"] == "draft"

    looked_up = call("POST", "/houses/lookup", json={"archive_no": "2026010203456"})
    assert looked_up.status_code == 200, looked_up.text
    assert looked_up.json()["house"]["buyers"] == [{"name": "杨磊", "id_number": "2101**********0378"}]
    card = call("POST", "/cards/check", json={"bank": "SJB", "card_no": "6224553012333258487"}).json()
    assert card["passed"] is True, card

    version = http.get(f"{api}/declaration", timeout=TIMEOUT).json()["version"]
    patched = call(
        "PATCH",
        f"/applications/{app_id}",
        json={
            "archive_no": "2026010203456",
            "bank": "SJB",
            "card_no": "6224553012333258487",
            "declaration_accepted": True,
            "declaration_version": version,
        },
    )
    assert patched.status_code == 200, patched.text

    submitted = call("POST", f"/applications/{app_id}/submit", key="submit-1")
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["state"] == "awaiting_materials"
    assert body["amount"] == "120500.80"
    again = call("POST", f"/applications/{app_id}/submit", key="submit-1")
    assert again.json() == body

    for material in body["materials"]["required"]:
        uploaded = call(
            "POST",
            f"/applications/{app_id}/materials/{material['kind']}",
            files={"file": (f"{material['kind']}.jpg", jpeg(), "image/jpeg")},
        )
        assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["materials"]["missing"] == []

    final = call("POST", f"/applications/{app_id}/final-submit")
    assert final.status_code == 200, final.text
    result = final.json()
    # 120,500.80 is above the live stack's four-eyes threshold of 100,000: it waits for review.
    assert result["state"] == "submitted"
    assert result["business_no"]
    timeline = http.get(f"{api}/applications/{app_id}", timeout=TIMEOUT).json()["timeline"]
    assert [t["to_state"] for t in timeline] == ["awaiting_materials", "submitted"]
    assert {t["channel"] for t in timeline} == {"api"}
    assert {t["channel_label"] for t in timeline} == {"手机APP客户端"}
    assert "210106198411110378" not in final.text and "6224553012333258487" not in final.text

    listed = http.get(f"{api}/applications", timeout=TIMEOUT).json()
    assert app_id in [row["id"] for row in listed]

    # Leave 杨磊 free for the session's other tests.
    cancelled = call("POST", f"/applications/{app_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def _card(serial: int) -> str:
    body = f"622202{serial:012d}"  # 工商银行 debit
    return body + luhn.calc_check_digit(body)


# A tenant (no house, no rent withdrawal yet) and a member who owns a house, of this test only.
API_TENANT = {
    "id_number": id_number_make(area_code="210104", birth=dt.date(1993, 4, 18), sequence=57),
    "name": "栗文静",
    "phone": "13904009701",
    "account_no": "210100009701",
    "balance": "31000.00",
    "house": None,
    "bank": "ICBC",
    "cards": [_card(970_100_000_001)],
}
API_OWNER = {
    "id_number": id_number_make(area_code="210103", birth=dt.date(1984, 12, 1), sequence=66),
    "name": "卢志刚",
    "phone": "13904009702",
    "account_no": "210100009702",
    "balance": "48000.00",
    "house": {"contract_no": "SY202610200009702", "address": "沈阳市和平区南京北街9号2-1-1"},
    "bank": "ICBC",
    "cards": [_card(970_200_000_001)],
}


def test_the_app_creates_and_submits_a_rent_application_and_an_owner_is_refused(live_stack, tmp_path_factory):
    members_import(
        live_stack,
        tmp_path_factory,
        [API_TENANT, API_OWNER],
        employer=("210100009700", "沈阳接口租房测试有限公司"),
    )
    api = f"{live_stack.hall}/api/v1"

    def session_of(member: dict) -> requests.Session:
        http = requests.Session()
        token = access_token(live_stack, member["id_number"], PASSWORD)
        http.headers["Authorization"] = f"Bearer {token}"
        return http

    def rent_draft(http: requests.Session, member: dict) -> int:
        reasons = {r["key"]: r for r in http.get(f"{api}/reasons", timeout=TIMEOUT).json()}
        assert reasons["rent"]["name"] == "租房提取" and reasons["rent"]["needs_house"] is False
        started = http.post(f"{api}/applications", json={"reason": "rent"}, timeout=TIMEOUT)
        assert started.status_code == 200, started.text
        assert (started.json()["reason"], started.json()["reason_name"]) == ("rent", "租房提取")
        version = http.get(f"{api}/declaration", params={"reason": "rent"}, timeout=TIMEOUT).json()["version"]
        patched = http.patch(
            f"{api}/applications/{started.json()['id']}",
            json={
                "bank": member["bank"],
                "card_no": member["cards"][0],
                "declaration_accepted": True,
                "declaration_version": version,
            },
            timeout=TIMEOUT,
        )
        assert patched.status_code == 200, patched.text
        return started.json()["id"]

    tenant = session_of(API_TENANT)
    app_id = rent_draft(tenant, API_TENANT)
    submitted = tenant.post(f"{api}/applications/{app_id}/submit", timeout=TIMEOUT)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    # No rent withdrawal before: 12 months × 1,500.00 元.
    assert (body["state"], body["amount"], body["house"]) == ("awaiting_materials", "18000.00", None)
    for material in body["materials"]["required"]:
        uploaded = tenant.post(
            f"{api}/applications/{app_id}/materials/{material['kind']}",
            files={"file": (f"{material['kind']}.jpg", jpeg(), "image/jpeg")},
            timeout=TIMEOUT,
        )
        assert uploaded.status_code == 200, uploaded.text
    final = tenant.post(f"{api}/applications/{app_id}/final-submit", timeout=TIMEOUT)
    assert final.status_code == 200, final.text
    # Every rule from a data source and below the four-eyes threshold: 秒批, then the payout.
    assert final.json()["state"] in ("approved", "paying", "paid"), final.json()["timeline"]
    assert final.json()["timeline"][-1]["reason"].startswith(("秒批", "发送银行支付", "银行支付成功"))

    owner = session_of(API_OWNER)
    refused = owner.post(f"{api}/applications/{rent_draft(owner, API_OWNER)}/submit", timeout=TIMEOUT)
    assert refused.status_code == 422, refused.text
    owns = next(c for c in refused.json()["checks"] if c["rule"] == "owns_house")
    assert owns["passed"] is False and "SY202610200009702" in owns["reason"]
    assert refused.json()["message"].startswith("不符合租房提取条件")


def test_a_real_token_of_another_client_of_the_same_sso_opens_nothing(live_stack):
    """Another site that logs people in with the government SSO holds their access tokens; the
    hall asks the SSO (RFC 7662) which client a token was issued to and refuses this one."""
    other = {"client_id": "another-site", "client_secret": secrets.token_urlsafe(32)}
    redirect_uri = "http://127.0.0.1:9/another-site/callback/"
    subprocess.run(
        [
            sys.executable, "-m", "django", "register_client", "--settings=govsso.settings",
            "--client-id", other["client_id"], "--client-secret", other["client_secret"],
            "--redirect-uri", redirect_uri, "--name", "另一个网站",
        ],
        env=live_stack.env, cwd=REPO_ROOT, check=True, capture_output=True,
    )  # fmt: skip
    token = access_token(live_stack, YANG_LEI, PASSWORD, redirect_uri=redirect_uri, **other)
    # The token is real: the SSO itself answers for it.
    userinfo = requests.get(
        f"{live_stack.govsso}/o/userinfo/", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert userinfo.status_code == 200

    answer = requests.get(
        f"{live_stack.hall}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )

    assert answer.status_code == 401


def test_the_browsable_docs_and_their_assets_are_served_by_the_hall(live_stack):
    docs = requests.get(f"{live_stack.hall}/api/v1/docs", timeout=TIMEOUT)
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', docs.text)
    assert assets, docs.text[:500]
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the hall"
        assert requests.get(f"{live_stack.hall}{asset}", timeout=TIMEOUT).status_code == 200, asset
