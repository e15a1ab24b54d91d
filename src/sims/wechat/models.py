"""The WeChat platform stand-in: access tokens issued, the published menu, template messages sent."""

from __future__ import annotations

from django.db import models


class AccessToken(models.Model):
    token = models.CharField("access_token", max_length=64, unique=True)
    appid = models.CharField("appid", max_length=64)
    expires_at = models.DateTimeField("失效时间")

    class Meta:
        verbose_name = "access_token"

    def __str__(self) -> str:
        return self.token


class Menu(models.Model):
    appid = models.CharField("appid", max_length=64)
    body = models.JSONField("菜单")
    created_at = models.DateTimeField("发布时间", db_index=True)

    class Meta:
        verbose_name = "自定义菜单"
        ordering = ("-created_at", "-pk")


class TemplateMessage(models.Model):
    msgid = models.BigIntegerField("msgid", unique=True)
    appid = models.CharField("appid", max_length=64)
    openid = models.CharField("openid", max_length=64, db_index=True)
    template_id = models.CharField("模板编号", max_length=64)
    url = models.CharField("链接", max_length=1000, blank=True)
    data = models.JSONField("数据")
    sent_at = models.DateTimeField("发送时间", db_index=True)

    class Meta:
        verbose_name = "模板消息"
        ordering = ("-sent_at", "-pk")

    def __str__(self) -> str:
        return str(self.msgid)


class ServerConfig(models.Model):
    """服务器配置 of the platform console, when changed at run time (else the settings')."""

    appid = models.CharField("appid", max_length=64, unique=True)
    url = models.CharField("服务器地址(URL)", max_length=1000)
    token = models.CharField("令牌(Token)", max_length=64)
    updated_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "服务器配置"


class Follower(models.Model):
    """A WeChat user who followed the official account (and perhaps unfollowed it since)."""

    appid = models.CharField("appid", max_length=64)
    openid = models.CharField("openid", max_length=64)
    subscribed = models.BooleanField("已关注", default=True)
    subscribed_at = models.DateTimeField("关注时间")
    unsubscribed_at = models.DateTimeField("取消关注时间", null=True, blank=True)

    class Meta:
        verbose_name = "关注者"
        constraints = [models.UniqueConstraint(fields=("appid", "openid"), name="sims_wechat_follower_once")]

    def __str__(self) -> str:
        return self.openid


class ChatMessage(models.Model):
    """One line of a follower's chat with the official account, as the follower's WeChat shows it."""

    class Sender(models.TextChoices):
        USER = "user", "用户"
        ACCOUNT = "account", "公众号"
        PLATFORM = "platform", "微信"

    appid = models.CharField("appid", max_length=64)
    openid = models.CharField("openid", max_length=64, db_index=True)
    sender = models.CharField("发送方", max_length=16, choices=Sender.choices)
    kind = models.CharField("类型", max_length=32)
    content = models.TextField("内容")
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "会话消息"
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.sender}: {self.content[:20]}"
