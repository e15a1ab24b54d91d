"""Personal data (身份证号, card numbers, phone) is masked in pages and logs."""

from __future__ import annotations

import logging
import re


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_card_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]} **** **** {value[-4:]}"


def mask_name(value: str | None) -> str:
    """The surname and a star for each other character: 周敏 → 周*, 欧阳明月 → 欧***."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


# Long digit runs in log lines: 身份证号 (17 digits + digit/X), card numbers (16–19), phones (11).
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(\+?86)?(1\d{10})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _CARD.sub(lambda m: mask_card_number(m.group(0)), text)
    return _PHONE.sub(lambda m: (m.group(1) or "") + mask_phone(m.group(2)), text)


class MaskPersonalDataFilter(logging.Filter):
    """Masks ID, card and phone numbers in every log record, whatever the code logged: the
    message, the exception's text and traceback (an exception's message often quotes the value it
    choked on, a traceback the arguments in its source lines) and the stack."""

    _traceback_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once it is set: the masked traceback is the one written.
            record.exc_text = self._traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
