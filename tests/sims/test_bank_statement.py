"""The bank simulator's daily statement file through real HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import requests

from tests.support.sims import LiveSims

ZHANG_WEI_CARD = "6217001376212461799"  # CCB, class I, normal
SUN_YUE_FROZEN_CARD = "6217006129480648091"  # CCB, frozen


def _pay(sims: LiveSims, serial: str, *, card_no: str = ZHANG_WEI_CARD, holder_name: str = "张伟") -> dict:
    body = {
        "serial": serial,
        "card_no": card_no,
        "bank": "CCB",
        "holder_name": holder_name,
        "amount_fen": 8642050,
        "memo": "住房公积金购房提取",
    }
    response = requests.post(f"{sims.url}/bank/transfers", json=body, timeout=10)
    assert response.status_code == 200
    return response.json()


def _statement(sims: LiveSims, day: str) -> requests.Response:
    return requests.get(f"{sims.url}/bank/statements/{day}", timeout=10)


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_the_days_statement_lists_done_and_failed_transfers_but_not_processing_ones(
    sample_sims: LiveSims,
) -> None:
    done = _pay(sample_sims, "PAY-DONE")
    failed = _pay(sample_sims, "PAY-FAILED", card_no=SUN_YUE_FROZEN_CARD, holder_name="孙悦")
    sample_sims.set_fault(system="bank", operation="pay", mode="processing", delay_ms=100_000)
    assert _pay(sample_sims, "PAY-PROCESSING")["result"] == 2
    today = _today().isoformat()

    response = _statement(sample_sims, today)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        ["date", "serial", "card_no", "amount_fen", "result", "bank_reference"],
        [today, "PAY-DONE", ZHANG_WEI_CARD, "8642050", "done", done["bank_reference"]],
        [today, "PAY-FAILED", SUN_YUE_FROZEN_CARD, "8642050", "failed", failed["bank_reference"]],
    ]


def test_another_days_statement_has_only_the_header(sample_sims: LiveSims) -> None:
    _pay(sample_sims, "PAY-TODAY")

    response = _statement(sample_sims, (_today() - dt.timedelta(days=1)).isoformat())

    assert response.status_code == 200
    assert response.content == b"date,serial,card_no,amount_fen,result,bank_reference\n"


def test_a_malformed_date_is_a_400_in_chinese(sims: LiveSims) -> None:
    for day in ("2026-02-30", "20261127", "yesterday"):
        response = _statement(sims, day)

        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"
        assert "格式不正确" in response.json()["message"]
