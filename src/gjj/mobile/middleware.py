"""Links from the official account arrive as ``/m/<page>?wx=<token>``: the token is kept in the
session (the member is then offered the binding after logging in, or at once when already logged
in), and the member lands on the same page without the token in its address, so that it is neither
in the history nor sent on as a referrer."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from gjj.identity.selectors import member_for_request
from gjj.wechat.services import wechat_binding_pending, wechat_link_token_remember

# The H5 remembers that the member came through WeChat (the channel of what they submit).
WECHAT_SESSION_KEY = "mobile_via_wechat"


class WechatLinkMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or "wx" not in request.GET or not request.path.startswith("/m/"):
            return self.get_response(request)
        wechat_link_token_remember(request)
        request.session[WECHAT_SESSION_KEY] = True
        query = request.GET.copy()
        query.pop("wx")
        clean = f"{request.path}?{query.urlencode()}" if query else request.path
        member = member_for_request(request)
        if member is not None and wechat_binding_pending(request, member.person) is not None:
            return redirect(f"{reverse('mobile:wechat_bind')}?{urlencode({'next': clean})}")
        return redirect(clean)
