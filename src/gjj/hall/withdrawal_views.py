"""【提取】: the withdrawal kinds and the 购买商品住房提取 flow."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gjj.identity.decorators import member_required


@member_required
def withdrawal_kinds(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/withdrawal_kinds.html", {"hall_nav": "withdrawals"})
