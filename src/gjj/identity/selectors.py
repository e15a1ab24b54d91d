"""Reads for member logins."""

from __future__ import annotations

from django.http import HttpRequest

from gjj.identity.models import MemberLogin
from gjj.members.models import Person


def person_with_fund_account(*, id_number: str) -> Person | None:
    """The 缴存职工 with this ID number, if they have a fund account at this centre."""
    return Person.objects.select_related("account").filter(id_number=id_number, account__isnull=False).first()


def member_login_for_user(*, user_id: int) -> MemberLogin | None:
    """The member behind an active, non-staff user; None for staff and anyone else."""
    return (
        MemberLogin.objects.select_related("user", "person", "person__account")
        .filter(
            user_id=user_id,
            user__is_active=True,
            user__is_staff=False,
            user__is_superuser=False,
        )
        .first()
    )


# The member login, kept on the request (read once per request) and on the user by the member
# backend's get_user, which has just read it.
MEMBER_LOGIN_ATTRIBUTE = "_gjj_member_login"


def member_for_request(request: HttpRequest) -> MemberLogin | None:
    """The logged-in member of this request, read once per request (views, the page chrome and
    the access decorator all ask)."""
    if not hasattr(request, MEMBER_LOGIN_ATTRIBUTE):
        user = getattr(request, "user", None)
        member = None
        if user is not None and user.is_authenticated:
            member = getattr(user, MEMBER_LOGIN_ATTRIBUTE, None) or member_login_for_user(user_id=user.pk)
        setattr(request, MEMBER_LOGIN_ATTRIBUTE, member)
    cached: MemberLogin | None = getattr(request, MEMBER_LOGIN_ATTRIBUTE)
    return cached
