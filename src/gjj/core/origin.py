"""Where a request came from (address and client), for the audit log and declarations."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


NO_ORIGIN = Origin()


def address_parse(value: str | None) -> str | None:
    """``value`` as an IP address in its canonical form; None when it is not one."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def origin_of(request: HttpRequest) -> Origin:
    """The client's address (the proxy's ``X-Forwarded-For`` only when the deployment trusts it;
    never a value that is not an address) and its user agent."""
    ip = address_parse(request.META.get("REMOTE_ADDR"))
    if getattr(settings, "GJJ_TRUST_X_FORWARDED_FOR", False):
        forwarded = address_parse(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0])
        ip = forwarded or ip
    return Origin(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


def inside_wechat(request: HttpRequest) -> bool:
    """The page is open in WeChat's own browser (its user agent says MicroMessenger)."""
    return "MicroMessenger" in request.headers.get("user-agent", "")
