"""The housing-registry simulator through real HTTP."""

from __future__ import annotations

import requests

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
