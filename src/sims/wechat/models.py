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
