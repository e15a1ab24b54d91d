"""staff_create: validation in Chinese, roles, the 管理员 alone a superuser, one confirmed TOTP device."""

from __future__ import annotations

import base64
import binascii
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from gjj.staff.roles import StaffRole, user_roles
from gjj.staff.services import (
    TOTP_DEVICE_NAME,
    StaffError,
    base32_secret,
    staff_create,
    staff_role_grant,
    staff_totp_device,
    totp_now,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Staff-Pass-2026!"
KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key, "12345678901234567890"


def _create(**overrides):  # type: ignore[no-untyped-def]
    arguments = {
        "username": "chushen",
        "full_name": "张初审",
        "roles": [StaffRole.FIRST_REVIEWER],
        "password": PASSWORD,
    }
    return staff_create(**{**arguments, **overrides})


def _refusal(**overrides) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(StaffError) as refused:
        _create(**overrides)
    return refused.value.message


def test_a_reviewer_is_staff_but_not_superuser():
    account = _create(username="  chushen  ", full_name=" 张初审 ")
    user = get_user_model().objects.get(pk=account.user.pk)
    assert user.username == "chushen"
    assert user.first_name == "张初审"
    assert user.is_staff and user.is_active
    assert not user.is_superuser
    assert user.check_password(PASSWORD)
    assert user_roles(user) == {StaffRole.FIRST_REVIEWER}


@pytest.mark.parametrize("role", [r for r in StaffRole if r is not StaffRole.ADMIN])
def test_only_the_administrator_is_superuser(role):
    assert not _create(roles=[role]).user.is_superuser


def test_the_administrator_is_superuser():
    account = _create(username="guanli", roles=[StaffRole.AUDITOR, StaffRole.ADMIN])
    user = get_user_model().objects.get(pk=account.user.pk)
    assert user.is_superuser and user.is_staff
    assert user_roles(user) == {StaffRole.AUDITOR, StaffRole.ADMIN}


def test_repeated_roles_count_once():
    account = _create(roles=[StaffRole.FINANCE, StaffRole.FINANCE])
    assert list(account.user.groups.values_list("name", flat=True)) == ["财务"]


def test_the_account_gets_one_confirmed_device_with_a_fresh_key():
    first, second = _create(), _create(username="chushen2")
    device = staff_totp_device(user=first.user)
    assert device == first.device
    assert device is not None and device.confirmed and device.name == TOTP_DEVICE_NAME
    assert len(binascii.unhexlify(device.key)) >= 20
    assert first.device.key != second.device.key
    assert TOTPDevice.objects.filter(user=first.user).count() == 1


def test_a_given_key_is_kept_lowercase_and_shown_in_base32():
    account = _create(totp_key_hex=KEY.upper())
    assert account.device.key == KEY
    assert account.totp_secret_base32 == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert base64.b32decode(base32_secret(KEY)) == b"12345678901234567890"
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in account.totp_uri
    assert account.totp_uri.startswith("otpauth://totp/")


def test_staff_totp_device_ignores_unconfirmed_devices():
    account = _create()
    TOTPDevice.objects.filter(pk=account.device.pk).update(confirmed=False)
    assert staff_totp_device(user=account.user) is None


def test_staff_role_grant_adds_a_role():
    account = _create()
    staff_role_grant(user=account.user, role=StaffRole.SECOND_REVIEWER)
    staff_role_grant(user=account.user, role=StaffRole.SECOND_REVIEWER)
    user = get_user_model().objects.get(pk=account.user.pk)
    assert user_roles(user) == {StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER}


@pytest.fixture
def frozen_totp_clock(monkeypatch):
    """Both totp_now and the device read time.time() through django_otp's modules: freeze those."""

    def freeze(at: float) -> None:
        monkeypatch.setattr("django_otp.oath.time", lambda: at)  # `from time import time` there
        monkeypatch.setattr("django_otp.plugins.otp_totp.models.time", SimpleNamespace(time=lambda: at))

    return freeze


@pytest.mark.parametrize(("at", "code"), [(59, "287082"), (1111111109, "081804"), (1234567890, "005924")])
def test_totp_now_follows_rfc_6238(at, code, frozen_totp_clock):
    frozen_totp_clock(at)
    assert totp_now(KEY) == code


def test_totp_now_with_an_offset_is_the_code_of_a_later_step(frozen_totp_clock):
    frozen_totp_clock(1111111109 - 30)
    assert totp_now(KEY, offset_steps=1) == "081804"


def test_the_device_accepts_totp_now_once_and_the_next_step_after_it(frozen_totp_clock):
    frozen_totp_clock(1111111109)
    device = _create(totp_key_hex=KEY).device
    assert device.verify_token(totp_now(KEY))
    assert not device.verify_token(totp_now(KEY))  # the same step twice: refused
    device.throttle_reset()
    assert device.verify_token(totp_now(KEY, offset_steps=1))  # within the tolerance of one step
    device.throttle_reset()
    assert not device.verify_token(totp_now(KEY, offset_steps=-1))  # older than the last one used


def test_duplicate_username_is_refused():
    _create()
    assert _refusal(full_name="另一人") == "用户名“chushen”已被使用"
    assert get_user_model().objects.filter(username="chushen").count() == 1


def test_no_role_is_refused():
    assert _refusal(roles=[]) == "请至少指定一个岗位"


def test_empty_username_and_name_are_refused():
    assert _refusal(username="  ") == "请填写用户名"
    assert _refusal(full_name=" ") == "请填写姓名"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("not-hex-at-all", "动态口令密钥须为十六进制字符串"),
        ("abc", "动态口令密钥须为十六进制字符串"),
        ("00112233445566778899"[:18], "动态口令密钥至少 10 字节（20 个十六进制字符）"),
    ],
)
def test_a_bad_key_is_refused_and_nothing_is_left_behind(key, message):
    assert _refusal(totp_key_hex=key) == message
    assert not get_user_model().objects.filter(username="chushen").exists()
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("password", ["", "1", "12345678", "password", "chushen1"])
def test_a_weak_password_is_refused(password):
    assert _refusal(password=password).startswith("密码不符合要求：")
    assert not get_user_model().objects.filter(username="chushen").exists()
