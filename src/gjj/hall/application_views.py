"""我的业务 and 账户查询."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gjj.identity.decorators import member_required


@member_required
def application_list(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/application_list.html", {"hall_nav": "applications"})


@member_required
def account_query(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/account.html", {"hall_nav": "account"})
