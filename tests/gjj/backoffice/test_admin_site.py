"""The Django admin belongs to the 管理员, behind the back office's two factors; the audit log in it
can be read but never written, not even by the 管理员 (a superuser there)."""

from __future__ import annotations

import pytest
from django.test import Client

from gjj.audit.models import AuditAction, AuditEntry
from gjj.staff.roles import StaffRole

pytestmark = pytest.mark.django_db

CHANGELIST = "/backoffice/admin/audit/auditentry/"


@pytest.fixture
def admin_client(client, staff, sign_in) -> Client:
    sign_in(client, staff[StaffRole.ADMIN])
    return client


@pytest.fixture
def entry(admin_client) -> AuditEntry:
    """The 管理员's own sign-in, written by the login."""
    return AuditEntry.objects.get(action=AuditAction.STAFF_LOGIN)


def test_the_administrator_reads_the_audit_log(admin_client, entry):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "陈管理" in page
    assert f"{CHANGELIST}add/" not in page
    assert 'name="action"' not in page  # no bulk actions, so no bulk delete


def test_the_audit_log_cannot_be_added_to_in_the_admin(admin_client, entry):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    response = admin_client.post(f"{CHANGELIST}add/", {"summary": "伪造", "action": "staff_login"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_an_audit_entry_is_shown_read_only(admin_client, entry):
    url = f"{CHANGELIST}{entry.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert 'name="summary"' not in page
    response = admin_client.post(url, {"summary": "改过的摘要", "actor_label": "别人", "_save": "保存"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.summary != "改过的摘要"
    assert entry.actor_label != "别人"


def test_an_audit_entry_cannot_be_deleted_in_the_admin(admin_client, entry):
    url = f"{CHANGELIST}{entry.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_bulk_delete_action_is_refused(admin_client, entry):
    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302, 400, 403)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "role", [StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER, StaffRole.FINANCE, StaffRole.AUDITOR]
)
@pytest.mark.parametrize("path", ["", "audit/auditentry/", "auth/user/", "auth/user/add/"])
def test_other_roles_get_403_everywhere_in_the_admin(role, path, client, staff, sign_in):
    sign_in(client, staff[role])
    response = client.get(f"/backoffice/admin/{path}")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page
    assert f"您的岗位（{role.label}）" in page
    assert "管理员" in page


def test_the_administrator_manages_staff_accounts(admin_client):
    assert admin_client.get("/backoffice/admin/auth/user/").status_code == 200
    assert admin_client.get("/backoffice/admin/otp_totp/totpdevice/").status_code == 200
