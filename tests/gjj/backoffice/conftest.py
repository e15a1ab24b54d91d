"""Shared fixtures of the back-office tests: one staff account per role, a helper that signs a staff
member in through the real login form (password and TOTP code), and a member's session.

Signing the same account in more than once within one test: django-otp's ``TOTPDevice.verify_token``
only accepts a code whose time step is after the last accepted one (``totp.verify(token, tolerance,
self.last_t + 1)``), and it looks within ``device.tolerance`` steps (1 by default) around the current
step plus the device's ``drift`` (re-synchronised to the step of each accepted code, OTP_TOTP_SYNC). So
the second sign-in inside the same 30 s must present the *next* step's code
(``totp_now(key, offset_steps=1)``); ``staff_sign_in`` works the offset out from the device's
``last_t`` and fails loudly should it fall outside the window instead of silently being refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gjj.identity.models import MemberLogin
from gjj.members.models import Employer, Person
from gjj.staff.roles import StaffRole
from gjj.staff.services import StaffAccount, staff_create, totp_now
from tests.gjj.identity.fixtures import person_with_account

STAFF_PASSWORD = "Staff-Pass-2026!"
LOGIN_URL = "/backoffice/login/"

STAFF_NAMES: dict[str, tuple[StaffRole, str]] = {
    "first_reviewer": (StaffRole.FIRST_REVIEWER, "张初审"),
    "second_reviewer": (StaffRole.SECOND_REVIEWER, "李复审"),
    "finance": (StaffRole.FINANCE, "王财务"),
    "auditor": (StaffRole.AUDITOR, "赵审计"),
    "admin": (StaffRole.ADMIN, "陈管理"),
    "first_reviewer_2": (StaffRole.FIRST_REVIEWER, "刘初审"),
}


@pytest.fixture
def staff(db) -> dict[StaffRole | str, StaffAccount]:
    """One account per StaffRole, keyed by the role (StaffRole is a str enum, so ``staff["finance"]``
    works too), plus ``"first_reviewer_2"``: a second 初审 (for four-eyes and claim tests)."""
    accounts: dict[StaffRole | str, StaffAccount] = {}
    for username, (role, full_name) in STAFF_NAMES.items():
        account = staff_create(username=username, full_name=full_name, roles=[role], password=STAFF_PASSWORD)
        accounts[role if username == role.value else username] = account
    return accounts


def next_code(account: StaffAccount) -> str:
    """A code the device accepts now: the current step's, or a later one when this device already took
    the current step's code (see the module docstring)."""
    device = account.device
    device.refresh_from_db()
    now_step = int(time.time()) // device.step
    offset = max(device.drift - device.tolerance, device.last_t + 1 - now_step, 0)
    assert offset <= device.drift + device.tolerance, (
        f"{account.user.username} signed in too often within one 30 s step for the TOTP window"
    )
    return totp_now(device.key, offset_steps=offset)


def staff_sign_in(client: Client, account: StaffAccount, *, next_path: str | None = None) -> str:
    """Signs in through the login form; asserts the 302 away from the login page; returns its target."""
    data = {"username": account.user.username, "password": STAFF_PASSWORD, "token": next_code(account)}
    if next_path is not None:
        data["next"] = next_path
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    location = response["Location"]
    assert not location.startswith(LOGIN_URL), location
    return location


@pytest.fixture
def sign_in() -> Callable[..., str]:
    """``sign_in(client, account, next_path=None)``: see ``staff_sign_in``."""
    return staff_sign_in


@pytest.fixture
def signed_in(staff) -> Callable[[StaffRole | str], Client]:
    """``signed_in(role_or_key)``: a fresh client signed in as that staff account."""

    def make(key: StaffRole | str) -> Client:
        client = Client()
        staff_sign_in(client, staff[key])
        return client

    return make


@pytest.fixture
def member(db) -> Person:
    """张伟, a member with a fund account of 100,000.00 元 (so the hall's pages open for him)."""
    return person_with_account(
        id_number="210102198803120158",
        name="张伟",
        phone="13804001001",
        account_no="2101000012345",
        employer=Employer.objects.create(code="E0001", name="辽宁省测试单位"),
        balance_fen=10_000_000,
    )


@pytest.fixture
def member_client(member) -> Client:
    """A member's session as the OIDC login leaves it (the same fake as tests/gjj/hall/)."""
    user = get_user_model().objects.create_user(username=f"member-{member.pk}", first_name=member.name)
    MemberLogin.objects.create(
        user=user, person=member, issuer="http://sso.test/o", subject=f"sub-{member.pk}"
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
