"""Where a member may be sent after logging in: only the hall's own paths, never another site."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# Sending a member back into the login machinery after a login would loop.
_NEVER_AFTER_LOGIN = ("/oidc/",)


def default_after_login_path() -> str:
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


def safe_next_path(request: HttpRequest, candidate: object) -> str:
    """``candidate`` if it is a path on this site, else the member home.

    Only a path is accepted, not an absolute URL even to this host: the hall may sit behind
    a proxy whose idea of its own host differs. ``url_has_allowed_host_and_scheme`` catches the
    tricks that browsers read as another host (``//evil.example``, ``/\\evil.example``,
    ``https:evil.example``).
    """
    if not isinstance(candidate, str) or not candidate.startswith("/"):
        return default_after_login_path()
    # Browsers drop tabs and newlines inside URLs ("/\t/evil.example" becomes "//evil.example");
    # no path of the hall needs a control character or white space.
    if any(unicodedata.category(char)[0] == "C" or char.isspace() for char in candidate):
        return default_after_login_path()
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default_after_login_path()
    if candidate.startswith("//") or candidate.startswith(_NEVER_AFTER_LOGIN):
        return default_after_login_path()
    return candidate
