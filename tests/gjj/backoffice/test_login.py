"""Staff sign-in (password and TOTP code in one form) and sign-out; every attempt audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gjj.audit.models import AuditAction, AuditEntry
from gjj.backoffice.auth import REFUSED
from gjj.staff.roles import StaffRole
from gjj.staff.services import totp_now
from tests.gjj.backoffice.conftest import STAFF_PASSWORD, next_code

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"
LANDING = {
    StaffRole.FIRST_REVIEWER: "/backoffice/queue/",
    StaffRole.SECOND_REVIEWER: "/backoffice/queue/",
    StaffRole.FINANCE: "/backoffice/payouts/",
    StaffRole.AUDITOR: "/backoffice/audit/",
    StaffRole.ADMIN: "/backoffice/dashboard/",
}


def _post(client, *, username: str, password: str = STAFF_PASSWORD, token: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, "token": token, **extra})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _entries(action: AuditAction) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


@pytest.mark.parametrize("role", list(StaffRole))
def test_password_and_code_land_on_the_page_of_the_role(role, client, staff):
    account = staff[role]
    response = _post(client, username=account.user.username, token=next_code(account))
    assert response.status_code == 302
    assert response["Location"] == LANDING[role]
    assert client.session[SESSION_KEY] == str(account.user.pk)
    [entry] = _entries(AuditAction.STAFF_LOGIN)
    assert entry.actor_id == account.user.pk
    assert entry.ip == "127.0.0.1"
    assert entry.target_id == account.user.username
    assert role.label in entry.summary
    assert not _entries(AuditAction.STAFF_LOGIN_FAILED)
    # Signed in, the login page itself sends the user on.
    assert client.get(LOGIN)["Location"] == LANDING[role]


def test_the_code_may_be_typed_with_spaces(client, staff):
    account = staff[StaffRole.AUDITOR]
    code = next_code(account)
    response = _post(client, username=" auditor ", token=f"{code[:3]} {code[3:]}")
    assert response["Location"] == "/backoffice/audit/"


def _assert_refused(response, username: str, message: str = REFUSED, *, logins: int = 0) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert SESSION_KEY not in response.wsgi_request.session
    [entry] = _entries(AuditAction.STAFF_LOGIN_FAILED)
    assert entry.actor_label == username
    assert entry.target_id == username
    assert username in entry.summary
    assert entry.ip == "127.0.0.1"
    assert len(_entries(AuditAction.STAFF_LOGIN)) == logins


def test_wrong_password_is_refused_with_the_generic_message(client, staff):
    account = staff[StaffRole.FINANCE]
    response = _post(client, username="finance", password="Wrong-Pass-2026!", token=next_code(account))
    _assert_refused(response, "finance")


def test_wrong_code_is_refused_with_the_generic_message(client, staff):
    account = staff[StaffRole.FINANCE]
    response = _post(client, username="finance", token=_wrong(next_code(account)))
    _assert_refused(response, "finance")
    account.device.refresh_from_db()
    assert account.device.throttling_failure_count == 1


def test_unknown_user_is_refused_with_the_generic_message(client, staff):
    _assert_refused(_post(client, username="nobody", token="123456"), "nobody")


def test_a_member_account_is_refused_with_the_generic_message(client, member_client):
    member_user = get_user_model().objects.get(username__startswith="member-")
    # Even with a password set and a device, a member's account is not a staff account.
    member_user.set_password(STAFF_PASSWORD)
    member_user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=member_user, name="x", confirmed=True)
    response = _post(client, username=member_user.username, token=totp_now(device.key))
    _assert_refused(response, member_user.username)


def test_staff_without_a_role_is_refused_with_the_generic_message(client, staff):
    account = staff[StaffRole.SECOND_REVIEWER]
    account.user.groups.clear()
    _assert_refused(_post(client, username="second_reviewer", token=next_code(account)), "second_reviewer")


def test_an_inactive_staff_account_is_refused_with_the_generic_message(client, staff):
    account = staff[StaffRole.SECOND_REVIEWER]
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    _assert_refused(_post(client, username="second_reviewer", token=next_code(account)), "second_reviewer")


def test_staff_without_a_device_is_told_to_ask_the_administrator(client, staff):
    account = staff[StaffRole.AUDITOR]
    code = next_code(account)
    account.device.delete()
    response = _post(client, username="auditor", token=code)
    _assert_refused(response, "auditor", "您的账号尚未绑定动态口令，请联系管理员")
    assert REFUSED not in response.content.decode()


def test_an_unconfirmed_device_does_not_count(client, staff):
    account = staff[StaffRole.AUDITOR]
    TOTPDevice.objects.filter(pk=account.device.pk).update(confirmed=False)
    response = _post(client, username="auditor", token=totp_now(account.device.key))
    _assert_refused(response, "auditor", "您的账号尚未绑定动态口令，请联系管理员")


def test_empty_fields_are_named_without_an_audit_entry(client, staff):
    response = _post(client, username="auditor", token="")
    assert response.status_code == 400
    assert "请填写用户名、密码和动态口令" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_repeated_wrong_codes_are_throttled(client, staff, monkeypatch):
    """django-otp doubles the wait after each failure (1 s, 2 s, 4 s...): with its clock frozen, the
    right code right after wrong ones is refused with its own message, and the failure audited."""
    frozen = timezone.now()
    monkeypatch.setattr("django_otp.models.timezone.now", lambda: frozen)
    account = staff[StaffRole.FIRST_REVIEWER]
    code = next_code(account)
    first = _post(client, username="first_reviewer", token=_wrong(code))
    assert first.status_code == 400
    assert REFUSED in first.content.decode()

    response = _post(client, username="first_reviewer", token=code)
    assert response.status_code == 400
    assert "动态口令错误次数过多，请稍后再试" in response.content.decode()
    assert SESSION_KEY not in client.session
    reasons = [entry.summary for entry in _entries(AuditAction.STAFF_LOGIN_FAILED)]
    assert len(reasons) == 2
    assert "动态口令错误" in reasons[0]
    assert "动态口令错误次数过多" in reasons[1]

    # Once the wait is over the right code is accepted again.
    monkeypatch.setattr("django_otp.models.timezone.now", lambda: frozen + dt.timedelta(seconds=2))
    assert _post(client, username="first_reviewer", token=code)["Location"] == "/backoffice/queue/"


def test_a_code_is_accepted_only_once(client, staff):
    account = staff[StaffRole.FINANCE]
    code = next_code(account)
    assert _post(client, username="finance", token=code).status_code == 302
    other = type(client)()
    _assert_refused(_post(other, username="finance", token=code), "finance", logins=1)


def test_logout_records_the_exit_and_ends_the_session(client, staff, sign_in):
    account = staff[StaffRole.FINANCE]
    sign_in(client, account)
    assert client.get("/backoffice/payouts/").status_code == 200
    response = client.post("/backoffice/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/login/?reason=signed_out"
    assert SESSION_KEY not in client.session
    [entry] = _entries(AuditAction.STAFF_LOGOUT)
    assert entry.actor_id == account.user.pk
    assert entry.ip == "127.0.0.1"
    assert client.get("/backoffice/payouts/")["Location"].startswith("/backoffice/login/")
    assert "您已安全退出" in client.get(response["Location"]).content.decode()


def test_logout_by_get_is_not_allowed(client, staff, sign_in):
    sign_in(client, staff[StaffRole.FINANCE])
    assert client.get("/backoffice/logout/").status_code == 405
    assert client.get("/backoffice/payouts/").status_code == 200
    assert not _entries(AuditAction.STAFF_LOGOUT)


def test_logout_without_a_session_records_nothing(client):
    assert client.post("/backoffice/logout/").status_code == 302
    assert not AuditEntry.objects.exists()


def test_next_within_the_back_office_is_honoured(client, staff, sign_in):
    assert (
        sign_in(client, staff[StaffRole.AUDITOR], next_path="/backoffice/dashboard/")
        == "/backoffice/dashboard/"
    )


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/backoffice/",
        "//evil.example/backoffice/",
        "http://testserver/hall/home/",
        "/hall/home/",
        "javascript:alert(1)",
    ],
)
def test_next_outside_the_back_office_is_ignored(next_path, client, staff, sign_in):
    assert sign_in(client, staff[StaffRole.AUDITOR], next_path=next_path) == "/backoffice/audit/"


def test_the_login_form_carries_next_through(client):
    page = client.get(LOGIN, {"next": "/backoffice/audit/"}).content.decode()
    assert 'name="next" value="/backoffice/audit/"' in page
    page = client.get(LOGIN, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in page


def test_next_cannot_climb_out_of_the_back_office(client, staff, sign_in):
    landed = sign_in(client, staff[StaffRole.AUDITOR], next_path="/backoffice/../hall/home/")
    assert landed == "/backoffice/audit/"
