"""The centre's back-office roles (岗位). A role is a Django group named by its Chinese label, so
that the 管理员 assigns roles in the admin; code asks only through these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class StaffRole(models.TextChoices):
    FIRST_REVIEWER = "first_reviewer", "初审"
    SECOND_REVIEWER = "second_reviewer", "复审"
    FINANCE = "finance", "财务"
    AUDITOR = "auditor", "审计"
    ADMIN = "admin", "管理员"


REVIEWER_ROLES = frozenset({StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER})
_BY_GROUP_NAME = {str(role.label): role for role in StaffRole}
_CACHE_ATTRIBUTE = "_gjj_staff_roles"


def group_name(role: StaffRole) -> str:
    return str(role.label)


def user_roles(user: AbstractBaseUser | AnonymousUser | Any) -> frozenset[StaffRole]:
    """The roles of an active staff account; a member's account (never is_staff) has none."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not (user.is_active and getattr(user, "is_staff", False)):
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)  # type: ignore[union-attr]
        cached = frozenset(_BY_GROUP_NAME[name] for name in names if name in _BY_GROUP_NAME)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def user_has_role(user: Any, *roles: StaffRole) -> bool:
    return bool(user_roles(user) & set(roles))


def roles_label(roles: frozenset[StaffRole] | set[StaffRole]) -> str:
    return "、".join(str(role.label) for role in StaffRole if role in roles) or "无岗位"


def role_from_text(text: str) -> StaffRole:
    """A role by its value (first_reviewer) or its label (初审)."""
    text = text.strip()
    for role in StaffRole:
        if text in (role.value, role.label):
            return role
    known = "、".join(f"{role.label}（{role.value}）" for role in StaffRole)
    raise ValueError(f"没有“{text}”这个岗位，可选：{known}")
