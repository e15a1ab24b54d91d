"""Staff accounts: created by the 管理员 (here, or in the admin), each with roles and one TOTP device
for the second factor. Members never get such an account: theirs come from the SSO."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from gjj.staff.roles import StaffRole, group_name

TOTP_DEVICE_NAME = "动态口令"


class StaffError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StaffAccount:
    user: AbstractUser
    device: TOTPDevice

    @property
    def totp_secret_base32(self) -> str:
        """The secret as authenticator apps take it."""
        return base32_secret(self.device.key)

    @property
    def totp_uri(self) -> str:
        return str(self.device.config_url)


def base32_secret(key_hex: str) -> str:
    return base64.b32encode(binascii.unhexlify(key_hex)).decode("ascii").rstrip("=")


def totp_now(key_hex: str, *, offset_steps: int = 0) -> str:
    """The current code of a key (for the demo's command and for tests)."""
    totp = TOTP(binascii.unhexlify(key_hex), step=30, t0=0, digits=6, drift=offset_steps)
    return f"{totp.token():06d}"


def role_group(role: StaffRole) -> Group:
    """The role's group (created by a migration; created again here should a flush have removed it)."""
    group, _ = Group.objects.get_or_create(name=group_name(role))
    return group


def staff_role_grant(*, user: AbstractUser, role: StaffRole) -> None:
    user.groups.add(role_group(role))


def _valid_key(key_hex: str) -> str:
    try:
        raw = binascii.unhexlify(key_hex)
    except (binascii.Error, ValueError) as exc:
        raise StaffError("动态口令密钥须为十六进制字符串") from exc
    if len(raw) < 10:
        raise StaffError("动态口令密钥至少 10 字节（20 个十六进制字符）")
    return key_hex.lower()


@transaction.atomic
def staff_create(
    *,
    username: str,
    full_name: str,
    roles: Iterable[StaffRole],
    password: str,
    totp_key_hex: str | None = None,
) -> StaffAccount:
    """A new staff account with its roles and a confirmed TOTP device. 管理员 accounts may use the
    admin site (superuser there); no role can review or pay by being a superuser."""
    username = username.strip()
    roles = list(dict.fromkeys(roles))
    if not username:
        raise StaffError("请填写用户名")
    if not full_name.strip():
        raise StaffError("请填写姓名")
    if not roles:
        raise StaffError("请至少指定一个岗位")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise StaffError(f"用户名“{username}”已被使用")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise StaffError("密码不符合要求：" + "；".join(exc.messages)) from exc
    is_admin = StaffRole.ADMIN in roles
    user = user_model.objects.create_user(
        username=username,
        password=password,
        first_name=full_name.strip()[:150],
        is_staff=True,
        is_superuser=is_admin,
    )
    user.groups.set([role_group(role) for role in roles])
    device = TOTPDevice.objects.create(
        user=user,
        name=TOTP_DEVICE_NAME,
        confirmed=True,
        key=_valid_key(totp_key_hex) if totp_key_hex else default_key(),
    )
    return StaffAccount(user=user, device=device)


def staff_totp_device(*, user: AbstractUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
