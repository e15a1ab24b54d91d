"""Where a request came from (address and client), for the audit log and declarations."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


NO_ORIGIN = Origin()


def origin_of(request: HttpRequest) -> Origin:
    ip = request.META.get("REMOTE_ADDR") or None
    if getattr(settings, "GJJ_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        ip = forwarded or ip
    return Origin(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
