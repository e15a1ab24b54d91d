"""Who may open which back-office page. Every view is wrapped in ``staff_view(roles)``: anonymous
visitors, members and staff without the second factor go to the staff login; staff without one of
the roles get 403 with their role named."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from gjj.staff.roles import StaffRole, roles_label, user_roles

ALL_ROLES = frozenset(StaffRole)
REVIEWERS = frozenset({StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER})
CASE_READERS = REVIEWERS | {StaffRole.AUDITOR}
FINANCE = frozenset({StaffRole.FINANCE})
FINANCE_READERS = FINANCE | {StaffRole.AUDITOR}
AUDITORS = frozenset({StaffRole.AUDITOR})


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member of a request that passed ``staff_view``."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise PermissionError("not a signed-in staff member")
    return user  # type: ignore[return-value]


def is_staff_signed_in(request: HttpRequest) -> bool:
    """A staff account past both factors (django-otp's verified session)."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    return bool(user_roles(user)) and callable(verified) and bool(verified())


def login_redirect(request: HttpRequest, *, reason: str = "") -> HttpResponseRedirect:
    query = {"next": request.get_full_path()} if request.method == "GET" else {}
    if reason:
        query["reason"] = reason
    url = reverse("backoffice:login")
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


def staff_view(
    roles: Iterable[StaffRole],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_staff_signed_in(request):
                return login_redirect(request)
            mine = user_roles(request.user)
            if not mine & allowed:
                return render(
                    request,
                    "backoffice/forbidden.html",
                    {"my_roles": roles_label(mine), "needed": roles_label(allowed)},
                    status=403,
                )
            return view(request, *args, **kwargs)

        wrapper.staff_roles = allowed  # type: ignore[attr-defined]
        # Case screens, payouts and the audit log carry personal data: no cache may keep them.
        return never_cache(wrapper)

    return decorate
