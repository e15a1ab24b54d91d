"""财务: payouts by state with the bank's answers, and 重新驱动 of a stuck one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gjj.backoffice.access import FINANCE, FINANCE_READERS, staff_user, staff_view
from gjj.backoffice.selectors import NEEDS_MANUAL, payout_counts, payouts_list, payouts_needing_manual_count
from gjj.core.origin import origin_of
from gjj.staff.roles import StaffRole, user_has_role
from gjj.withdrawals.models import OPEN_PAYOUT_STATES, Payout, PayoutState
from gjj.withdrawals.payouts import PayoutNotOpen, payout_redrive

PAGE_SIZE = 50


@staff_view(FINANCE_READERS)
def payouts(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    if state not in ("", "open", NEEDS_MANUAL, *PayoutState.values):
        state = "open"
    text = request.GET.get("q", "")[:40]
    page = Paginator(payouts_list(state=state, text=text), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = payout_counts()
    return render(
        request,
        "backoffice/payouts.html",
        {
            "page": page,
            "state": state,
            "q": text,
            "counts": counts,
            "open_count": sum(counts[s] for s in OPEN_PAYOUT_STATES),
            "manual_count": payouts_needing_manual_count(),
            "states": [(s.value, s.label) for s in PayoutState],
            "open_states": [s.value for s in OPEN_PAYOUT_STATES],
            "can_redrive": user_has_role(request.user, StaffRole.FINANCE),
        },
    )


@require_POST
@staff_view(FINANCE)
def redrive(request: HttpRequest, serial: str) -> HttpResponse:
    payout = Payout.objects.filter(serial=serial).first()
    if payout is None:
        raise Http404("没有这笔支付")
    try:
        after = payout_redrive(payout=payout, operator=staff_user(request), origin=origin_of(request))
    except PayoutNotOpen as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"支付 {serial}：{after.get_state_display()}"
            + (f"（{after.bank_message}）" if after.bank_message else ""),
        )
    back = str(request.POST.get("back", ""))
    return redirect(back if back.startswith("/backoffice/") else "backoffice:payouts")
