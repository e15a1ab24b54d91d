"""The bank-gateway simulator through real HTTP: verification, idempotent transfers, status."""

from __future__ import annotations

import threading
from typing import Any

import requests

from tests.support.sims import LiveSims

ZHANG_WEI_CARD = "6217001376212461799"  # CCB, class I, normal
SUN_YUE_FROZEN_CARD = "6217006129480648091"  # CCB, frozen


def _verify(sims: LiveSims, *, card_no: str, bank: str) -> dict[str, Any]:
    response = requests.post(
        f"{sims.url}/bank/cards/verify", json={"card_no": card_no, "bank": bank}, timeout=10
    )
    assert response.status_code == 200
    return response.json()


def _pay(sims: LiveSims, **overrides: Any) -> requests.Response:
    body = {
        "serial": "PAY-0001",
        "card_no": ZHANG_WEI_CARD,
        "bank": "CCB",
        "holder_name": "张伟",
        "amount_fen": 8642050,
        "memo": "住房公积金购房提取",
    }
    body.update(overrides)
    return requests.post(f"{sims.url}/bank/transfers", json=body, timeout=10)


def _query(sims: LiveSims, serial: str) -> requests.Response:
    return requests.get(f"{sims.url}/bank/transfers/{serial}", timeout=10)


def test_a_known_card_is_described_with_the_bank_that_really_holds_it(sample_sims: LiveSims) -> None:
    # The caller chose ICBC; the card belongs to CCB, and the answer says so.
    answer = _verify(sample_sims, card_no=ZHANG_WEI_CARD, bank="ICBC")

    assert answer == {
        "found": True,
        "card_no": ZHANG_WEI_CARD,
        "bank": "CCB",
        "card_type": "debit",
        "account_class": 1,
        "holder_id_number": "210102198803120158",
        "holder_name": "张伟",
        "status": "normal",
    }


def test_class_and_status_come_from_the_dataset(sample_sims: LiveSims) -> None:
    class_two = _verify(sample_sims, card_no="6212260122184678383", bank="ICBC")
    frozen = _verify(sample_sims, card_no=SUN_YUE_FROZEN_CARD, bank="CCB")

    assert class_two["account_class"] == 2
    assert frozen["status"] == "frozen"


def test_an_unknown_card_is_not_found(sample_sims: LiveSims) -> None:
    assert _verify(sample_sims, card_no="6217000000000000000", bank="CCB") == {"found": False}


def test_a_transfer_is_paid_and_credited_once(sample_sims: LiveSims) -> None:
    response = _pay(sample_sims)

    assert response.status_code == 200
    answer = response.json()
    assert (answer["serial"], answer["result"], answer["message"]) == ("PAY-0001", 0, "转账成功")
    assert answer["bank_reference"]
    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 8642050


def test_the_same_serial_twice_pays_once_and_answers_the_first_result(sample_sims: LiveSims) -> None:
    first = _pay(sample_sims).json()
    repeat = _pay(sample_sims).json()
    # Even a repeat with another body is the same transfer: the serial is the key.
    changed = _pay(sample_sims, amount_fen=1).json()

    assert first == repeat == changed
    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 8642050
    assert [t["serial"] for t in sample_sims.transfers(ZHANG_WEI_CARD)] == ["PAY-0001"]


def test_simultaneous_requests_with_one_serial_pay_once(sample_sims: LiveSims) -> None:
    racers = 8
    start = threading.Barrier(racers)
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def pay() -> None:
        start.wait()
        answer = _pay(sample_sims, serial="PAY-RACE").json()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=pay) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == racers
    assert {answer["bank_reference"] for answer in answers} == {answers[0]["bank_reference"]}
    assert {answer["result"] for answer in answers} == {0}
    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 8642050
    assert len(sample_sims.transfers(ZHANG_WEI_CARD)) == 1


