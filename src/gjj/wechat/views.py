"""``/wechat/callback/``: the URL the WeChat platform calls (URL verification and messages)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gjj.wechat.callback import (
    MalformedMessage,
    handle_message,
    parse_message,
    signature_valid,
    timestamp_fresh,
)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest) -> HttpResponse:
    signature = request.GET.get("signature", "")
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    if not signature_valid(signature=signature, timestamp=timestamp, nonce=nonce):
        return HttpResponseForbidden("invalid signature", content_type="text/plain; charset=utf-8")
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain; charset=utf-8")
    if not timestamp_fresh(timestamp):
        return HttpResponseForbidden("stale timestamp", content_type="text/plain; charset=utf-8")
    try:
        message = parse_message(request.body)
    except MalformedMessage as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    body = handle_message(message)
    content_type = "text/plain" if body == "success" else "application/xml"
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
