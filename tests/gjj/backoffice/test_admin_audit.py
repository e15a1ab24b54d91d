"""Changes the 管理员 makes in Django's admin are in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from gjj.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_an_admin_log_entry_is_audited_with_its_actor_and_object():
    admin = get_user_model().objects.create_user(username="guanli", first_name="吴管理", is_staff=True)
    clerk = get_user_model().objects.create_user(username="new-clerk", is_staff=True)
    content_type = ContentType.objects.get_for_model(get_user_model())
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[clerk], action_flag=ADDITION, change_message="[]"
    )
    LogEntry.objects.create(
        user=admin,
        content_type=content_type,
        object_id=str(clerk.pk),
        object_repr="new-clerk",
        action_flag=CHANGE,
        change_message="改为停用",
    )
    entries = list(AuditEntry.objects.filter(action=AuditAction.STAFF_ADMIN).order_by("seq"))
    assert [entry.summary for entry in entries] == [
        "系统管理：新增用户“new-clerk”",
        "系统管理：修改用户“new-clerk”",
    ]
    assert {(entry.actor_id, entry.target_id) for entry in entries} == {(admin.pk, str(clerk.pk))}
    assert entries[1].details["change"] == "改为停用"


def test_the_admin_offers_no_bulk_delete():
    from django.contrib import admin

    assert "delete_selected" not in dict(admin.site.actions)
