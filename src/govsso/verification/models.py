"""SMS verification codes (短信验证码) and the per-phone lock that makes their rate limits hold."""

from __future__ import annotations

from django.db import models

from gjj.core.encrypted import EncryptedCharField


class Purpose(models.TextChoices):
    REGISTRATION = "registration", "注册账号"
    PASSWORD_RECOVERY = "password_recovery", "找回密码"


class CodeRecipient(models.Model):
    """One row per phone number that ever asked for a code. Issuing a code locks this row, so two
    requests at the same moment cannot both pass the rate limits."""

    phone = EncryptedCharField("手机号", max_length=11, unique=True)

    class Meta:
        verbose_name = "验证码接收手机"


class VerificationCode(models.Model):
    """One request for a code. ``code_hash`` is empty when no code was sent: a password-recovery
    request whose details matched no account is recorded all the same, so that it counts toward
    the phone's limits exactly like a real one and the answers cannot tell the two apart."""

    phone = EncryptedCharField("手机号", max_length=11)
    purpose = models.CharField("用途", max_length=32, choices=Purpose.choices)
    code_hash = models.CharField("验证码散列", max_length=64, blank=True)
    created_at = models.DateTimeField("发送时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)

    class Meta:
        verbose_name = "短信验证码"
        indexes = [models.Index(fields=["phone", "created_at"], name="verification_phone_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"
