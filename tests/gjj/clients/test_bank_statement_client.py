"""The hall's bank client fetching the daily statement from the real simulator."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from gjj.clients.bank import BankUnavailable, get_bank_client
from gjj.core.timeutil import today_shanghai
from tests.support.sims import LiveSims

CARD = "6217001376212461799"  # 张伟, CCB, class I, normal


def test_the_statement_is_returned_as_the_banks_csv_bytes(sample_sims: LiveSims) -> None:
    result = get_bank_client().pay(
        serial="PSTATEMENT01", card_no=CARD, bank="CCB", holder_name="张伟", amount_fen=100, memo="测试"
    )

    content = get_bank_client().daily_statement(day=today_shanghai())

    assert content.decode("utf-8").splitlines() == [
        "date,serial,card_no,amount_fen,result,bank_reference",
        f"{today_shanghai().isoformat()},PSTATEMENT01,{CARD},100,done,{result.bank_reference}",
    ]


def test_a_refusal_by_the_bank_is_unavailable(sims: LiveSims, settings) -> None:
    settings.GJJ_BANK_URL = f"{sims.url}/no-such-bank"

    with pytest.raises(BankUnavailable, match="HTTP 404"):
        get_bank_client().daily_statement(day=dt.date(2026, 11, 27))


def test_an_unreachable_bank_is_unavailable(settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GJJ_BANK_URL = f"http://127.0.0.1:{port}/bank"

    with pytest.raises(BankUnavailable):
        get_bank_client().daily_statement(day=dt.date(2026, 11, 27))
