"""Helpers of govsso's tests."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse

from tests.support.id_numbers import with_check_char

HALL_CLIENT_ID = "gjj-hall"
HALL_CLIENT_SECRET = "hall-secret-for-tests-0123456789"
HALL_REDIRECT_URI = "http://127.0.0.1:8000/oidc/callback/"
HALL_LOGGED_OUT_URI = "http://127.0.0.1:8000/hall/logged-out/"

CODE_IN_TEXT = re.compile(r"验证码为(\d{6})")


def id_number(first17: str) -> str:
    """A valid 身份证号 from its first 17 digits (GB 11643 check digit appended)."""
    return with_check_char(first17)


def with_wrong_check_digit(valid: str) -> str:
    wrong = "0" if valid[-1] != "0" else "1"
    return valid[:-1] + wrong


def latest_code(sms: Any, phone: str) -> str:
    """The code in the newest message the SMS simulator sent to ``phone``."""
    messages = sms.outbox(phone)
    assert messages, f"没有发往 {phone} 的短信"
    found = CODE_IN_TEXT.search(messages[0]["text"])
    assert found, messages[0]["text"]
    return found.group(1)


def page_text(response: HttpResponse) -> str:
    return response.content.decode("utf-8")


def field_errors(response: HttpResponse, field: str) -> list[str]:
    """The errors the page shows next to ``field`` (the bound form in the page's context)."""
    form = response.context["form"]
    return list(form.errors.get(field, []))
