"""What every page shows: the hotline, and the ``next`` a sign-in started elsewhere carries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govsso.accounts.redirects import safe_next_url, url_with_next

HOTLINE = "024-12345"


def site(request: HttpRequest) -> dict[str, Any]:
    next_url = safe_next_url(request)
    return {
        "hotline": HOTLINE,
        "next_url": next_url,
        # Appended to links between the login, registration and recovery pages.
        "next_query": url_with_next("", next_url),
    }
