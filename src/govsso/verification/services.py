"""Issuing and checking SMS verification codes.

Rules: a code has 6 digits and is valid for 5 minutes; a phone gets at most one code per 60
seconds and 5 per hour (whatever the purpose: the limits protect the phone's owner from being
flooded); only the newest code of a phone and purpose is valid; 5 wrong tries spend it; it is used
once. Codes are stored as keyed hashes (HMAC with the site's secret key): a copy of the database
alone does not reveal codes that are still valid. A slow password hash would add nothing here,
since anyone holding the key could try all million codes anyway.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from gjj.core.masking import mask_phone
from govsso.sms import SmsDeliveryFailed, sms_send
from govsso.verification.models import CodeRecipient, Purpose, VerificationCode

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=5)
MIN_INTERVAL = timedelta(seconds=60)
LIMIT_WINDOW = timedelta(hours=1)
LIMIT_PER_WINDOW = 5
MAX_FAILED_ATTEMPTS = 5

SMS_TEXTS = {
    Purpose.REGISTRATION: "【辽宁政务服务网】您的注册验证码为{code}，5分钟内有效。",
    Purpose.PASSWORD_RECOVERY: (
        "【辽宁政务服务网】您正在找回密码，验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。"
    ),
}


class CodeRequestRefused(Exception):
    """No code was issued; ``message`` tells the member why, in Chinese."""

    message = "暂时无法发送验证码"

    def __str__(self) -> str:
        return self.message


class CodeRequestTooSoon(CodeRequestRefused):
    def __init__(self, seconds_left: int) -> None:
        super().__init__(seconds_left)
        self.seconds_left = seconds_left
        self.message = f"获取验证码过于频繁，请 {seconds_left} 秒后再试"


class CodeRequestLimitReached(CodeRequestRefused):
    def __init__(self, minutes_left: int) -> None:
        super().__init__(minutes_left)
        self.minutes_left = minutes_left
        self.message = f"该手机号 1 小时内获取验证码已达 {LIMIT_PER_WINDOW} 次，请 {minutes_left} 分钟后再试"


class CodeCheckFailed(Exception):
    """The code typed is not (or no longer) good; ``message`` says which, in Chinese."""

    message = "短信验证码不正确"

    def __str__(self) -> str:
        return self.message


class CodeNotRequested(CodeCheckFailed):
    message = "请先获取短信验证码"


class CodeWrong(CodeCheckFailed):
    message = "短信验证码不正确，请核对后重新输入"


class CodeExpired(CodeCheckFailed):
    message = "短信验证码已过期（有效期 5 分钟），请重新获取"


class CodeSpent(CodeCheckFailed):
    message = "短信验证码已失效（已使用或输错次数过多），请重新获取"


def verification_code_issue(*, phone: str, purpose: Purpose, deliver: bool = True) -> None:
    """Issue a code for ``phone`` and send it by SMS.

    With ``deliver=False`` the request is recorded and counted against the limits, but no code
    exists and nothing is sent (password recovery with details that match no account). Raises
    ``CodeRequestTooSoon`` / ``CodeRequestLimitReached`` when over a limit, and
    ``SmsDeliveryFailed`` when the gateway refused the message; a request whose SMS failed is
    forgotten, so that the member may try again at once."""
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}" if deliver else None
    with transaction.atomic():
        recipient, _ = CodeRecipient.objects.get_or_create(phone=phone)
        CodeRecipient.objects.select_for_update().filter(pk=recipient.pk).get()
        _refuse_over_limits(phone=phone, now=now)
        issued = VerificationCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone=phone, purpose=purpose, code=code) if code else "",
            created_at=now,
        )
    if code is None:
        return
    try:
        sms_send(phone=phone, text=SMS_TEXTS[Purpose(purpose)].format(code=code))
    except SmsDeliveryFailed:
        issued.delete()
        raise
    logger.info("%s验证码已发往 %s", Purpose(purpose).label, mask_phone(phone))


def verification_code_check(*, phone: str, purpose: Purpose, code: str) -> int:
    """Check ``code`` against the newest code issued to ``phone`` for ``purpose`` and return its
    id for ``verification_code_use``. A wrong code counts against the code (committed even though
    the caller sees an exception) and raises ``CodeWrong``; other failures raise the other
    ``CodeCheckFailed`` subclasses."""
    now = timezone.now()
    with transaction.atomic():
        latest = (
            VerificationCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose)
            .order_by("-created_at", "-pk")
            .first()
        )
        failure = _check_failure(latest=latest, phone=phone, purpose=purpose, code=code, now=now)
        if isinstance(failure, CodeWrong) and latest is not None and latest.code_hash:
            latest.failed_attempts += 1
            latest.save(update_fields=["failed_attempts"])
    if failure is not None:
        raise failure
    assert latest is not None
    return latest.pk


def verification_code_use(*, code_id: int) -> None:
    """Spend a checked code; call it in the transaction of the write the code allowed. Raises
    ``CodeSpent`` if another request spent it in the meantime."""
    spent = VerificationCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=timezone.now())
    if spent != 1:
        raise CodeSpent()


def _refuse_over_limits(*, phone: str, now: datetime) -> None:
    recent = list(
        VerificationCode.objects.filter(phone=phone, created_at__gt=now - LIMIT_WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:LIMIT_PER_WINDOW]
    )
    if recent and now - recent[0] < MIN_INTERVAL:
        raise CodeRequestTooSoon(math.ceil((MIN_INTERVAL - (now - recent[0])).total_seconds()))
    if len(recent) >= LIMIT_PER_WINDOW:
        # The limit frees up when the oldest of the last five leaves the one-hour window.
        wait = recent[LIMIT_PER_WINDOW - 1] + LIMIT_WINDOW - now
        raise CodeRequestLimitReached(max(1, math.ceil(wait.total_seconds() / 60)))


def _check_failure(
    *, latest: VerificationCode | None, phone: str, purpose: Purpose, code: str, now: datetime
) -> CodeCheckFailed | None:
    if latest is None:
        return CodeNotRequested()
    if not latest.code_hash:
        return CodeWrong()
    if latest.used_at is not None or latest.failed_attempts >= MAX_FAILED_ATTEMPTS:
        return CodeSpent()
    if now - latest.created_at > CODE_VALIDITY:
        return CodeExpired()
    if not constant_time_compare(latest.code_hash, _code_hash(phone=phone, purpose=purpose, code=code)):
        return CodeWrong()
    return None


def _code_hash(*, phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "govsso.verification.code", f"{purpose}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()
