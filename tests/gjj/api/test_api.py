"""The JSON API in process (Django test client), against the live simulators."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from gjj.api.auth import token_cache_key
from gjj.api.models import IdempotencyRecord
from gjj.members.models import Person
from gjj.policy.active import active_policy
from gjj.withdrawals.models import Application, Material, State
from tests.gjj.api.conftest import (
    CHEN_CARD,
    CHEN_HOUSE,
    CHEN_JING,
    QIAN_KUN,
    YANG_ARCHIVE,
    YANG_CARD,
    YANG_LEI,
    ZHANG_CARD,
    ZHANG_HOUSE,
    ZHANG_WEI,
    bearer,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db(transaction=False)

API = "/api/v1"


def _patch(client, url, body, **headers):
    return client.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def _post(client, url, body=None, **headers):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def _fill(client, headers, *, archive_no=None, contract_no=None, bank, card_no, amount=None):
    app_id = _post(client, f"{API}/applications", **headers).json()["id"]
    body = {
        "bank": bank,
        "card_no": card_no,
        "declaration_accepted": True,
        "declaration_version": active_policy().declaration_version,
    }
    if archive_no:
        body["archive_no"] = archive_no
    if contract_no:
        body["contract_no"] = contract_no
    if amount:
        body["amount"] = amount
    response = _patch(client, f"{API}/applications/{app_id}", body, **headers)
    assert response.status_code == 200, response.content
    return app_id


# --- authentication -------------------------------------------------------------------------------


def test_without_a_token_is_401(loaded, client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_token_the_provider_refuses_is_401_and_the_refusal_is_remembered(loaded, client, userinfo):
    for _ in range(3):
        response = client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer not-a-token")
        assert response.status_code == 401
    assert userinfo.introspections == ["not-a-token"]  # asked once, then refused from the cache
    assert userinfo.calls == []


def test_a_token_issued_to_another_client_is_401(loaded, client, userinfo):
    """Another site that logs members in with the same SSO holds their tokens: they open nothing here."""
    userinfo.answers["tok-elsewhere"] = {"sub": "u-1", settings.GJJ_OIDC_ID_NUMBER_CLAIM: YANG_LEI}
    userinfo.clients["tok-elsewhere"] = "some-other-site"

    response = client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-elsewhere")

    assert response.status_code == 401
    assert userinfo.calls == []  # not even asked who it is


def test_the_centres_app_client_is_accepted(loaded, client, userinfo):
    userinfo.answers["tok-app"] = {"sub": "u-1", settings.GJJ_OIDC_ID_NUMBER_CLAIM: YANG_LEI}
    userinfo.clients["tok-app"] = "gjj-app"

    assert client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-app").status_code == 200


def test_a_revoked_token_is_refused_once_the_cache_time_has_passed(loaded, client, userinfo):
    userinfo.answers["tok-yang"] = {"sub": "u-1", settings.GJJ_OIDC_ID_NUMBER_CLAIM: YANG_LEI}
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-yang").status_code == 200
    userinfo.revoked.add("tok-yang")
    # Within GJJ_API_TOKEN_CACHE_SECONDS the confirmed token is still trusted ...
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-yang").status_code == 200

    cache.delete(token_cache_key("tok-yang"))  # ... until its cache entry expires.

    assert client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-yang").status_code == 401
    assert userinfo.introspections == ["tok-yang", "tok-yang"]


def test_a_valid_token_maps_the_id_number_claim_and_is_cached(loaded, client, userinfo):
    userinfo.answers["tok-yang"] = {
        "sub": "u-1",
        settings.GJJ_OIDC_ID_NUMBER_CLAIM: YANG_LEI,
        "name": "杨磊",
    }
    for _ in range(3):
        response = client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer tok-yang")
        assert response.status_code == 200
    assert response.json() == {"name": "杨磊", "id_number": "2101**********0378"}
    assert userinfo.calls == ["tok-yang"]  # asked once, then the cache answers


def test_a_person_without_a_fund_account_is_403_no_account(loaded, client, userinfo):
    userinfo.answers["tok-qian"] = {"sub": "u-2", settings.GJJ_OIDC_ID_NUMBER_CLAIM: QIAN_KUN}
    userinfo.answers["tok-nobody"] = {"sub": "u-3"}
    for token in ("tok-qian", "tok-nobody"):
        response = client.get(f"{API}/account", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 403
        assert response.json() == {"code": "no_account", "message": "未查询到您的公积金账户信息"}


# --- member ---------------------------------------------------------------------------------------


def test_account_balances_in_fen_and_yuan(loaded, client):
    body = client.get(f"{API}/account", **bearer(YANG_LEI)).json()
    assert body["balance_fen"] == 12050080
    assert body["balance"] == "120500.80"
    assert body["available"] == "120500.80"
    assert body["status"] == "normal"
    assert body["status_label"] == "正常"
    assert "210100000006" not in json.dumps(body)


def test_declaration_gives_the_version_to_accept(loaded, client):
    body = client.get(f"{API}/declaration", **bearer(YANG_LEI)).json()
    assert body["version"] == active_policy().declaration_version
    assert body["title"] == "住房公积金提取承诺书"
    assert body["text"]


def test_house_lookup_echoes_the_house_with_masked_buyers(loaded, client):
    headers = bearer(YANG_LEI)
    response = _post(client, f"{API}/houses/lookup", {"archive_no": YANG_ARCHIVE}, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["relation"] == "buyer"
    assert body["house"]["address"] == "沈阳市皇姑区黄河南大街66号3-2-2"
    assert body["house"]["buyers"] == [{"name": "杨磊", "id_number": "2101**********0378"}]
    assert YANG_LEI not in response.content.decode()
    assert Application.objects.get(pk=body["application_id"]).house_key == YANG_ARCHIVE


def test_house_lookup_of_someone_elses_house_is_not_found(loaded, client):
    response = _post(client, f"{API}/houses/lookup", {"contract_no": ZHANG_HOUSE}, **bearer(YANG_LEI))
    assert response.status_code == 404
    assert response.json()["code"] == "house_not_found"


def test_house_lookup_without_a_key_is_400(loaded, client):
    response = _post(client, f"{API}/houses/lookup", {}, **bearer(YANG_LEI))
    assert response.status_code == 400
    assert response.json()["field"] == "contract_no"


def test_card_check_gives_the_card_rules(loaded, client):
    good = _post(client, f"{API}/cards/check", {"bank": "SJB", "card_no": YANG_CARD}, **bearer(YANG_LEI))
    assert good.status_code == 200
    body = good.json()
    assert body["passed"] is True
    assert body["card_no"] == "6224 **** **** 8487"
    assert {c["rule"] for c in body["checks"]} >= {"bank_allowed", "card_number", "card_holder", "card_class"}
    wrong = _post(
        client, f"{API}/cards/check", {"bank": "CCB", "card_no": ZHANG_CARD}, **bearer(YANG_LEI)
    ).json()
    assert wrong["passed"] is False
    holder = next(c for c in wrong["checks"] if c["rule"] == "card_holder")
    assert holder["passed"] is False and holder["reason"]
    assert ZHANG_CARD not in json.dumps(wrong, ensure_ascii=False)


# --- an outside system that does not answer ------------------------------------------------------


def test_a_bank_that_does_not_answer_is_503_and_the_same_request_passes_later(loaded, client, sims):
    """Not a refusal: nothing was decided, so the app may send the same request (same key) again."""
    sims.set_fault(system="bank", operation="verify", mode="error", count=1)
    headers = {**bearer(YANG_LEI), "HTTP_IDEMPOTENCY_KEY": "k-card"}
    body = {"bank": "SJB", "card_no": YANG_CARD}
    down = _post(client, f"{API}/cards/check", body, **headers)
    assert down.status_code == 503
    assert down.json()["code"] == "outside_unavailable"
    assert "请稍后再试" in down.json()["message"]
    again = _post(client, f"{API}/cards/check", body, **headers)
    assert again.status_code == 200
    assert again.json()["passed"] is True


def test_a_card_refused_whatever_the_bank_says_is_200_while_the_bank_does_not_answer(loaded, client, sims):
    """A card of another bank than the one chosen is refused without asking the bank: a decision
    (200, passed false), as submitting it would be (422), not "try later"."""
    sims.set_fault(system="bank", operation="verify", mode="error")
    response = _post(client, f"{API}/cards/check", {"bank": "SJB", "card_no": ZHANG_CARD}, **bearer(YANG_LEI))
    assert response.status_code == 200
    body = response.json()
    assert body["passed"] is False
    match = next(c for c in body["checks"] if c["rule"] == "card_bank_match")
    assert match["passed"] is False and "不一致" in match["reason"]


def test_a_registry_that_does_not_answer_is_503_not_house_not_found(loaded, client, sims):
    sims.set_fault(system="registry", operation="lookup", mode="error")
    response = _post(client, f"{API}/houses/lookup", {"archive_no": YANG_ARCHIVE}, **bearer(YANG_LEI))
    assert response.status_code == 503
    assert response.json() == {
        "code": "outside_unavailable",
        "message": "房屋信息系统暂时无法访问，请稍后再试",
        "field": "archive_no",
    }
    # Nothing kept: not even the draft the lookup started.
    assert not Application.objects.filter(person__id_number=YANG_LEI).exists()


def _submit_while_the_bank_is_down(client, sims, settings, id_number, **fill):
    settings.GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS = 0  # the submission asks the bank itself
    headers = bearer(id_number)
    app_id = _fill(client, headers, **fill)
    sims.set_fault(system="bank", operation="verify", mode="error")
    return app_id, _post(client, f"{API}/applications/{app_id}/submit", **headers)


def test_a_submission_the_bank_could_not_check_is_503_and_stays_a_draft(loaded, client, sims, settings):
    app_id, response = _submit_while_the_bank_is_down(
        client, sims, settings, YANG_LEI, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD
    )
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "outside_unavailable"
    assert any(not check["passed"] and check["rule"].startswith("card") for check in body["checks"])
    assert Application.objects.get(pk=app_id).state == State.DRAFT


def test_a_refusal_certain_without_the_bank_is_422_even_while_the_bank_is_down(
    loaded, client, sims, settings
):
    _, response = _submit_while_the_bank_is_down(
        client, sims, settings, CHEN_JING, contract_no=CHEN_HOUSE, bank="ICBC", card_no=CHEN_CARD
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "refused"
    failed = {check["rule"] for check in body["checks"] if not check["passed"]}
    assert failed - {"card_number", "card_holder", "card_class", "card_status", "bank_allowed"}


# --- the whole flow -------------------------------------------------------------------------------


def test_the_whole_flow_over_the_api(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _fill(client, headers, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD)
    draft = client.get(f"{API}/applications/{app_id}", **headers).json()
    assert draft["state"] == "draft"
    assert draft["card_no"] == "6224 **** **** 8487"
    assert draft["declaration_version"] == active_policy().declaration_version

    submitted = _post(client, f"{API}/applications/{app_id}/submit", **headers)
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["state"] == "awaiting_materials"
    assert body["business_no"]
    assert body["amount"] == "120500.80"
    required = [m["kind"] for m in body["materials"]["required"]]
    assert body["materials"]["missing"] == required and required

    early = _post(client, f"{API}/applications/{app_id}/final-submit", **headers)
    assert early.status_code == 400
    assert early.json()["field"] == "materials"

    for kind in required:
        response = client.post(
            f"{API}/applications/{app_id}/materials/{kind}",
            {"file": _upload(f"{kind}.jpg", jpeg_bytes())},
            **headers,
        )
        assert response.status_code == 200, response.content
    removed = client.delete(f"{API}/applications/{app_id}/materials/{required[0]}", **headers)
    assert removed.json()["materials"]["missing"] == [required[0]]
    client.post(
        f"{API}/applications/{app_id}/materials/{required[0]}",
        {"file": _upload("again.jpg", jpeg_bytes())},
        **headers,
    )

    final = _post(client, f"{API}/applications/{app_id}/final-submit", **headers)
    assert final.status_code == 200, final.content
    detail = client.get(f"{API}/applications/{app_id}", **headers).json()
    assert detail["state"] not in ("draft", "awaiting_materials")
    assert detail["channel"] == "api"
    assert [t["channel"] for t in detail["timeline"][:2]] == ["api", "api"]
    assert detail["timeline"][0]["actor"] == "杨磊（2101**********0378）"
    assert YANG_LEI not in json.dumps(detail, ensure_ascii=False)
    assert YANG_CARD not in json.dumps(detail, ensure_ascii=False)

    listed = client.get(f"{API}/applications", **headers).json()
    assert [row["id"] for row in listed] == [app_id]


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_a_bad_material_is_400(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _fill(client, headers, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD)
    kind = _post(client, f"{API}/applications/{app_id}/submit", **headers).json()["materials"]["required"][0][
        "kind"
    ]
    response = client.post(
        f"{API}/applications/{app_id}/materials/{kind}",
        {"file": _upload("x.jpg", b"not an image")},
        **headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "material_rejected"
    unknown = client.post(
        f"{API}/applications/{app_id}/materials/nonsense", {"file": _upload("x.jpg", jpeg_bytes())}, **headers
    )
    assert unknown.status_code == 400


def test_refused_is_422_with_the_rule_ids(loaded, client):
    headers = bearer(CHEN_JING)
    app_id = _fill(client, headers, contract_no=CHEN_HOUSE, bank="ICBC", card_no=CHEN_CARD)
    response = _post(client, f"{API}/applications/{app_id}/submit", **headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "refused"
    failed = {c["rule"]: c["reason"] for c in body["checks"] if not c["passed"]}
    assert failed.get("time_window")
    assert all(set(c) == {"rule", "passed", "reason", "field"} for c in body["checks"])
    # Where the pages show each failure: by the one rule → field map.
    fields = {c["rule"]: c["field"] for c in body["checks"]}
    assert (fields["time_window"], fields["card_holder"], fields["account_status"]) == (
        "house",
        "card_no",
        None,
    )
    assert Application.objects.get(pk=app_id).state == State.DRAFT


def test_invalid_amount_and_stale_declaration_are_400(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _post(client, f"{API}/applications", **headers).json()["id"]
    bad = _patch(client, f"{API}/applications/{app_id}", {"amount": "12.345"}, **headers)
    assert bad.status_code == 400 and bad.json()["field"] == "amount"
    stale = _patch(
        client,
        f"{API}/applications/{app_id}",
        {"declaration_accepted": True, "declaration_version": "old"},
        **headers,
    )
    assert stale.status_code == 400 and stale.json()["field"] == "declaration"
    ok = _patch(client, f"{API}/applications/{app_id}", {"amount": "1000.00"}, **headers)
    assert ok.json()["amount_fen"] == 100000


def test_patching_someone_elses_house_is_400_and_keeps_the_rest(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _post(client, f"{API}/applications", **headers).json()["id"]
    response = _patch(
        client, f"{API}/applications/{app_id}", {"contract_no": ZHANG_HOUSE, "bank": "SJB"}, **headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "house_not_found"
    application = Application.objects.get(pk=app_id)
    assert application.bank == "SJB"
    assert application.house_snapshot is None


def test_cancel(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _fill(client, headers, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD)
    _post(client, f"{API}/applications/{app_id}/submit", **headers)
    cancelled = _post(client, f"{API}/applications/{app_id}/cancel", **headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    again = _patch(client, f"{API}/applications/{app_id}", {"bank": "CCB"}, **headers)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_another_members_application_is_404(loaded, client):
    zhang = bearer(ZHANG_WEI)
    app_id = _post(client, f"{API}/applications", **zhang).json()["id"]
    yang = bearer(YANG_LEI)
    assert client.get(f"{API}/applications/{app_id}", **yang).status_code == 404
    assert _patch(client, f"{API}/applications/{app_id}", {"bank": "CCB"}, **yang).status_code == 404
    for action in ("submit", "final-submit", "cancel"):
        assert _post(client, f"{API}/applications/{app_id}/{action}", **yang).status_code == 404
    assert client.delete(f"{API}/applications/{app_id}/materials/id_front", **yang).status_code == 404
    assert client.get(f"{API}/applications", **yang).json() == []
    assert Application.objects.get(pk=app_id).bank == ""


# --- idempotency ----------------------------------------------------------------------------------


def test_a_repeated_post_with_the_same_key_returns_the_first_answer_and_does_nothing(loaded, client):
    headers = {**bearer(YANG_LEI), "HTTP_IDEMPOTENCY_KEY": "k-start"}
    first = _post(client, f"{API}/applications", **headers)
    app_id = first.json()["id"]
    Application.objects.filter(pk=app_id).update(state=State.CANCELLED)  # a new start would create one
    second = _post(client, f"{API}/applications", **headers)
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(person__id_number=YANG_LEI).count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_a_repeated_upload_with_the_same_key_keeps_one_material(loaded, client):
    headers = bearer(YANG_LEI)
    app_id = _fill(client, headers, archive_no=YANG_ARCHIVE, bank="SJB", card_no=YANG_CARD)
    kind = _post(client, f"{API}/applications/{app_id}/submit", **headers).json()["materials"]["required"][0][
        "kind"
    ]
    data = jpeg_bytes()
    answers = [
        client.post(
            f"{API}/applications/{app_id}/materials/{kind}",
            {"file": _upload("a.jpg", data)},
            HTTP_IDEMPOTENCY_KEY="k-upload",
            **headers,
        )
        for _ in range(2)
    ]
    assert answers[0].json() == answers[1].json()
    assert Material.objects.filter(application_id=app_id).count() == 1
    other = client.post(
        f"{API}/applications/{app_id}/materials/{kind}",
        {"file": _upload("a.jpg", jpeg_bytes(size=(10, 10)))},
        HTTP_IDEMPOTENCY_KEY="k-upload",
        **headers,
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_request_that_dies_midway_leaves_neither_its_work_nor_its_key(loaded, monkeypatch):
    """As when its instance is killed after the draft was written: the app's retry with the same
    key runs the request anew (no answer to wait for, no half-done draft left behind)."""
    from gjj.withdrawals import services

    headers = {**bearer(YANG_LEI), "HTTP_IDEMPOTENCY_KEY": "k-dies"}
    started = services.application_start

    def start_then_die(**kwargs):
        started(**kwargs)
        raise RuntimeError("the process died here")

    monkeypatch.setattr(services, "application_start", start_then_die)
    dying = Client(raise_request_exception=False).post(
        f"{API}/applications", data="{}", content_type="application/json", **headers
    )
    assert dying.status_code == 500
    assert not Application.objects.filter(person__id_number=YANG_LEI).exists()
    assert not IdempotencyRecord.objects.exists()

    monkeypatch.setattr(services, "application_start", started)
    retried = _post(Client(), f"{API}/applications", **headers)
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert Application.objects.filter(person__id_number=YANG_LEI).count() == 1
    assert IdempotencyRecord.objects.get().response_status == 200


def test_the_same_key_with_another_request_is_422(loaded, client):
    headers = {**bearer(YANG_LEI), "HTTP_IDEMPOTENCY_KEY": "k-1"}
    app_id = _post(client, f"{API}/applications", **headers).json()["id"]
    response = _patch(client, f"{API}/applications/{app_id}", {"bank": "CCB"}, **headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.get(pk=app_id).bank == ""


def test_refusals_are_replayed_too(loaded, client):
    headers = bearer(CHEN_JING)
    app_id = _fill(client, headers, contract_no=CHEN_HOUSE, bank="ICBC", card_no=CHEN_CARD)
    url = f"{API}/applications/{app_id}/submit"
    first = _post(client, url, HTTP_IDEMPOTENCY_KEY="k-s", **headers)
    second = _post(client, url, HTTP_IDEMPOTENCY_KEY="k-s", **headers)
    assert first.status_code == second.status_code == 422
    assert first.json() == second.json()


def test_keys_are_per_member(loaded, client):
    yang = {**bearer(YANG_LEI), "HTTP_IDEMPOTENCY_KEY": "shared"}
    zhang = {**bearer(ZHANG_WEI), "HTTP_IDEMPOTENCY_KEY": "shared"}
    a = _post(client, f"{API}/applications", **yang).json()
    b = _post(client, f"{API}/applications", **zhang).json()
    assert a["id"] != b["id"]
    assert Person.objects.get(id_number=ZHANG_WEI).applications.count() == 1
