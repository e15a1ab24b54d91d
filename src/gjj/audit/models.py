"""The audit log (审计日志): an append-only, hash-chained record of who saw and decided what."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from gjj.audit.hashing import GENESIS_HASH, HASHED_FIELDS, canonical_time


class AuditLogImmutable(Exception):
    """An attempt to change or remove an audit entry. The log only grows."""


class AuditAction(models.TextChoices):
    STAFF_LOGIN = "staff_login", "登录"
    STAFF_LOGIN_FAILED = "staff_login_failed", "登录失败"
    STAFF_LOGOUT = "staff_logout", "退出"
    STAFF_SESSION_EXPIRED = "staff_session_expired", "超时退出"
    CASE_VIEW = "case_view", "查看申请"
    MATERIAL_VIEW = "material_view", "查看材料"
    APPLICATION_CLAIM = "application_claim", "领取审核"
    APPLICATION_RELEASE = "application_release", "放弃领取"
    APPLICATION_APPROVE = "application_approve", "审核通过"
    APPLICATION_REJECT = "application_reject", "不予通过"
    APPLICATION_RETURN = "application_return", "退回补正"
    PAYOUT_REDRIVE = "payout_redrive", "重新驱动支付"
    ACCOUNT_CLOSE = "account_close", "销户"
    STATEMENT_IMPORT = "statement_import", "导入对账单"
    STATEMENT_EXPORT = "statement_export", "导出对账报告"
    AUDIT_SEARCH = "audit_search", "查询审计日志"
    AUDIT_EXPORT = "audit_export", "导出审计日志"
    STAFF_ADMIN = "staff_admin", "系统管理"


def _refuse(what: str) -> NoReturn:
    raise AuditLogImmutable(f"审计日志只能追加，不能{what}")


class AuditEntryQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("修改")

    def delete(self) -> NoReturn:  # type: ignore[override]
        _refuse("删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("修改")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Rows written in bulk would bypass the chain's head; entries are added one by one.
        raise AuditLogImmutable("审计记录只能通过 audit_record 逐条追加")


AuditEntryManager = models.Manager.from_queryset(AuditEntryQuerySet)


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人账号",
    )
    # Kept as text so that the entry stays readable whatever later happens to the account.
    actor_label = models.CharField("操作人", max_length=100)
    action = models.CharField("操作", max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField("对象类型", max_length=32, blank=True)
    target_id = models.CharField("对象", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=300, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"第 {self.seq} 条：{self.actor_label} {self.get_action_display()} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("修改")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("删除")

    def hashed_fields(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: getattr(self, name) for name in HASHED_FIELDS}
        values["at"] = canonical_time(self.at)
        return values


class AuditHead(models.Model):
    """The chain's head, one row (pk=1). Appends lock it, so concurrent appends queue up into one
    linear chain; and it remembers the last entry, so that removing the newest entries is
    detected too (a gap check alone cannot see a missing tail)."""

    last_seq = models.PositiveBigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后哈希", max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头：第 {self.last_seq} 条"
