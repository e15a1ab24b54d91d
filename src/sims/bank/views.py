"""The bank gateway's HTTP interface: card verification, transfers and their status, and the
daily statement file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sims.bank.models import BankAccount, Transfer, TransferResult
from sims.bank.selectors import (
    bank_account_by_card_no,
    transfer_by_serial,
    transfers_completed_on,
    transfers_for_card,
)
from sims.bank.services import transfer_pay, transfer_settle_if_due
from sims.control.faults import fault_injected, injected_fault
from sims.control.models import FaultMode, Operation, SimulatedSystem
from sims.jsonapi import BadRequest, api_view, json_body, json_response, not_found, optional_str, required_str

# Serials travel in URL paths (GET /bank/transfers/<serial>): letters, digits and ._- only.
_SERIAL = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CARD_NO = re.compile(r"^\d{1,19}$")
# A single transfer above 100 million 元 is a caller's bug, not a payout.
_MAX_AMOUNT_FEN = 100_000_000_00
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATEMENT_HEADER = ("date", "serial", "card_no", "amount_fen", "result", "bank_reference")
_STATEMENT_RESULTS = {TransferResult.DONE: "done", TransferResult.FAILED: "failed"}


@api_view(methods=["POST"])
@fault_injected(system=SimulatedSystem.BANK, operation=Operation.VERIFY)
def card_verify(request: HttpRequest) -> HttpResponse:
    payload = json_body(request)
    card_no = _card_no(payload)
    required_str(payload, "bank", max_length=16)  # the caller's choice; the answer names the real bank
    account = bank_account_by_card_no(card_no=card_no)
    if account is None:
        return json_response({"found": False})
    return json_response(
        {
            "found": True,
            "card_no": account.card_no,
            "bank": account.bank,
            "card_type": account.card_type,
            "account_class": account.account_class,
            "holder_id_number": account.holder_id_number,
            "holder_name": account.holder_name,
            "status": account.status,
        }
    )


@api_view(methods=["GET"])
def card_detail(request: HttpRequest, card_no: str) -> HttpResponse:
    """Inspection for tests and demos: the account and how much it has received in total."""
    account = bank_account_by_card_no(card_no=card_no)
    if account is None:
        return not_found()
    return json_response(_account_payload(account))


@api_view(methods=["GET", "POST"])
def transfers(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _transfer_create(request)
    card_no = request.GET.get("card_no", "").strip()
    if not card_no:
        raise BadRequest("请给出 card_no")
    return json_response(
        [_transfer_detail_payload(transfer) for transfer in transfers_for_card(card_no=card_no)]
    )


@fault_injected(system=SimulatedSystem.BANK, operation=Operation.PAY)
def _transfer_create(request: HttpRequest) -> HttpResponse:
    payload = json_body(request)
    serial = required_str(payload, "serial", max_length=64)
    if not _SERIAL.match(serial):
        raise BadRequest("serial 只能由字母、数字和 . _ - 组成，最长 64 个字符")
    amount_fen = payload.get("amount_fen")
    if (
        isinstance(amount_fen, bool)
        or not isinstance(amount_fen, int)
        or not 0 < amount_fen <= _MAX_AMOUNT_FEN
    ):
        raise BadRequest("amount_fen 应为正整数（分）")
    fault = injected_fault(request)
    settle_later_by = (
        dt.timedelta(milliseconds=fault.delay_ms)
        if fault is not None and fault.mode == FaultMode.PROCESSING
        else None
    )
    transfer = transfer_pay(
        serial=serial,
        card_no=_card_no(payload),
        bank=required_str(payload, "bank", max_length=16),
        holder_name=required_str(payload, "holder_name", max_length=64),
        amount_fen=amount_fen,
        memo=optional_str(payload, "memo", max_length=200),
        settle_later_by=settle_later_by,
    )
    return json_response(_transfer_payload(transfer))


@api_view(methods=["GET"])
@fault_injected(system=SimulatedSystem.BANK, operation=Operation.QUERY)
def transfer_status(request: HttpRequest, serial: str) -> HttpResponse:
    transfer = transfer_by_serial(serial=serial)
    if transfer is None:
        return not_found()
    transfer = transfer_settle_if_due(transfer=transfer)
    return json_response(_transfer_payload(transfer))


@api_view(methods=["GET"])
def statement(request: HttpRequest, day: str) -> HttpResponse:
    """The day's statement (对账单) as CSV: every transfer completed that Shanghai day. A file
    between the bank and the centre, so card numbers are in full."""
    on = _statement_day(day)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_HEADER)
    for transfer in transfers_completed_on(day=on).iterator():
        writer.writerow(
            (
                on.isoformat(),
                transfer.serial,
                transfer.card_no,
                transfer.amount_fen,
                _STATEMENT_RESULTS[TransferResult(transfer.result)],
                transfer.bank_reference,
            )
        )
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{on.isoformat()}.csv"'
    return response


def _statement_day(text: str) -> dt.date:
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"对账日期“{text[:20]}”格式不正确，应为 YYYY-MM-DD 形式的有效日期") from exc


def _card_no(payload: dict) -> str:
    card_no = required_str(payload, "card_no", max_length=19)
    if not _CARD_NO.match(card_no):
        raise BadRequest("card_no 应为不超过 19 位的数字")
    return card_no


def _transfer_payload(transfer: Transfer) -> dict:
    return {
        "serial": transfer.serial,
        "result": transfer.result,
        "bank_reference": transfer.bank_reference,
        "message": transfer.message,
    }


def _transfer_detail_payload(transfer: Transfer) -> dict:
    return {
        **_transfer_payload(transfer),
        "card_no": transfer.card_no,
        "bank": transfer.bank,
        "holder_name": transfer.holder_name,
        "amount_fen": transfer.amount_fen,
        "memo": transfer.memo,
        "created_at": timezone.localtime(transfer.created_at).isoformat(),
        "completed_at": timezone.localtime(transfer.completed_at).isoformat()
        if transfer.completed_at
        else None,
    }


def _account_payload(account: BankAccount) -> dict:
    return {
        "card_no": account.card_no,
        "bank": account.bank,
        "card_type": account.card_type,
        "account_class": account.account_class,
        "holder_id_number": account.holder_id_number,
        "holder_name": account.holder_name,
        "status": account.status,
        "received_fen": account.received_fen,
    }
