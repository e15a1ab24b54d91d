"""Fault injection: what each mode does, which calls it hits, and that money still moves once."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from typing import Any

import pytest
import requests

from tests.support.sims import LiveSims, SimsError

CARD = "6217001376212461799"  # 张伟, CCB


def _pay(sims: LiveSims, *, serial: str, amount_fen: int = 10000, timeout: float = 10) -> requests.Response:
    body = {
        "serial": serial,
        "card_no": CARD,
        "bank": "CCB",
        "holder_name": "张伟",
        "amount_fen": amount_fen,
        "memo": "",
    }
    return requests.post(f"{sims.url}/bank/transfers", json=body, timeout=timeout)


def _query(sims: LiveSims, serial: str) -> dict[str, Any]:
    response = requests.get(f"{sims.url}/bank/transfers/{serial}", timeout=10)
    assert response.status_code == 200
    return response.json()


def _lookup_status(sims: LiveSims) -> int:
    return requests.get(
        f"{sims.url}/registry/houses", params={"contract_no": "SY202605180001234"}, timeout=10
    ).status_code


def test_error_answers_500_and_does_not_execute(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="error")

    response = _pay(sample_sims, serial="F-ERR")

    assert response.status_code == 500
    assert response.json()["error"] == "simulated_fault"
    assert requests.get(f"{sample_sims.url}/bank/transfers/F-ERR", timeout=10).status_code == 404
    assert sample_sims.received_fen(CARD) == 0


def test_share_one_half_hits_every_second_call_starting_with_the_first(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="error", share=0.5)

    statuses = [_lookup_status(sample_sims) for _ in range(6)]

    assert statuses == [500, 200, 500, 200, 500, 200]


def test_share_one_quarter_hits_calls_one_and_five(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="error", share=0.25)

    statuses = [_lookup_status(sample_sims) for _ in range(8)]

    assert statuses == [500, 200, 200, 200, 500, 200, 200, 200]


def test_count_limits_how_many_calls_are_hit(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="error", count=2)

    statuses = [_lookup_status(sample_sims) for _ in range(4)]

    assert statuses == [500, 500, 200, 200]
    (rule,) = sample_sims.faults()
    assert (rule["calls_seen"], rule["times_applied"]) == (2, 2)
    assert rule["applied_by_mode"] == {"error": 2}


def test_a_rule_applies_only_to_its_own_operation(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="query", mode="error")

    paid = _pay(sample_sims, serial="F-OTHER-OP")

    assert paid.status_code == 200
    assert requests.get(f"{sample_sims.url}/bank/transfers/F-OTHER-OP", timeout=10).status_code == 500
    assert _lookup_status(sample_sims) == 200


def test_a_new_rule_replaces_the_old_one_and_clearing_removes_all(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="error")
    sample_sims.set_fault(system="registry", operation="lookup", mode="slow", delay_ms=1)

    assert [rule["mode"] for rule in sample_sims.faults()] == ["slow"]
    assert _lookup_status(sample_sims) == 200

    sample_sims.set_fault(system="registry", operation="lookup", mode="error")
    sample_sims.clear_faults()

    assert sample_sims.faults() == []
    assert _lookup_status(sample_sims) == 200


def test_slow_answers_normally_after_the_delay(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="registry", operation="lookup", mode="slow", delay_ms=400)

    started = time.monotonic()
    status = _lookup_status(sample_sims)
    elapsed = time.monotonic() - started

    assert status == 200
    assert elapsed >= 0.4


def test_timeout_executes_the_transfer_but_answers_too_late(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="timeout", delay_ms=3000)

    with pytest.raises(requests.ReadTimeout):
        _pay(sample_sims, serial="F-TIMEOUT", timeout=1)

    # The bank did the work before it stalled: the money moved once, and a query says so.
    assert _query(sample_sims, "F-TIMEOUT")["result"] == 0
    assert sample_sims.received_fen(CARD) == 10000


def test_drop_response_executes_then_garbles_and_a_retry_returns_the_stored_result(
    sample_sims: LiveSims,
) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="drop_response", count=1)

    lost = _pay(sample_sims, serial="F-DROP")
    with pytest.raises(ValueError):
        lost.json()
    retry = _pay(sample_sims, serial="F-DROP")

    assert retry.status_code == 200
    assert retry.json() == _query(sample_sims, "F-DROP")
    assert retry.json()["result"] == 0
    assert sample_sims.received_fen(CARD) == 10000
    assert len(sample_sims.transfers(CARD)) == 1


def test_processing_completes_on_the_next_query_and_credits_once(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="processing")

    accepted = _pay(sample_sims, serial="F-PROC").json()

    assert (accepted["result"], accepted["message"]) == (2, "转账处理中，请稍后查询")
    assert sample_sims.received_fen(CARD) == 0
    done = _query(sample_sims, "F-PROC")
    assert (done["result"], done["bank_reference"]) == (0, accepted["bank_reference"])
    assert _query(sample_sims, "F-PROC")["result"] == 0
    assert sample_sims.received_fen(CARD) == 10000


def test_processing_with_a_delay_stays_processing_until_then(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="processing", delay_ms=60_000)

    _pay(sample_sims, serial="F-PROC-LATER")

    assert _query(sample_sims, "F-PROC-LATER")["result"] == 2
    # A repeat of the pay is the same transfer, still processing: nothing paid twice.
    assert _pay(sample_sims, serial="F-PROC-LATER").json()["result"] == 2
    assert sample_sims.received_fen(CARD) == 0


def test_sms_send_faults(sims: LiveSims) -> None:
    sims.set_fault(system="sms", operation="send", mode="error", count=1)

    failed = requests.post(f"{sims.url}/sms/send", json={"phone": "13804001001", "text": "一"}, timeout=10)
    sent = requests.post(f"{sims.url}/sms/send", json={"phone": "13804001001", "text": "二"}, timeout=10)

    assert (failed.status_code, sent.status_code) == (500, 200)
    assert [message["text"] for message in sims.outbox("13804001001")] == ["二"]


def test_duplicate_sms_is_delivered_twice_and_answers_the_second(sims: LiveSims) -> None:
    sims.set_fault(system="sms", operation="send", mode="duplicate", count=1)

    twice = requests.post(f"{sims.url}/sms/send", json={"phone": "13804001001", "text": "一"}, timeout=10)
    once = requests.post(f"{sims.url}/sms/send", json={"phone": "13804001001", "text": "二"}, timeout=10)

    # The SMS platform does not dedupe: a retransmitted request is a second message.
    assert (twice.status_code, once.status_code) == (200, 200)
    assert [message["text"] for message in sims.outbox("13804001001")] == ["二", "一", "一"]


# "mixed": each hit call gets one kind of fault, drawn deterministically -------------------------

# What a caller of pay can see of each kind; a duplicate looks like a clean answer ("ok").
_PAY_KINDS = {"error", "timeout", "drop_response", "processing"}
# Far apart, so that a clean answer on a loaded machine is never taken for a held-back one.
_MIXED_TIMEOUT_MS = 4000
_CLIENT_TIMEOUT_S = 2.0


def _pay_outcome(sims: LiveSims, *, serial: str, amount_fen: int = 10000) -> str:
    try:
        response = _pay(sims, serial=serial, amount_fen=amount_fen, timeout=_CLIENT_TIMEOUT_S)
    except requests.ReadTimeout:
        return "timeout"
    if response.status_code == 500:
        assert response.json()["error"] == "simulated_fault"
        return "error"
    assert response.status_code == 200
    try:
        answer = response.json()
    except ValueError:
        return "drop_response"
    return {0: "ok", 2: "processing"}[answer["result"]]


def test_mixed_at_one_fifth_hits_exactly_twenty_of_a_hundred_pays_with_every_kind(
    sample_sims: LiveSims,
) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="mixed", share=0.2, delay_ms=_MIXED_TIMEOUT_MS)

    outcomes = {n: _pay_outcome(sample_sims, serial=f"F-MIX-{n:03d}") for n in range(1, 101)}

    # Share 0.2 hits calls 1, 6, 11, … 96 and no others.
    assert {n for n, outcome in outcomes.items() if outcome != "ok"} <= set(range(1, 101, 5))
    assert Counter(outcomes.values()) == {
        "ok": 84,  # 80 clean calls and 4 duplicated ones
        "error": 4,
        "timeout": 4,
        "drop_response": 4,
        "processing": 4,
    }
    (rule,) = sample_sims.faults()
    assert (rule["mode"], rule["calls_seen"], rule["times_applied"]) == ("mixed", 100, 20)
    assert rule["applied_by_mode"] == {
        "error": 4,
        "timeout": 4,
        "drop_response": 4,
        "duplicate": 4,
        "processing": 4,
    }
    sample_sims.clear_faults()
    # An error executed nothing; a timeout or a lost answer executed the transfer; a duplicate
    # paid once; a late one is still processing (the listing does not settle it, a query would).
    listed = {transfer["serial"]: transfer["result"] for transfer in sample_sims.transfers(CARD)}
    assert len(listed) == 96
    for n, outcome in outcomes.items():
        serial = f"F-MIX-{n:03d}"
        if outcome == "error":
            assert serial not in listed
            assert requests.get(f"{sample_sims.url}/bank/transfers/{serial}", timeout=10).status_code == 404
        else:
            assert listed[serial] == (2 if outcome == "processing" else 0)
        if outcome in ("timeout", "drop_response"):
            assert _query(sample_sims, serial)["result"] == 0
    assert sample_sims.received_fen(CARD) == 92 * 10000


def test_mixed_deals_every_kind_in_each_round_and_again_the_same_way(sample_sims: LiveSims) -> None:
    runs = []
    for run in ("A", "B"):
        sample_sims.set_fault(system="bank", operation="pay", mode="mixed", delay_ms=_MIXED_TIMEOUT_MS)
        runs.append([_pay_outcome(sample_sims, serial=f"F-MIX-{run}-{n}") for n in range(10)])

    first, second = runs
    # Share 1 hits every call, so here "ok" is the duplicate.
    assert set(first[:5]) == set(first[5:]) == _PAY_KINDS | {"ok"}
    assert first[:5] != first[5:]  # each round in an order of its own
    assert second == first


def test_mixed_without_a_delay_holds_timeouts_back_as_long_as_a_plain_timeout(sims: LiveSims) -> None:
    mixed = sims.set_fault(system="bank", operation="pay", mode="mixed", share=0.2)
    timeout = sims.set_fault(system="bank", operation="verify", mode="timeout")

    assert mixed["delay_ms"] == timeout["delay_ms"] > 0
    assert (mixed["share"], mixed["applied_by_mode"]) == (0.2, {})


def test_mixed_on_an_operation_other_than_pay_never_draws_a_late_result(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(
        system="registry", operation="lookup", mode="mixed", count=8, delay_ms=_MIXED_TIMEOUT_MS
    )

    for _ in range(8):
        with contextlib.suppress(requests.ReadTimeout):  # the timeouts: counted below
            requests.get(
                f"{sample_sims.url}/registry/houses",
                params={"contract_no": "SY202605180001234"},
                timeout=_CLIENT_TIMEOUT_S,
            )

    (rule,) = sample_sims.faults()
    assert rule["applied_by_mode"] == {"error": 2, "timeout": 2, "drop_response": 2, "duplicate": 2}


def test_mixed_late_pay_is_processing_and_settles_on_a_query_after_the_delay(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="mixed", delay_ms=_MIXED_TIMEOUT_MS)
    # Share 1 with five kinds: one of the first five calls is the late one.
    for n in range(5):
        serial = f"F-MIX-LATE-{n}"
        sent = time.monotonic()
        if _pay_outcome(sample_sims, serial=serial) == "processing":
            break
    else:
        pytest.fail("五次调用中没有出现延迟结果")
    sample_sims.clear_faults()

    accepted = _query(sample_sims, serial)
    assert accepted["result"] == 2
    received_before = sample_sims.received_fen(CARD)
    deadline = time.monotonic() + 10
    while (done := _query(sample_sims, serial))["result"] == 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the bank for the late result, bounded by the deadline
    settled = time.monotonic()

    assert (done["result"], done["bank_reference"]) == (0, accepted["bank_reference"])
    assert settled - sent >= _MIXED_TIMEOUT_MS / 1000
    assert sample_sims.received_fen(CARD) == received_before + 10000
    assert _query(sample_sims, serial) == done
    assert sample_sims.received_fen(CARD) == received_before + 10000


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ({"system": "bank", "operation": "lookup", "mode": "error"}, "没有操作"),
        ({"system": "mail", "operation": "send", "mode": "error"}, "没有操作"),
        ({"system": "bank", "operation": "pay", "mode": "explode"}, "未知的故障方式"),
        ({"system": "registry", "operation": "lookup", "mode": "processing"}, "processing"),
        ({"system": "bank", "operation": "pay", "mode": "error", "share": 0}, "share"),
        ({"system": "bank", "operation": "pay", "mode": "error", "share": 1.5}, "share"),
        ({"system": "bank", "operation": "pay", "mode": "error", "count": 0}, "count"),
        ({"system": "bank", "operation": "pay", "mode": "slow", "delay_ms": -1}, "delay_ms"),
        ({"system": "bank", "operation": "pay", "mode": "late"}, "未知的故障方式"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "share": 0}, "share"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "share": "一成"}, "share"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "count": 0}, "count"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "delay_ms": -1}, "delay_ms"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "delay_ms": 1.5}, "delay_ms"),
        ({"system": "bank", "operation": "pay", "mode": "mixed", "delay_ms": 200_000}, "delay_ms"),
        ({"system": "sms", "operation": "send", "mode": "duplicate", "count": -1}, "count"),
    ],
)
def test_nonsense_rules_are_refused(sims: LiveSims, rule: dict[str, Any], reason: str) -> None:
    with pytest.raises(SimsError, match=reason):
        sims.set_fault(**rule)

    assert sims.faults() == []
