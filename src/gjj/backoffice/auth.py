"""Staff sign-in: password and TOTP code in one step, and sign-out. Every attempt is audited; a
failure never says which factor was wrong."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login

from gjj.audit.models import AuditAction, AuditEntry
from gjj.audit.services import audit_record
from gjj.core.origin import origin_of
from gjj.staff.roles import roles_label, user_roles
from gjj.staff.services import staff_totp_device

REFUSED = "用户名、密码或动态口令不正确"


class StaffLoginRefused(Exception):
    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message)
        self.message = message


def _refuse(request: HttpRequest, *, username: str, why: str, message: str = REFUSED) -> StaffLoginRefused:
    origin = origin_of(request)
    audit_record(
        action=AuditAction.STAFF_LOGIN_FAILED,
        summary=f"工作人员登录失败：{username[:60]}（{why}）",
        actor_label=username[:60] or "（未填写用户名）",
        target_type="staff",
        target_id=username[:64],
        ip=origin.ip,
        user_agent=origin.user_agent,
    )
    return StaffLoginRefused(message)


def _recent_failures(username: str) -> int:
    """Failed sign-ins of this user name within the lockout window since its last success (the audit
    log is the record, so a lockout survives restarts and holds across every hall process)."""
    since = timezone.now() - dt.timedelta(seconds=settings.GJJ_STAFF_LOCKOUT_SECONDS)
    last_success = (
        AuditEntry.objects.filter(action=AuditAction.STAFF_LOGIN, target_id=username, at__gte=since)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    failures = AuditEntry.objects.filter(
        action=AuditAction.STAFF_LOGIN_FAILED, target_id=username[:64], at__gte=last_success or since
    )
    return failures.count()


def staff_login(*, request: HttpRequest, username: str, password: str, token: str) -> AbstractBaseUser:
    username, token = username.strip(), "".join(token.split())
    if not username or not password or not token:
        raise StaffLoginRefused("请填写用户名、密码和动态口令")
    if _recent_failures(username) >= settings.GJJ_STAFF_LOCKOUT_FAILURES:
        minutes = settings.GJJ_STAFF_LOCKOUT_SECONDS // 60
        raise _refuse(
            request,
            username=username,
            why="连续失败次数过多，已锁定",
            message=f"登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试或联系管理员",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise _refuse(request, username=username, why="用户名或密码错误")
    if not user_roles(user):
        raise _refuse(request, username=username, why="不是在岗工作人员")
    device = staff_totp_device(user=user)  # type: ignore[arg-type]
    if device is None:
        raise _refuse(
            request, username=username, why="未绑定动态口令", message="您的账号尚未绑定动态口令，请联系管理员"
        )
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise _refuse(
            request,
            username=username,
            why="动态口令错误次数过多",
            message="动态口令错误次数过多，请稍后再试",
        )
    if not device.verify_token(token):
        raise _refuse(request, username=username, why="动态口令错误")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    origin = origin_of(request)
    audit_record(
        action=AuditAction.STAFF_LOGIN,
        summary=f"工作人员登录（{roles_label(user_roles(user))}）",
        actor=user,
        target_type="staff",
        target_id=user.get_username(),
        ip=origin.ip,
        user_agent=origin.user_agent,
    )
    return user


def staff_logout(*, request: HttpRequest, expired: bool = False) -> None:
    user = request.user
    if user.is_authenticated:
        origin = origin_of(request)
        audit_record(
            action=AuditAction.STAFF_SESSION_EXPIRED if expired else AuditAction.STAFF_LOGOUT,
            summary="超过 15 分钟未操作，自动退出" if expired else "工作人员退出",
            actor=user,
            target_type="staff",
            target_id=user.get_username(),
            ip=origin.ip,
            user_agent=origin.user_agent,
        )
    logout(request)
