"""The display mode on every page: ``elder`` (the 长辈版 is on: ``<html class="elder">`` and the
plainer words) and ``elder_switch_next`` (where the switch returns to; empty where the page shows
no switch)."""

from __future__ import annotations

from django.http import HttpRequest

from gjj.identity.redirects import safe_next_path
from gjj.preferences.selectors import elder_mode_for_request

# Pages that show no switch: the H5's offline page is kept in the service worker's cache and shown
# without a network, where the switch could not be sent.
_NO_SWITCH_VIEWS = frozenset({"mobile:offline"})


def _this_page(request: HttpRequest) -> str:
    """The page's path and query, to come back to after switching. A ``next`` in the query (the
    notice and login pages carry one) is passed on only as the page itself would use it: a foreign
    one is never written into the page again."""
    query = request.GET.copy()
    if "next" in query:
        query["next"] = safe_next_path(request, query.get("next"))
    encoded = query.urlencode(safe="/")
    return f"{request.path}?{encoded}" if encoded else request.path


def display_mode(request: HttpRequest) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)
    shows_switch = match is None or match.view_name not in _NO_SWITCH_VIEWS
    return {
        "elder": elder_mode_for_request(request),
        "elder_switch_next": _this_page(request) if shows_switch else "",
    }
