"""Filters for showing money and personal data on every page (masking also applies in logs)."""

from __future__ import annotations

import datetime as dt

from django import template

from gjj.core.masking import mask_card_number, mask_id_number, mask_phone
from gjj.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int) -> str:
    """``8642050|yuan`` → ``86,420.50 元``."""
    return format_yuan(fen)


@register.filter
def masked_id_number(value: str | None) -> str:
    return mask_id_number(value)


@register.filter
def masked_card_number(value: str | None) -> str:
    return mask_card_number(value)


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value)


@register.filter
def iso_datetime(value: str | None) -> dt.datetime | None:
    """An ISO 8601 string kept in JSON as a datetime, for the ``date`` filter (which shows it in
    the active time zone, Asia/Shanghai)."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
