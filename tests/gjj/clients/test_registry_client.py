"""The hall's registry client against the real simulator."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest

from gjj.clients.registry import Buyer, HouseRecord, RegistryUnavailable, get_registry_client
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
