"""The admin shows the log to staff and lets no one, superusers included, add, change or delete."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from gjj.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_admin_is_read_only_even_for_a_superuser(chain, django_user_model):
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/admin/audit/auditentry/")
    request.user = django_user_model.objects.create_superuser(username="root", password="x")
    entry = chain[0]
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert not model_admin.get_actions(request)  # no bulk "delete selected"
    assert list(model_admin.list_display) == ["seq", "at", "actor_label", "action", "target_id", "summary"]
