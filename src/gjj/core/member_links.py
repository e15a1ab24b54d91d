"""The addresses the centre sends to members (WeChat replies and template messages, SMS texts):
absolute URLs of the hall's pages, built from ``GJJ_PUBLIC_BASE_URL`` (where members reach the hall;
default the embedded hall on loopback). Paths come from the URL configuration, so a link that is
sent is a page that exists."""

from __future__ import annotations

import os

from django.conf import settings
from django.urls import reverse


def public_base_url() -> str:
    value = getattr(settings, "GJJ_PUBLIC_BASE_URL", None)
    if value is None:
        value = os.environ.get(
            "GJJ_PUBLIC_BASE_URL", f"http://127.0.0.1:{getattr(settings, 'HALL_PORT', 8000)}"
        )
    return str(value).rstrip("/")


def public_url(path: str) -> str:
    return f"{public_base_url()}{path}"


def h5_home_path() -> str:
    return reverse("mobile:home")


def h5_withdrawal_path(reason: str) -> str:
    """The H5 wizard of one withdrawal reason (a key of gjj.policy.reasons)."""
    return reverse("mobile:reason", kwargs={"reason": reason})


def h5_applications_path() -> str:
    return reverse("mobile:applications")


def h5_application_path(business_no: str) -> str:
    """我的业务's detail of one application in the H5 (the member logs in first if need be)."""
    return reverse("mobile:application_detail", args=[business_no])
