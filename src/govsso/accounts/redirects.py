"""Where to send the member after signing in: only to govsso's own pages (the OIDC
authorization endpoint among them), never to another site named in a link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_PARAMETER = "next"


def safe_next_url(request: HttpRequest) -> str:
    """The ``next`` of the request (form field first, then query string) if it points to this
    site, else ``""``."""
    candidate = request.POST.get(NEXT_PARAMETER) or request.GET.get(NEXT_PARAMETER) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def url_with_next(url: str, next_url: str) -> str:
    """``url`` carrying ``next_url`` on to the next page (registration → 登录, and so on)."""
    return f"{url}?{urlencode({NEXT_PARAMETER: next_url})}" if next_url else url
