from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gjj.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only for every role, superusers included: the log only grows, through audit_record."""

    list_display = ("seq", "at", "actor_label", "action", "target_id", "summary")
    list_filter = ("action",)
    search_fields = ("summary", "target_id", "actor_label")
    list_select_related = ("actor",)
    ordering = ("-seq",)
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
