"""The H5 as an installable app: the web app manifest, the service worker, the offline page, the
icons (drawn with Pillow, no text) and the /app/ install page the portal's QR code points to.

The service worker caches the app shell only (CSS, JS, icons, the offline page). Pages with member
data, uploads, materials and the API are network-only: they are never put in any cache."""

from __future__ import annotations

import io
import json
from functools import lru_cache

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw

APP_NAME = "辽宁省直公积金"
ICON_SIZES = (192, 512)
THEME_COLOR = "#b3261e"
# Bumped when the shell changes: the worker drops caches of other versions on activation.
SHELL_VERSION = "gjj-shell-v1"


def shell_urls() -> list[str]:
    """What the service worker caches: no page with member data, no material, no API answer."""
    return [
        static("mobile/mobile.css"),
        static("mobile/wizard.js"),
        reverse("mobile:offline"),
        *[reverse("mobile:icon", args=[size]) for size in ICON_SIZES],
    ]


# Paths the worker never answers from a cache (network-only), checked before anything else.
NETWORK_ONLY_PREFIXES = ("/m/withdrawals/", "/m/login/", "/api/", "/hall/", "/oidc/")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    document = {
        "name": APP_NAME,
        "short_name": "省直公积金",
        "lang": "zh-CN",
        "start_url": "/m/",
        "scope": "/m/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {
                "src": reverse("mobile:icon", args=[size]),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ],
    }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render(
        request,
        "mobile/sw.js",
        {
            "version": SHELL_VERSION,
            "shell": json.dumps(shell_urls()),
            "network_only": json.dumps(list(NETWORK_ONLY_PREFIXES)),
            "offline": reverse("mobile:offline"),
        },
        content_type="application/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = "/m/"
    body["Cache-Control"] = "no-cache"
    return body


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/offline.html", {})


@lru_cache(maxsize=4)
def _icon_png(size: int) -> bytes:
    """A red rounded square with a white house: drawn, no text."""
    image = Image.new("RGBA", (size, size), THEME_COLOR)
    draw = ImageDraw.Draw(image)
    s = size / 192
    draw.polygon([(96 * s, 40 * s), (156 * s, 92 * s), (36 * s, 92 * s)], fill="white")
    draw.rectangle([52 * s, 92 * s, 140 * s, 150 * s], fill="white")
    draw.rectangle([84 * s, 112 * s, 108 * s, 150 * s], fill=THEME_COLOR)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@require_GET
@cache_control(max_age=86400, public=True)
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404("no such icon")
    return HttpResponse(_icon_png(size), content_type="image/png")


@require_GET
def app_install(request: HttpRequest) -> HttpResponse:
    """/app/: how to install the 手机APP on Android (the portal's QR code points here)."""
    return render(request, "mobile/app.html", {"app_name": APP_NAME})
