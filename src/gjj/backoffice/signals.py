"""The 管理员's changes in Django's admin (accounts, roles, TOTP devices) go into the audit log too."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry

from gjj.audit.models import AuditAction
from gjj.audit.services import audit_record

_ACTION_NAMES = {1: "新增", 2: "修改", 3: "删除"}


def admin_change_audited(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    what = instance.content_type.name if instance.content_type is not None else "对象"
    audit_record(
        action=AuditAction.STAFF_ADMIN,
        summary=f"系统管理：{_ACTION_NAMES.get(instance.action_flag, '操作')}{what}“{instance.object_repr[:100]}”",
        actor=instance.user,
        target_type=str(what)[:32],
        target_id=str(instance.object_id or "")[:64],
        details={"change": instance.get_change_message()[:300]},
    )
