"""Members a browser test imports for itself (the live stack is shared by the session, and one
member can hold one open application per house): a `gjj-dataset/1` document from short member
descriptions, imported into the hall, the simulators and the SSO by `gjj import-dataset`."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import DEMO_PASSWORD

HOUSE_DEFAULTS = {
    "contract_no": None,
    "archive_no": None,
    "kind": "new",
    "filed_on": "2026-11-02",
    "registered_on": None,
    "area_m2": "86.20",
    "total_price": "760000.00",
    "status": "valid",
}


def members_document(people: list[dict[str, Any]], *, employer: tuple[str, str]) -> dict[str, Any]:
    """Each member: id_number, name, phone, account_no, balance, house (a partial house record, or
    None for a member who owns none),
    bank and cards (the first one used to apply; every card a class-I card of theirs)."""
    code, name = employer
    return {
        "format": "gjj-dataset/1",
        "as_of": "2026-11-27",
        "employers": [{"code": code, "name": name}],
        "people": [
            {**{k: m[k] for k in ("id_number", "name", "phone")}, "spouse_id_number": None} for m in people
        ],
        "accounts": [
            {
                "account_no": m["account_no"],
                "id_number": m["id_number"],
                "employer_code": code,
                "status": "normal",
                "balance": m["balance"],
                "opened_on": "2016-07-01",
                "monthly_deposit": "2400.00",
                "paid_through": "2026-10",
                "consecutive_months": 96,
            }
            for m in people
        ],
        "loans": [],
        "houses": [
            {
                **HOUSE_DEFAULTS,
                **m["house"],
                "buyers": [{"id_number": m["id_number"], "name": m["name"]}],
            }
            for m in people
            if m.get("house")  # a tenant or a retiree owns none
        ],
        "prior_withdrawals": [],
        "bank_accounts": [
            {
                "card_no": card,
                "bank": m["bank"],
                "holder_id_number": m["id_number"],
                "holder_name": m["name"],
                "account_class": 1,
                "status": "normal",
            }
            for m in people
            for card in m["cards"]
        ],
        "gov_users": [
            {"id_number": m["id_number"], "name": m["name"], "phone": m["phone"], "password": DEMO_PASSWORD}
            for m in people
        ],
    }


def members_import(
    stack, tmp_path_factory, people: list[dict[str, Any]], *, employer: tuple[str, str]
) -> None:
    path = tmp_path_factory.mktemp("members") / "members.json"
    path.write_text(json.dumps(members_document(people, employer=employer), ensure_ascii=False), "utf-8")
    stack.gjj("import-dataset", str(path))
