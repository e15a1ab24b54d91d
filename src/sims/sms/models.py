"""The SMS gateway's outbox: every message the fund centre had sent."""

from __future__ import annotations

from django.db import models


class SmsMessage(models.Model):
    message_id = models.CharField("消息编号", max_length=40, unique=True)
    phone = models.CharField("手机号", max_length=20, db_index=True)
    text = models.TextField("内容")
    sent_at = models.DateTimeField("发送时间", db_index=True)

    class Meta:
        verbose_name = "短信"
        ordering = (
            "-sent_at",
            "-pk",
        )

    def __str__(self) -> str:
        return self.message_id
