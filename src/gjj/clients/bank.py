"""The bank gateway: verifying a receiving card, paying out, and asking what became of a payment.

Protocol (JSON over HTTP under ``GJJ_BANK_URL``):

- ``POST /cards/verify`` ``{"card_no", "bank"}`` → ``{"found": true, "card_no", "bank",
  "card_type", "account_class", "holder_id_number", "holder_name", "status"}`` or ``{"found": false}``.
- ``POST /transfers`` ``{"serial", "card_no", "bank", "holder_name", "amount_fen", "memo"}`` →
  ``{"serial", "result": 0 done | 1 failed | 2 processing, "bank_reference", "message"}``.
  The serial is the idempotency key: the bank executes one serial at most once and answers a
  repeat with the stored result.
- ``GET /transfers/<serial>`` → the same shape, or 404 ``{"error": "not_found"}`` when the bank
  has never heard of the serial.
- ``GET /statements/<YYYY-MM-DD>`` → the day's statement (对账单) as CSV, ``text/csv; charset=utf-8``,
  header ``date,serial,card_no,amount_fen,result,bank_reference``: one line per transfer the bank
  completed that day (Asia/Shanghai), ``result`` ``done`` or ``failed`` (processing ones are not on
  it), amount in integer fen, card number in full (a bank-to-centre file). A malformed date is
  400 ``{"error": "bad_request", "message"}``.

A payout whose answer is lost is the dangerous case. ``pay`` therefore distinguishes:
``BankUnavailable`` — the request certainly did not reach the bank: nothing was paid, and the same
serial may be sent again; ``BankRefused`` — the bank read the request and refused it (a 4xx other
than 408/429): nothing was paid, and sending it again would be refused again; ``BankOutcomeUnknown`` — it may have been executed: the caller must
not pay again under a new serial, only ask with ``query_transfer`` (or resend the same serial).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import requests
from django.conf import settings

from gjj.clients.base import (
    CallTimer,
    HttpAnswer,
    JsonHttpClient,
    OutsideSystemUnavailable,
    TransportFailure,
    default_timeout,
    http_session,
    outgoing_headers,
    protocol_mismatch,
)
from gjj.core.masking import mask_card_number

logger = logging.getLogger(__name__)


class BankUnavailable(OutsideSystemUnavailable):
    system_label = "银行系统"


class BankRefused(BankUnavailable):
    """The bank read the transfer and refused it as such (HTTP 4xx other than 408 and 429): nothing
    was executed, and the same request would be refused again. The payout has failed."""

    def __init__(self, message: str | None = None, *, status: int = 0) -> None:
        super().__init__(message or "银行拒绝了支付请求")
        self.status = status


class BankOutcomeUnknown(BankUnavailable):
    """A pay call got no usable answer after it may have reached the bank: the money may or may
    not have moved. Query the same serial; never re-pay under a new one."""

    def __init__(self, message: str | None = None, *, serial: str = "") -> None:
        super().__init__(message or "银行未返回支付结果，正在核实，请勿重复申请")
        self.serial = serial


class TransferStatus(enum.IntEnum):
    DONE = 0
    FAILED = 1
    PROCESSING = 2

    @property
    def label(self) -> str:
        return {
            TransferStatus.DONE: "成功",
            TransferStatus.FAILED: "失败",
            TransferStatus.PROCESSING: "处理中",
        }[self]


@dataclass(frozen=True)
class CardVerification:
    found: bool
    bank: str | None = None  # the bank that really holds the card
    card_type: str | None = None  # "debit" | "credit"
    account_class: int | None = None  # 1 一类, 2 二类, 3 三类
    holder_id_number: str | None = None
    holder_name: str | None = None
    status: str | None = None  # "normal" | "frozen" | "closed"

    @classmethod
    def not_found(cls) -> CardVerification:
        return cls(found=False)


@dataclass(frozen=True)
class TransferResult:
    serial: str
    status: TransferStatus
    bank_reference: str
    message: str

    @property
    def is_final(self) -> bool:
        return self.status != TransferStatus.PROCESSING


class BankClient(Protocol):
    def verify_card(self, *, card_no: str, bank: str) -> CardVerification:
        """What the bank knows about a card. Raises ``BankUnavailable``."""
        ...

    def pay(
        self, *, serial: str, card_no: str, bank: str, holder_name: str, amount_fen: int, memo: str
    ) -> TransferResult:
        """Pay once per serial. Raises ``BankOutcomeUnknown`` or ``BankUnavailable`` (see module)."""
        ...

    def query_transfer(self, *, serial: str) -> TransferResult | None:
        """The bank's record of a serial, or None when it has never heard of it.
        Raises ``BankUnavailable``."""
        ...

    def daily_statement(self, *, day: dt.date) -> bytes:
        """The bank's statement file of a Shanghai day, as the bank sent it (CSV bytes).
        Raises ``BankUnavailable`` when the bank is unreachable or answers anything but 200."""
        ...


class HttpBankClient:
    def __init__(self, *, base_url: str, timeout: float, pay_timeout: float) -> None:
        self._http = JsonHttpClient(system="bank", base_url=base_url, timeout=timeout)
        self._pay_timeout = pay_timeout

    def verify_card(self, *, card_no: str, bank: str) -> CardVerification:
        try:
            # Verification only reads, so the plumbing may resend it on a dropped connection.
            answer = self._http.post(
                "cards/verify",
                operation="verify_card",
                body={"card_no": card_no, "bank": bank},
                idempotent=True,
            )
        except TransportFailure as exc:
            raise BankUnavailable() from exc
        if answer.status != 200 or not answer.decoded or not isinstance(answer.payload, dict):
            raise protocol_mismatch(BankUnavailable, what="校验银行卡", answer=answer)
        try:
            return _card_verification(answer.payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise protocol_mismatch(
                BankUnavailable, what=f"银行卡数据 {type(exc).__name__}", answer=answer
            ) from exc

    def pay(
        self, *, serial: str, card_no: str, bank: str, holder_name: str, amount_fen: int, memo: str
    ) -> TransferResult:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ValueError("amount_fen must be a positive integer number of fen")
        body = {
            "serial": serial,
            "card_no": card_no,
            "bank": bank,
            "holder_name": holder_name,
            "amount_fen": amount_fen,
            "memo": memo,
        }
        try:
            answer = self._http.post("transfers", operation="pay", body=body, timeout=self._pay_timeout)
        except TransportFailure as exc:
            if not exc.request_sent:
                raise BankUnavailable() from exc
            logger.warning(
                "支付 %s（卡号 %s）结果未知：%s", serial, mask_card_number(card_no), exc.description
            )
            raise BankOutcomeUnknown(serial=serial) from exc
        if 400 <= answer.status < 500 and answer.status not in (408, 429):
            # The bank looked at the request and refused it as such: it executed nothing.
            refusal = _error_text(answer)
            logger.error("银行拒绝支付请求 %s：HTTP %s %s", serial, answer.status, refusal)
            raise BankRefused(
                f"银行拒绝了支付请求（HTTP {answer.status}）{'：' + refusal if refusal else ''}"[:200],
                status=answer.status,
            )
        try:
            return _transfer_result(answer, expected_serial=serial)
        except (KeyError, TypeError, ValueError) as exc:
            # A 5xx or a garbled answer after the request arrived: it may have been executed.
            logger.warning("支付 %s 的应答无法识别（HTTP %s），结果未知", serial, answer.status)
            raise BankOutcomeUnknown(serial=serial) from exc

    def query_transfer(self, *, serial: str) -> TransferResult | None:
        try:
            answer = self._http.get(f"transfers/{quote(serial, safe='')}", operation="query_transfer")
        except TransportFailure as exc:
            raise BankUnavailable() from exc
        if answer.status == 404 and answer.is_error_code("not_found"):
            return None
        try:
            return _transfer_result(answer, expected_serial=serial)
        except (KeyError, TypeError, ValueError) as exc:
            raise protocol_mismatch(BankUnavailable, what=f"查询支付 {serial}", answer=answer) from exc

    def daily_statement(self, *, day: dt.date) -> bytes:
        # The JSON plumbing decodes bodies as JSON; a statement is a CSV file, so it is fetched
        # with the same pooled session but read as raw bytes.
        url = f"{self._http.base_url}/statements/{day.isoformat()}"
        timer = CallTimer(system=self._http.system, operation="daily_statement")
        try:
            response = http_session().get(
                url, headers=outgoing_headers({"Accept": "text/csv"}), timeout=self._http.timeout
            )
        except requests.RequestException as exc:
            timer.failed(exc)
            logger.warning("获取 %s 对账单失败：%s", day.isoformat(), type(exc).__name__)
            raise BankUnavailable() from exc
        timer.answered(status=response.status_code)
        if response.status_code != 200:
            logger.warning("获取 %s 对账单失败：HTTP %s", day.isoformat(), response.status_code)
            raise BankUnavailable(f"银行未能提供 {day.isoformat()} 的对账单（HTTP {response.status_code}）")
        return response.content


def get_bank_client() -> BankClient:
    """The configured bank; settings are read at each call so tests can re-point it."""
    return HttpBankClient(
        base_url=settings.GJJ_BANK_URL,
        timeout=default_timeout(),
        pay_timeout=float(settings.GJJ_BANK_PAY_TIMEOUT_SECONDS),
    )


def _card_verification(payload: dict[str, Any]) -> CardVerification:
    found = payload["found"]
    if not isinstance(found, bool):
        raise TypeError("found")
    if not found:
        return CardVerification.not_found()
    account_class = payload["account_class"]
    if isinstance(account_class, bool) or not isinstance(account_class, int):
        raise TypeError("account_class")
    return CardVerification(
        found=True,
        bank=_text(payload, "bank"),
        card_type=_text(payload, "card_type"),
        account_class=account_class,
        holder_id_number=_text(payload, "holder_id_number"),
        holder_name=_text(payload, "holder_name"),
        status=_text(payload, "status"),
    )


def _transfer_result(answer: HttpAnswer, *, expected_serial: str) -> TransferResult:
    if answer.status != 200 or not answer.decoded or not isinstance(answer.payload, dict):
        raise ValueError(f"HTTP {answer.status}")
    payload = answer.payload
    if payload["serial"] != expected_serial:
        raise ValueError("the answer is about another serial")
    result = payload["result"]
    if isinstance(result, bool) or not isinstance(result, int):
        raise TypeError("result")
    return TransferResult(
        serial=expected_serial,
        status=TransferStatus(result),
        bank_reference=str(payload.get("bank_reference") or ""),
        message=str(payload.get("message") or ""),
    )


def _text(payload: dict[str, Any], field: str) -> str:
    value = payload[field]
    if not isinstance(value, str):
        raise TypeError(field)
    return value


def _error_text(answer: HttpAnswer) -> str:
    if answer.decoded and isinstance(answer.payload, dict):
        return str(answer.payload.get("message") or answer.payload.get("error") or "")
    return ""
