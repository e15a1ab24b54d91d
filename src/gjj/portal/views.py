"""门户网站首页: the centre's name, the way into the 个人网厅, QR codes for the APP and the WeChat
official account, and 通知公告; 核验回执 for whoever holds a receipt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from gjj.portal.links import WECHAT_ACCOUNT_NAME, wechat_follow_url
from gjj.portal.notices import NOTICES
from gjj.portal.qr import qr_svg
from gjj.withdrawals.receipt_verification import (
    receipt_verify_clean,
    receipt_verify_input_problem,
    verified_receipt,
)


def home(request: HttpRequest) -> HttpResponse:
    app_url = request.build_absolute_uri(reverse("app_install"))
    return render(
        request,
        "portal/home.html",
        {
            "notices": NOTICES,
            "app_qr": qr_svg(app_url, label="手机APP下载二维码"),
            "wechat_qr": qr_svg(wechat_follow_url(), label=f"微信公众号“{WECHAT_ACCOUNT_NAME}”二维码"),
            "wechat_account_name": WECHAT_ACCOUNT_NAME,
        },
    )


@require_GET
def receipt_verify(request: HttpRequest) -> HttpResponse:
    """核验回执: the business number and the code, typed in or from the receipt's QR code."""
    business_no = receipt_verify_clean(request.GET.get("no"))[:40]
    code = receipt_verify_clean(request.GET.get("code"))[:40]
    asked = "no" in request.GET or "code" in request.GET
    problem = receipt_verify_input_problem(business_no, code) if asked else None
    verified = verified_receipt(business_no=business_no, code=code) if asked and not problem else None
    return render(
        request,
        "portal/receipt_verify.html",
        {"business_no": business_no, "code": code, "asked": asked, "problem": problem, "verified": verified},
        status=400 if problem else 200,
    )
