"""Content-Security-Policy on every answer of the hall, in every mode.

No CDN and no inline script or style anywhere (scripts and styles are files served by the hall
itself), so the policy allows the hall's own origin and nothing else, except: images from
``data:`` (QR codes) and ``blob:`` (the H5 preview of a photo before upload), and form posts that
end at the OpenID Connect provider (logging out redirects there). The same policy in the embedded
default lets the browser tests see every violation the production policy would cause.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    provider = _origin(getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", ""))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "media-src": "'self'",
        "frame-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": " ".join(value for value in ("'self'", provider) if value),
        "frame-ancestors": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
