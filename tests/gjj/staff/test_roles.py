"""Roles are Django groups named by their Chinese label; only active staff accounts have any."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from gjj.staff.roles import (
    StaffRole,
    group_name,
    role_from_text,
    roles_label,
    user_has_role,
    user_roles,
)
from gjj.staff.services import role_group

pytestmark = pytest.mark.django_db


def _user(*groups: str, is_staff: bool = True, is_active: bool = True):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(
        username=f"u{get_user_model().objects.count()}", is_staff=is_staff, is_active=is_active
    )
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return get_user_model().objects.get(pk=user.pk)


def test_roles_come_from_the_groups_named_by_label():
    user = _user("初审", "财务", "某个别的组")
    assert user_roles(user) == {StaffRole.FIRST_REVIEWER, StaffRole.FINANCE}
    assert user_has_role(user, StaffRole.FINANCE)
    assert user_has_role(user, StaffRole.AUDITOR, StaffRole.FIRST_REVIEWER)
    assert not user_has_role(user, StaffRole.AUDITOR, StaffRole.ADMIN)


def test_a_group_named_by_the_value_is_not_a_role():
    assert user_roles(_user("first_reviewer", "admin")) == frozenset()


def test_the_migration_created_a_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {"初审", "复审", "财务", "审计", "管理员"}
    assert role_group(StaffRole.AUDITOR).name == group_name(StaffRole.AUDITOR) == "审计"


def test_role_group_recreates_a_group_removed_by_a_flush():
    Group.objects.filter(name="复审").delete()
    group = role_group(StaffRole.SECOND_REVIEWER)
    assert group.name == "复审"
    assert Group.objects.filter(name="复审").count() == 1


def test_an_inactive_account_has_no_roles():
    assert user_roles(_user("管理员", is_active=False)) == frozenset()


def test_an_account_that_is_not_staff_has_no_roles():
    """A member's account (never is_staff) has none, even if someone put it in a role's group."""
    user = _user("审计", is_staff=False)
    assert user_roles(user) == frozenset()
    assert not user_has_role(user, StaffRole.AUDITOR)


def test_anonymous_and_none_have_no_roles():
    assert user_roles(AnonymousUser()) == frozenset()
    assert user_roles(None) == frozenset()


def test_roles_are_read_once_per_user_object(django_assert_num_queries):
    user = _user("复审")
    with django_assert_num_queries(1):
        assert user_roles(user) == {StaffRole.SECOND_REVIEWER}
        assert user_roles(user) == {StaffRole.SECOND_REVIEWER}
    # A role granted later shows on the next request, which loads the user again.
    user.groups.add(role_group(StaffRole.FINANCE))
    fresh = get_user_model().objects.get(pk=user.pk)
    assert user_roles(fresh) == {StaffRole.SECOND_REVIEWER, StaffRole.FINANCE}


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("first_reviewer", StaffRole.FIRST_REVIEWER),
        ("初审", StaffRole.FIRST_REVIEWER),
        (" 复审 ", StaffRole.SECOND_REVIEWER),
        ("finance", StaffRole.FINANCE),
        ("审计", StaffRole.AUDITOR),
        ("管理员", StaffRole.ADMIN),
        ("admin\n", StaffRole.ADMIN),
    ],
)
def test_role_from_text_takes_the_value_or_the_label(text, role):
    assert role_from_text(text) is role


@pytest.mark.parametrize("text", ["", "出纳", "Admin", "初审,复审"])
def test_role_from_text_names_the_unknown_role_and_the_choices(text):
    with pytest.raises(ValueError) as refused:
        role_from_text(text)
    message = str(refused.value)
    assert f"没有“{text.strip()}”这个岗位" in message
    assert "初审（first_reviewer）" in message
    assert "管理员（admin）" in message


def test_roles_label_lists_in_the_order_of_the_roles():
    assert roles_label({StaffRole.ADMIN, StaffRole.FIRST_REVIEWER}) == "初审、管理员"
    assert roles_label(frozenset()) == "无岗位"
