"""The hall's bank client against the real simulator: verification, payouts, lost answers."""

from __future__ import annotations

import socket

import pytest

from gjj.clients.bank import (
    BankOutcomeUnknown,
    BankUnavailable,
    CardVerification,
    TransferStatus,
    get_bank_client,
)
from tests.support.sims import LiveSims

CARD = "6217001376212461799"  # 张伟, CCB, class I, normal
AMOUNT_FEN = 8_642_050


def _pay(serial: str, *, card_no: str = CARD, bank: str = "CCB", holder_name: str = "张伟"):
    return get_bank_client().pay(
        serial=serial,
        card_no=card_no,
        bank=bank,
        holder_name=holder_name,
        amount_fen=AMOUNT_FEN,
        memo="住房公积金购房提取",
    )


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_known_card_is_verified(sample_sims: LiveSims) -> None:
    verification = get_bank_client().verify_card(card_no=CARD, bank="ICBC")

    assert verification == CardVerification(
        found=True,
        bank="CCB",
        card_type="debit",
        account_class=1,
        holder_id_number="210102198803120158",
        holder_name="张伟",
        status="normal",
    )


def test_an_unknown_card_is_not_found(sample_sims: LiveSims) -> None:
    verification = get_bank_client().verify_card(card_no="6217000000000000000", bank="CCB")

    assert verification == CardVerification(found=False)
    assert verification.holder_name is None


def test_verification_slower_than_the_timeout_is_unavailable(sample_sims: LiveSims, settings) -> None:
    settings.GJJ_CLIENT_TIMEOUT_SECONDS = 0.5
    sample_sims.set_fault(system="bank", operation="verify", mode="timeout", delay_ms=3000)

    with pytest.raises(BankUnavailable):
        get_bank_client().verify_card(card_no=CARD, bank="CCB")


def test_a_payout_is_done_and_the_money_arrives(sample_sims: LiveSims) -> None:
    result = _pay("HALL-PAY-1")

    assert (result.serial, result.status, result.message) == ("HALL-PAY-1", TransferStatus.DONE, "转账成功")
    assert result.bank_reference
    assert result.is_final
    assert sample_sims.received_fen(CARD) == AMOUNT_FEN


def test_a_refused_payout_is_a_failed_result_not_an_exception(sample_sims: LiveSims) -> None:
    result = _pay("HALL-PAY-NAME", holder_name="张三")

    assert result.status == TransferStatus.FAILED
    assert result.message == "收款人户名与账户户名不符"
    assert sample_sims.received_fen(CARD) == 0


def test_query_returns_the_stored_result_or_none_for_an_unknown_serial(sample_sims: LiveSims) -> None:
    paid = _pay("HALL-PAY-Q")
    client = get_bank_client()

    assert client.query_transfer(serial="HALL-PAY-Q") == paid
    assert client.query_transfer(serial="HALL-NEVER-SENT") is None


def test_paying_the_same_serial_again_returns_the_first_result_and_pays_once(sample_sims: LiveSims) -> None:
    first = _pay("HALL-PAY-TWICE")
    second = _pay("HALL-PAY-TWICE")

    assert second == first
    assert sample_sims.received_fen(CARD) == AMOUNT_FEN


def test_a_processing_payout_is_finished_by_a_query(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="processing")

    accepted = _pay("HALL-PAY-PROC")
    finished = get_bank_client().query_transfer(serial="HALL-PAY-PROC")

    assert accepted.status == TransferStatus.PROCESSING
    assert not accepted.is_final
    assert finished is not None
    assert finished.status == TransferStatus.DONE
    assert finished.bank_reference == accepted.bank_reference
    assert sample_sims.received_fen(CARD) == AMOUNT_FEN


def test_a_pay_timeout_is_an_unknown_outcome_and_the_query_tells_the_truth(
    sample_sims: LiveSims, settings
) -> None:
    settings.GJJ_BANK_PAY_TIMEOUT_SECONDS = 1.0
    sample_sims.set_fault(system="bank", operation="pay", mode="timeout", delay_ms=4000, count=1)

    with pytest.raises(BankOutcomeUnknown) as raised:
        _pay("HALL-PAY-TIMEOUT")

    assert raised.value.serial == "HALL-PAY-TIMEOUT"
    found = get_bank_client().query_transfer(serial="HALL-PAY-TIMEOUT")
    assert found is not None
    assert found.status == TransferStatus.DONE
    assert sample_sims.received_fen(CARD) == AMOUNT_FEN


def test_a_lost_answer_then_a_retry_with_the_same_serial_pays_once(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="drop_response", count=1)

    with pytest.raises(BankOutcomeUnknown):
        _pay("HALL-PAY-DROP")
    retried = _pay("HALL-PAY-DROP")

    assert retried.status == TransferStatus.DONE
    assert retried == get_bank_client().query_transfer(serial="HALL-PAY-DROP")
    assert sample_sims.received_fen(CARD) == AMOUNT_FEN
    assert len(sample_sims.transfers(CARD)) == 1


def test_a_500_to_a_pay_is_an_unknown_outcome(sample_sims: LiveSims) -> None:
    sample_sims.set_fault(system="bank", operation="pay", mode="error", count=1)

    with pytest.raises(BankOutcomeUnknown):
        _pay("HALL-PAY-500")

    # Here the bank had in fact done nothing; only a query can tell, and it does.
    assert get_bank_client().query_transfer(serial="HALL-PAY-500") is None
    assert sample_sims.received_fen(CARD) == 0


def test_an_unreachable_bank_is_unavailable_but_not_an_unknown_outcome(settings) -> None:
    settings.GJJ_BANK_URL = f"http://127.0.0.1:{_unused_port()}/bank"  # nothing listens there

    with pytest.raises(BankUnavailable) as raised:
        _pay("HALL-PAY-UNREACHABLE")

    # The connection was never opened: the request cannot have been executed.
    assert not isinstance(raised.value, BankOutcomeUnknown)


def test_a_request_the_bank_refuses_as_malformed_is_unavailable_not_unknown(sample_sims: LiveSims) -> None:
    with pytest.raises(BankUnavailable) as raised:
        _pay("serial with spaces")

    assert not isinstance(raised.value, BankOutcomeUnknown)
    assert sample_sims.transfers(CARD) == []


def test_a_failing_query_is_unavailable(sample_sims: LiveSims) -> None:
    _pay("HALL-PAY-QERR")
    sample_sims.set_fault(system="bank", operation="query", mode="error")

    with pytest.raises(BankUnavailable):
        get_bank_client().query_transfer(serial="HALL-PAY-QERR")


def test_amounts_must_be_positive_whole_fen(sims: LiveSims) -> None:
    client = get_bank_client()
    for amount in (0, -1, 10.5, True):
        with pytest.raises(ValueError):
            client.pay(
                serial="HALL-BAD", card_no=CARD, bank="CCB", holder_name="张伟", amount_fen=amount, memo=""
            )
