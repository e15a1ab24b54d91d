"""Django's admin, for the 管理员 only (staff accounts, roles, TOTP devices; read-only audit log),
behind the same two factors as the back office. Reviewers and 财务 never use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from gjj.backoffice.access import is_staff_signed_in
from gjj.staff.roles import StaffRole, roles_label, user_has_role, user_roles


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/forbidden.html",
        {"my_roles": roles_label(user_roles(request.user)), "needed": StaffRole.ADMIN.label},
        status=403,
    )


class StaffAdminSite(admin.AdminSite):
    site_header = "公积金网上服务大厅 · 系统管理"
    site_title = "系统管理"
    index_title = "管理员"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        # Staff accounts are deactivated, never deleted in bulk: the audit log refers to them, and
        # every change here is audited one object at a time.
        self.disable_action("delete_selected")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_staff_signed_in(request) and user_has_role(request.user, StaffRole.ADMIN)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:  # type: ignore[override]
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if is_staff_signed_in(request) and not user_has_role(request.user, StaffRole.ADMIN):
                return _forbidden(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:  # type: ignore[override]
        # One sign-in for staff: the back office's, with its second factor.
        if is_staff_signed_in(request):
            return _forbidden(request)
        return HttpResponseRedirect(reverse("backoffice:login"))
