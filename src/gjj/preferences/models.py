"""A member's display preferences, one row per 缴存职工 (not per login, nor per channel: the
desktop hall, the H5 and every SSO account tied to the person read the same row)."""

from __future__ import annotations

from django.db import models


class MemberPreference(models.Model):
    person = models.OneToOneField(
        "members.Person",
        verbose_name="缴存职工",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
    )
    # 适老化模式 (长辈版): larger type and targets, higher contrast, plainer words.
    elder_mode = models.BooleanField("长辈版（适老化模式）", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "个人显示设置"

    def __str__(self) -> str:
        return f"MemberPreference(person={self.person_id}, elder_mode={self.elder_mode})"
