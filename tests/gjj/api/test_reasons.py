"""The withdrawal reasons over the API: the list from the registry, ``reason`` on create, a rent
application created and submitted, and the refusals in the app's words."""

from __future__ import annotations

import pytest

from gjj.policy.active import active_policy
from gjj.policy.reasons import declaration_for
from gjj.withdrawals.models import Application, State
from tests.gjj.api.conftest import ZHANG_CARD, ZHANG_WEI, bearer
from tests.gjj.api.test_api import API, _patch, _post
from tests.gjj.withdrawals.test_evaluate_reasons import CAO_YANG, HAN_MEI

pytestmark = pytest.mark.django_db


def _rent_draft(client, headers, *, bank: str, card_no: str) -> int:
    created = _post(client, f"{API}/applications", {"reason": "rent"}, **headers)
    assert created.status_code == 200, created.content
    app_id = created.json()["id"]
    filled = _patch(
        client,
        f"{API}/applications/{app_id}",
        {
            "bank": bank,
            "card_no": card_no,
            "declaration_accepted": True,
            "declaration_version": declaration_for(active_policy(), "rent").version,
        },
        **headers,
    )
    assert filled.status_code == 200, filled.content
    return app_id


def test_the_reasons_come_from_the_registry(loaded_reasons, client):
    body = client.get(f"{API}/reasons", **bearer(CAO_YANG[0])).json()

    assert [(r["key"], r["code"], r["name"]) for r in body] == [
        ("purchase", "01", "购买商品住房提取"),
        ("rent", "07", "租房提取"),
        ("retirement", "03", "离退休提取"),
    ]
    assert [r["needs_house"] for r in body] == [True, False, False]
    assert [r["amount_fixed"] for r in body] == [False, False, True]
    retirement = {m["name"] for m in body[2]["materials"]}
    assert "退休证明" in retirement


def test_cao_yang_creates_and_submits_a_rent_application(loaded_reasons, client):
    _, bank, card = CAO_YANG
    headers = bearer(CAO_YANG[0])
    app_id = _rent_draft(client, headers, bank=bank, card_no=card)

    submitted = _post(client, f"{API}/applications/{app_id}/submit", **headers)

    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["reason"], body["reason_name"], body["state"]) == ("rent", "租房提取", "awaiting_materials")
    assert body["amount"] == "4500.00"  # 1,500.00 a month × 3 months since 2026-08-20
    assert body["house"] is None and body["lookup_field"] is None
    assert {m["name"] for m in body["materials"]["required"]} >= {"身份证正面", "身份证反面"}
    passed = {c["rule"] for c in body["checks"] if c["passed"]}
    assert {"owns_house", "rent_interval", "amount"} <= passed
    application = Application.objects.get(pk=app_id)
    assert (application.reason, application.reason_code) == ("rent", "07")


def test_a_house_lookup_on_a_rent_draft_is_refused(loaded_reasons, client):
    headers = bearer(CAO_YANG[0])
    app_id = _post(client, f"{API}/applications", {"reason": "rent"}, **headers).json()["id"]

    response = _patch(client, f"{API}/applications/{app_id}", {"contract_no": "SY202605180001234"}, **headers)

    assert response.status_code == 400
    assert "不涉及房屋" in response.json()["message"]


def test_an_unknown_reason_is_400_naming_the_choices(loaded_reasons, client):
    response = _post(client, f"{API}/applications", {"reason": "travel"}, **bearer(CAO_YANG[0]))

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "reason"
    assert "travel" in body["message"] and "rent" in body["message"]
    assert not Application.objects.filter(person__id_number=CAO_YANG[0]).exists()


def test_a_member_who_owns_a_house_is_refused_rent_with_the_rule(loaded_reasons, client):
    headers = bearer(ZHANG_WEI)
    app_id = _rent_draft(client, headers, bank="CCB", card_no=ZHANG_CARD)

    response = _post(client, f"{API}/applications/{app_id}/submit", **headers)

    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith("不符合租房提取条件")
    owns = next(c for c in body["checks"] if c["rule"] == "owns_house")
    assert owns["passed"] is False and "名下有住房" in owns["reason"]
    assert Application.objects.get(pk=app_id).state == State.DRAFT


def test_a_retirement_draft_is_the_whole_balance(loaded_reasons, client):
    id_number, bank, card = HAN_MEI
    headers = bearer(id_number)
    created = _post(client, f"{API}/applications", {"reason": "retirement"}, **headers).json()
    _patch(
        client,
        f"{API}/applications/{created['id']}",
        {
            "bank": bank,
            "card_no": card,
            "declaration_accepted": True,
            "declaration_version": declaration_for(active_policy(), "retirement").version,
        },
        **headers,
    )

    body = _post(client, f"{API}/applications/{created['id']}/submit", **headers).json()

    assert (body["reason_name"], body["amount"]) == ("离退休提取", "156300.25")


def test_each_reason_has_its_own_declaration(loaded_reasons, client):
    headers = bearer(CAO_YANG[0])
    rent = client.get(f"{API}/declaration", {"reason": "rent"}, **headers).json()
    purchase = client.get(f"{API}/declaration", **headers).json()

    assert rent["version"] != purchase["version"]
    assert "租赁" in rent["text"] and "购买自住住房" in purchase["text"]
    assert client.get(f"{API}/declaration", {"reason": "travel"}, **headers).status_code == 400
    # The purchase's version does not accept the rent 承诺书.
    app_id = _post(client, f"{API}/applications", {"reason": "rent"}, **headers).json()["id"]
    stale = _patch(
        client,
        f"{API}/applications/{app_id}",
        {"declaration_accepted": True, "declaration_version": purchase["version"]},
        **headers,
    )
    assert stale.status_code == 400 and stale.json()["field"] == "declaration"
