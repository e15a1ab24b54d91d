"""The hall's registry client against the real simulator."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import pytest

from gjj.clients.base import HttpAnswer
from gjj.clients.registry import (
    Buyer,
    HouseRecord,
    HttpRegistryClient,
    RegistryUnavailable,
    get_registry_client,
)
from gjj.core.identity_numbers import id_number_make
from tests.support.sims import LiveSims


def test_a_found_house_becomes_a_record_with_fen_and_dates(sample_sims: LiveSims) -> None:
    record = get_registry_client().find_house(contract_no="SY202605180001234")

    assert record == HouseRecord(
        contract_no="SY202605180001234",
        archive_no=None,
        kind="new",
        address="沈阳市浑南区智慧四街18-2号2-8-1",
        area_m2="98.60",
        total_price_fen=98_000_000,
        filed_on=dt.date(2026, 5, 18),
        registered_on=None,
        status="valid",
        buyers=(Buyer(id_number="210102198803120158", name="张伟"),),
    )


def test_a_resale_house_is_found_by_archive_number_with_all_its_buyers(sample_sims: LiveSims) -> None:
    client = get_registry_client()

    resale = client.find_house(archive_no="2026010203456")
    shared = client.find_house(contract_no="SY202603150007777")

    assert resale is not None and shared is not None
    assert (resale.kind, resale.registered_on, resale.total_price_fen) == (
        "resale",
        dt.date(2026, 2, 10),
        62_000_000,
    )
    assert [buyer.name for buyer in shared.buyers] == ["吴昊", "钱坤"]


def test_a_house_the_registry_does_not_know_is_none(sample_sims: LiveSims) -> None:
    assert get_registry_client().find_house(contract_no="SY000000000000000") is None


def test_exactly_one_number_must_be_asked_for(sims: LiveSims) -> None:
    client = get_registry_client()

    with pytest.raises(ValueError):
        client.find_house()
    with pytest.raises(ValueError):
        client.find_house(contract_no="SY202605180001234", archive_no="2026010203456")


def test_the_snapshot_is_json_with_the_buyers_numbers_masked(sample_sims: LiveSims) -> None:
    record = get_registry_client().find_house(contract_no="SY202603150007777")
    assert record is not None

    snapshot = json.loads(json.dumps(record.to_snapshot()))

    assert snapshot["total_price_fen"] == 32_000_000
    assert snapshot["total_price"] == "320000.00"
    assert snapshot["filed_on"] == "2026-03-15"
    # Kept for reading only (the relation is decided from the registry's answer): no number in clear.
    assert snapshot["buyers"][1] == {"id_number": "2101**********0913", "name": "钱坤"}
    kept = HouseRecord.from_snapshot(snapshot)
    assert (kept.contract_no, kept.total_price_fen, kept.filed_on) == (
        record.contract_no,
        record.total_price_fen,
        record.filed_on,
    )
    assert [buyer.name for buyer in kept.buyers] == [buyer.name for buyer in record.buyers]


def test_a_registry_slower_than_the_timeout_is_unavailable(sample_sims: LiveSims, settings) -> None:
    settings.GJJ_CLIENT_TIMEOUT_SECONDS = 0.5
    sample_sims.set_fault(system="registry", operation="lookup", mode="timeout", delay_ms=3000)

    with pytest.raises(RegistryUnavailable) as raised:
        get_registry_client().find_house(contract_no="SY202605180001234")

    assert "住房信息系统" in raised.value.message


def test_a_registry_error_is_unavailable_not_not_found(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="error", count=1)
    client = get_registry_client()

    with pytest.raises(RegistryUnavailable):
        client.find_house(contract_no="SY202605180001234")
    assert client.find_house(contract_no="SY202605180001234") is not None


def test_a_garbled_answer_is_unavailable(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="drop_response")

    with pytest.raises(RegistryUnavailable, match="无法识别"):
        get_registry_client().find_house(contract_no="SY202605180001234")


def test_a_misconfigured_url_is_unavailable_not_not_found(sample_sims: LiveSims, settings) -> None:
    # The simulator answers 404 for the wrong path too, but not with the protocol's "not_found".
    settings.GJJ_REGISTRY_URL = f"{sample_sims.url}/wrong-prefix"

    with pytest.raises(RegistryUnavailable):
        get_registry_client().find_house(contract_no="SY202605180001234")


def test_an_unreachable_registry_is_unavailable(settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GJJ_REGISTRY_URL = f"http://127.0.0.1:{port}/registry"  # nothing listens there

    with pytest.raises(RegistryUnavailable):
        get_registry_client().find_house(contract_no="SY202605180001234")


# -- the houses of a person ------------------------------------------------------------------------

# People no other test names (the simulator is shared by the session's tests).
OWNER = id_number_make(area_code="210112", birth=dt.date(1981, 3, 3), sequence=331)
CO_BUYER = id_number_make(area_code="210112", birth=dt.date(1982, 4, 4), sequence=442)
NOBODY = id_number_make(area_code="210112", birth=dt.date(1983, 5, 5), sequence=553)


def _house(number: str, *, status: str, buyers: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "contract_no": number,
        "archive_no": None,
        "kind": "new",
        "address": "沈阳市浑南区客户端测试街1号",
        "area_m2": "90.00",
        "total_price": "540000.00",
        "filed_on": "2025-09-01",
        "registered_on": None,
        "status": status,
        "buyers": [{"id_number": id_number, "name": name} for id_number, name in buyers],
    }


@pytest.fixture
def owners_sims(sims: LiveSims) -> LiveSims:
    sims.load_dataset(
        {
            "format": "gjj-dataset/1",
            "as_of": "2026-11-27",
            "houses": [
                _house("SYCLIENT0001", status="valid", buyers=[(OWNER, "高远")]),
                _house("SYCLIENT0002", status="cancelled", buyers=[(CO_BUYER, "白雪"), (OWNER, "高远")]),
                _house("SYCLIENT0003", status="valid", buyers=[(CO_BUYER, "白雪")]),
            ],
        }
    )
    return sims


def test_the_houses_of_a_person_are_records_valid_or_not(owners_sims: LiveSims) -> None:
    client = get_registry_client()

    houses = client.houses_of(id_number=OWNER)

    assert houses == [
        client.find_house(contract_no="SYCLIENT0001"),
        client.find_house(contract_no="SYCLIENT0002"),
    ]
    assert [(house.status, house.total_price_fen) for house in houses] == [
        ("valid", 54_000_000),
        ("cancelled", 54_000_000),
    ]
    assert houses[1].buyers == (Buyer(id_number=CO_BUYER, name="白雪"), Buyer(id_number=OWNER, name="高远"))


def test_a_co_buyer_of_the_sample_finds_the_shared_house(sample_sims: LiveSims) -> None:
    houses = get_registry_client().houses_of(id_number="210105199202020913")  # 钱坤

    # Other tests of the session may load more houses of the sample's people: "among them".
    assert "SY202603150007777" in [house.contract_no for house in houses]


def test_no_house_is_an_empty_list(owners_sims: LiveSims) -> None:
    assert get_registry_client().houses_of(id_number=NOBODY) == []


def test_an_empty_number_is_a_programming_error(sims: LiveSims) -> None:
    with pytest.raises(ValueError):
        get_registry_client().houses_of(id_number=" ")


def test_a_registry_error_on_the_person_query_is_unavailable_not_no_house(owners_sims: LiveSims) -> None:
    owners_sims.set_fault(system="registry", operation="buyer_houses", mode="error", count=1)
    client = get_registry_client()

    with pytest.raises(RegistryUnavailable):
        client.houses_of(id_number=OWNER)
    assert len(client.houses_of(id_number=OWNER)) == 2


def test_a_person_query_slower_than_the_timeout_is_unavailable(owners_sims: LiveSims, settings) -> None:
    settings.GJJ_CLIENT_TIMEOUT_SECONDS = 0.5
    owners_sims.set_fault(system="registry", operation="buyer_houses", mode="timeout", delay_ms=3000)

    with pytest.raises(RegistryUnavailable) as raised:
        get_registry_client().houses_of(id_number=NOBODY)

    assert "住房信息系统" in raised.value.message


def test_a_garbled_person_query_answer_is_unavailable(owners_sims: LiveSims) -> None:
    owners_sims.set_fault(system="registry", operation="buyer_houses", mode="drop_response")

    with pytest.raises(RegistryUnavailable, match="无法识别"):
        get_registry_client().houses_of(id_number=NOBODY)


def test_a_misconfigured_url_is_unavailable_not_no_house(owners_sims: LiveSims, settings) -> None:
    settings.GJJ_REGISTRY_URL = f"{owners_sims.url}/wrong-prefix"

    with pytest.raises(RegistryUnavailable):
        get_registry_client().houses_of(id_number=NOBODY)


def test_an_unreachable_registry_is_unavailable_for_the_person_query(settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GJJ_REGISTRY_URL = f"http://127.0.0.1:{port}/registry"

    with pytest.raises(RegistryUnavailable):
        get_registry_client().houses_of(id_number=NOBODY)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"houses": {}},
        {"found": []},
        {"houses": [{"contract_no": "SY1", "kind": "castle"}]},
        # A house that does not name the person: not an answer to the question asked.
        {
            "houses": [
                {
                    "contract_no": "SY202605180001234",
                    "archive_no": None,
                    "kind": "new",
                    "address": "沈阳市",
                    "area_m2": "98.60",
                    "total_price": "980000.00",
                    "filed_on": "2026-05-18",
                    "registered_on": None,
                    "status": "valid",
                    "buyers": [{"id_number": "210102198803120158", "name": "张伟"}],
                }
            ]
        },
    ],
)
def test_an_answer_off_the_protocol_is_unavailable(payload: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = HttpRegistryClient(base_url="http://registry.invalid", timeout=1)
    monkeypatch.setattr(
        client._http, "post", lambda *args, **kwargs: HttpAnswer(status=200, payload=payload, decoded=True)
    )

    with pytest.raises(RegistryUnavailable, match="无法识别"):
        client.houses_of(id_number=NOBODY)