def test_a_pay_delivered_twice_by_the_network_pays_once_and_answers_as_the_first(
    sample_sims: LiveSims,
) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="duplicate", count=1)

    delivered_twice = _pay(sample_sims, serial="PAY-DUP")

    assert delivered_twice.status_code == 200
    answer = delivered_twice.json()
    assert (answer["serial"], answer["result"]) == ("PAY-DUP", 0)
    assert answer == _query(sample_sims, "PAY-DUP").json()
    assert _pay(sample_sims, serial="PAY-DUP").json() == answer
    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 8642050
    assert len(sample_sims.transfers(ZHANG_WEI_CARD)) == 1
    (rule,) = sample_sims.faults()
    assert rule["applied_by_mode"] == {"duplicate": 1}


def test_different_serials_are_different_transfers(sample_sims: LiveSims) -> None:
    _pay(sample_sims, serial="PAY-A", amount_fen=100)
    _pay(sample_sims, serial="PAY-B", amount_fen=250)

    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 350
    transfers = sample_sims.transfers(ZHANG_WEI_CARD)
    assert [(t["serial"], t["amount_fen"], t["result"]) for t in transfers] == [
        ("PAY-A", 100, 0),
        ("PAY-B", 250, 0),
    ]
    assert transfers[0]["completed_at"] is not None


def test_the_bank_refuses_what_it_cannot_credit(sample_sims: LiveSims) -> None:
    cases = {
        "PAY-UNKNOWN": ({"card_no": "6217000000000000000"}, "收款账户不存在"),
        "PAY-FROZEN": ({"card_no": SUN_YUE_FROZEN_CARD, "holder_name": "孙悦"}, "收款账户已冻结，无法入账"),
        "PAY-NAME": ({"holder_name": "张三"}, "收款人户名与账户户名不符"),
        "PAY-BANK": ({"bank": "ICBC"}, "收款银行与卡号所属银行不符"),
    }
    for serial, (overrides, message) in cases.items():
        answer = _pay(sample_sims, serial=serial, **overrides).json()
        assert (answer["result"], answer["message"]) == (1, message), serial
        # A failed transfer is final and stays failed when asked again.
        assert _query(sample_sims, serial).json()["result"] == 1

    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 0
    assert sample_sims.received_fen(SUN_YUE_FROZEN_CARD) == 0


def test_a_transfer_can_be_queried_by_serial(sample_sims: LiveSims) -> None:
    paid = _pay(sample_sims).json()

    response = _query(sample_sims, "PAY-0001")

    assert response.status_code == 200
    assert response.json() == paid


def test_an_unknown_serial_is_not_found(sample_sims: LiveSims) -> None:
    response = _query(sample_sims, "PAY-NEVER-SENT")

    assert (response.status_code, response.json()) == (404, {"error": "not_found"})


def test_malformed_transfers_are_refused_and_nothing_is_stored(sample_sims: LiveSims) -> None:
    bad_bodies = [
        {"amount_fen": 0},
        {"amount_fen": -5},
        {"amount_fen": 12.5},
        {"amount_fen": "100"},
        {"amount_fen": True},
        {"serial": ""},
        {"serial": "has/slash"},
        {"card_no": "not-digits"},
        {"holder_name": ""},
    ]
    for overrides in bad_bodies:
        response = _pay(sample_sims, **overrides)
        assert response.status_code == 400, overrides
        assert response.json()["error"] == "bad_request"

    assert sample_sims.transfers(ZHANG_WEI_CARD) == []


def test_listing_transfers_needs_a_card_number(sample_sims: LiveSims) -> None:
    response = requests.get(f"{sample_sims.url}/bank/transfers", timeout=10)

    assert response.status_code == 400


def test_reset_forgets_transfers_and_received_money(sample_sims: LiveSims) -> None:
    _pay(sample_sims)

    sample_sims.reset()

    assert sample_sims.transfers(ZHANG_WEI_CARD) == []
    assert sample_sims.received_fen(ZHANG_WEI_CARD) == 0
    assert _query(sample_sims, "PAY-0001").status_code == 404
    # Accounts are the loaded dataset: they stay.
    assert _verify(sample_sims, card_no=ZHANG_WEI_CARD, bank="CCB")["found"] is True
