from __future__ import annotations

from django.http import HttpRequest

from gjj.backoffice.access import is_staff_signed_in
from gjj.staff.roles import StaffRole, roles_label, user_roles


def backoffice_chrome(request: HttpRequest) -> dict[str, object]:
    """The staff member's name, roles and the navigation their roles open (back office only)."""
    if not request.path.startswith("/backoffice/") or not is_staff_signed_in(request):
        return {}
    roles = user_roles(request.user)
    nav = []
    if roles & {StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER}:
        nav.append(("backoffice:queue", "审核队列"))
    if roles & {StaffRole.FINANCE, StaffRole.AUDITOR}:
        nav += [("backoffice:payouts", "支付管理"), ("backoffice:reconciliation", "银行对账")]
    if StaffRole.AUDITOR in roles:
        nav.append(("backoffice:audit", "审计日志"))
    nav.append(("backoffice:dashboard", "业务看板"))
    if StaffRole.ADMIN in roles:
        nav.append(("admin:index", "系统管理"))
    user = request.user
    return {
        "staff_name": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
        "staff_roles": roles_label(roles),
        "staff_nav": nav,
    }
