"""The shape of a rate-limit rule (``gjj.core.throttle``), importable from settings modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class ThrottleRule:
    """``matches``: what the rule counts, whatever the channel — a URL name (``hall:withdrawal_card``),
    a URL name with one keyword argument (``mobile:step?step=house``), or a path prefix (``/api/``)."""

    scope: str
    label: str  # what is limited, in the member's words: "查询房屋信息"
    window_seconds: int
    matches: frozenset[str]
    per_user: int | None = None
    per_address: int | None = None
    overall: int | None = None
    methods: frozenset[str] = frozenset({"POST"})

    def applies(self, request: HttpRequest, url_name: str, kwargs: dict[str, object]) -> bool:
        if request.method not in self.methods:
            return False
        return any(_matches(match, request.path, url_name, kwargs) for match in self.matches)


def _matches(match: str, path: str, url_name: str, kwargs: dict[str, object]) -> bool:
    if match.startswith("/"):
        return path.startswith(match)
    name, _, argument = match.partition("?")
    if name != url_name:
        return False
    if not argument:
        return True
    key, _, value = argument.partition("=")
    return kwargs.get(key) == value
