"""The housing-registry simulator through real HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from gjj.core.identity_numbers import id_number_make
from tests.support.sims import LiveSims


def _lookup(sims: LiveSims, **params: str) -> requests.Response:
    return requests.get(f"{sims.url}/registry/houses", params=params, timeout=10)


def test_a_new_house_is_found_by_its_contract_number(sample_sims: LiveSims) -> None:
    response = _lookup(sample_sims, contract_no="SY202605180001234")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "contract_no": "SY202605180001234",
        "archive_no": None,
        "kind": "new",
        "address": "沈阳市浑南区智慧四街18-2号2-8-1",
        "area_m2": "98.60",
        "total_price": "980000.00",
        "filed_on": "2026-05-18",
        "registered_on": None,
        "status": "valid",
        "buyers": [{"id_number": "210102198803120158", "name": "张伟"}],
    }


def test_a_resale_house_is_found_by_its_archive_number(sample_sims: LiveSims) -> None:
    house = _lookup(sample_sims, archive_no="2026010203456").json()

    assert (house["kind"], house["contract_no"], house["archive_no"]) == ("resale", None, "2026010203456")
    assert (house["filed_on"], house["registered_on"]) == (None, "2026-02-10")
    assert house["total_price"] == "620000.00"


def test_buyers_come_in_contract_order_and_cancelled_filings_say_so(sample_sims: LiveSims) -> None:
    shared = _lookup(sample_sims, contract_no="SY202603150007777").json()
    cancelled = _lookup(sample_sims, contract_no="SY202607010005555").json()

    assert [buyer["name"] for buyer in shared["buyers"]] == ["吴昊", "钱坤"]
    assert cancelled["status"] == "cancelled"


def test_an_unknown_number_is_not_found(sample_sims: LiveSims) -> None:
    by_contract = _lookup(sample_sims, contract_no="SY000000000000000")
    # A contract number asked as an archive number is a different key: not found either.
    by_wrong_key = _lookup(sample_sims, archive_no="SY202605180001234")

    assert (by_contract.status_code, by_contract.json()) == (404, {"error": "not_found"})
    assert (by_wrong_key.status_code, by_wrong_key.json()) == (404, {"error": "not_found"})


def test_exactly_one_of_the_two_numbers_must_be_given(sample_sims: LiveSims) -> None:
    neither = _lookup(sample_sims)
    both = _lookup(sample_sims, contract_no="SY202605180001234", archive_no="2026010203456")

    for response in (neither, both):
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"
        assert "备案合同号" in response.json()["message"]


def test_only_get_is_allowed(sample_sims: LiveSims) -> None:
    response = requests.post(f"{sample_sims.url}/registry/houses", json={}, timeout=10)

    assert response.status_code == 405
    assert response.json() == {"error": "method_not_allowed"}


# -- the houses of a person ------------------------------------------------------------------------

# A buyer no other test names: the simulator is shared by the session's tests.
OWNER = id_number_make(area_code="210111", birth=dt.date(1977, 7, 7), sequence=771)
CO_BUYER = id_number_make(area_code="210111", birth=dt.date(1979, 9, 9), sequence=772)
NOBODY = id_number_make(area_code="210111", birth=dt.date(1978, 8, 8), sequence=773)


def _houses_of(sims: LiveSims, id_number: str) -> requests.Response:
    return requests.post(f"{sims.url}/registry/houses/by-buyer", json={"id_number": id_number}, timeout=10)


def _owners_houses() -> dict[str, Any]:
    def house(number: str, *, kind: str, status: str, buyers: list[tuple[str, str]]) -> dict[str, Any]:
        return {
            "contract_no": number if kind == "new" else None,
            "archive_no": None if kind == "new" else number,
            "kind": kind,
            "address": f"沈阳市苏家屯区测试街{number[-2:]}号",
            "area_m2": "76.40",
            "total_price": "450000.00",
            "filed_on": "2025-04-01" if kind == "new" else None,
            "registered_on": None if kind == "new" else "2024-06-30",
            "status": status,
            "buyers": [{"id_number": id_number, "name": name} for id_number, name in buyers],
        }

    return {
        "format": "gjj-dataset/1",
        "as_of": "2026-11-27",
        "houses": [
            house("SYOWNERC0001", kind="new", status="valid", buyers=[(OWNER, "苏明")]),
            house("OWNERA0002", kind="resale", status="cancelled", buyers=[(OWNER, "苏明")]),
            house("SYOWNERC0003", kind="new", status="valid", buyers=[(CO_BUYER, "林岚"), (OWNER, "苏明")]),
            house("SYOTHERC0004", kind="new", status="valid", buyers=[(CO_BUYER, "林岚")]),
        ],
    }


def test_the_houses_of_a_person_are_every_house_they_buy_valid_or_not(sims: LiveSims) -> None:
    sims.load_dataset(_owners_houses())

    response = _houses_of(sims, OWNER)

    assert response.status_code == 200
    houses = response.json()["houses"]
    assert [(h["contract_no"] or h["archive_no"], h["status"]) for h in houses] == [
        ("SYOWNERC0001", "valid"),
        ("OWNERA0002", "cancelled"),
        ("SYOWNERC0003", "valid"),
    ]
    # Each house as the lookup by number answers it, co-buyers in contract order included.
    assert houses[2] == _lookup(sims, contract_no="SYOWNERC0003").json()
    assert [buyer["name"] for buyer in houses[2]["buyers"]] == ["林岚", "苏明"]
    assert houses[1]["kind"] == "resale" and houses[1]["registered_on"] == "2024-06-30"


def test_a_person_with_no_house_gets_an_empty_list(sims: LiveSims) -> None:
    sims.load_dataset(_owners_houses())

    response = _houses_of(sims, NOBODY)

    assert (response.status_code, response.json()) == (200, {"houses": []})


def test_a_co_buyer_of_the_sample_finds_the_shared_house(sample_sims: LiveSims) -> None:
    houses = _houses_of(sample_sims, "210105199202020913").json()["houses"]  # 钱坤

    # Other tests of the session may load more houses of the sample's people: "among them".
    assert "SY202603150007777" in [house["contract_no"] for house in houses]


def test_a_lower_case_x_is_the_same_number(sims: LiveSims) -> None:
    document = _owners_houses()
    x_owner = id_number_make(area_code="210111", birth=dt.date(1976, 6, 6), sequence=788)
    assert x_owner.endswith("X"), "the test needs a number ending in X"
    document["houses"][3]["buyers"] = [{"id_number": x_owner, "name": "何青"}]
    sims.load_dataset(document)

    houses = _houses_of(sims, x_owner.lower()).json()["houses"]

    assert [house["contract_no"] for house in houses] == ["SYOTHERC0004"]


@pytest.mark.parametrize("body", [{}, {"id_number": ""}, {"id_number": "21011119770707"}, {"id_number": 42}])
def test_a_malformed_number_is_a_bad_request(sims: LiveSims, body: dict[str, Any]) -> None:
    response = requests.post(f"{sims.url}/registry/houses/by-buyer", json=body, timeout=10)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_the_number_never_travels_in_the_url(sims: LiveSims) -> None:
    response = requests.get(f"{sims.url}/registry/houses/by-buyer", params={"id_number": OWNER}, timeout=10)

    assert response.status_code == 405


def test_faults_of_the_person_query_leave_the_lookup_alone(sample_sims: LiveSims) -> None:
    sample_sims.load_dataset(_owners_houses())
    sample_sims.set_fault(system="registry", operation="buyer_houses", mode="error", count=1)

    failed = _houses_of(sample_sims, OWNER)
    lookup = _lookup(sample_sims, contract_no="SY202605180001234")
    again = _houses_of(sample_sims, OWNER)

    assert (failed.status_code, failed.json()["error"]) == (500, "simulated_fault")
    assert lookup.status_code == 200
    assert again.status_code == 200
    assert len(again.json()["houses"]) == 3
