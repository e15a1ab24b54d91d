"""门户网站首页: the centre's name, the way into the 个人网厅, QR codes for the APP and the WeChat
official account, and 通知公告."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gjj.portal.links import WECHAT_ACCOUNT_NAME, wechat_follow_url
from gjj.portal.notices import NOTICES
from gjj.portal.qr import qr_svg


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
