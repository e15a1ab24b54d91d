"""The official account's records: which member linked which WeChat openid, which deliveries of
the platform were already answered, and the template messages to send (an outbox)."""

from __future__ import annotations

from django.db import models

from gjj.members.models import Person
from gjj.withdrawals.models import Application, NotificationState


class WechatBinding(models.Model):
    """A member's WeChat openid (of this official account), linked when the member logged in on
    the H5 through a link the account sent."""

    person = models.OneToOneField(
        Person, verbose_name="缴存职工", on_delete=models.CASCADE, related_name="wechat_binding"
    )
    openid = models.CharField("openid", max_length=64, unique=True)
    linked_at = models.DateTimeField("绑定时间")

    class Meta:
        verbose_name = "微信绑定"

    def __str__(self) -> str:
        return self.openid


class WechatLinkUse(models.Model):
    """A ``wx`` token's nonce once it bound an openid: a token binds at most once."""

    nonce = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField()

    class Meta:
        verbose_name = "微信绑定链接使用记录"


class WechatDelivery(models.Model):
    """A message or event the platform delivered, kept so that a retried delivery is answered once:
    ``msg:<MsgId>`` for messages, ``event:<FromUserName>:<CreateTime>`` for events."""

    key = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "微信消息投递"

    def __str__(self) -> str:
        return self.key


class WechatNotification(models.Model):
    """A template message to a linked member, written in the same transaction as the state change
    it reports and sent by the worker after commit; the reconciler re-sends what is still pending."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="wechat_notifications"
    )
    openid = models.CharField(max_length=64)
    event = models.CharField(max_length=20)
    data = models.JSONField()
    state = models.CharField(
        max_length=8, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    msgid = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "微信模板消息"
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.event}"
