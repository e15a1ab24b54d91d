"""门户网站首页: the centre's name, the way into the 个人网厅, QR codes for the APP and the WeChat
official account, and 通知公告."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gjj.portal.notices import NOTICES
from gjj.portal.qr import qr_svg

APP_DOWNLOAD_PATH = "/app/"  # the APP's download page (served by the hall; a later issue fills it)
WECHAT_H5_PATH = "/m/"  # the H5 home the official account 辽宁省直公积金 opens
WECHAT_ACCOUNT_NAME = "辽宁省直公积金"


def home(request: HttpRequest) -> HttpResponse:
    app_url = request.build_absolute_uri(APP_DOWNLOAD_PATH)
    wechat_url = request.build_absolute_uri(WECHAT_H5_PATH)
    return render(
        request,
        "portal/home.html",
        {
            "notices": NOTICES,
            "app_qr": qr_svg(app_url, label="手机APP下载二维码"),
            "wechat_qr": qr_svg(wechat_url, label=f"微信公众号“{WECHAT_ACCOUNT_NAME}”二维码"),
            "wechat_account_name": WECHAT_ACCOUNT_NAME,
        },
    )
