"""The shape of a rate-limit rule (``gjj.core.throttle``), importable from settings modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class ThrottleRule:
    scope: str
    label: str  # what is limited, in the member's words: "查询房屋信息"
    window_seconds: int
    per_user: int | None = None
    per_address: int | None = None
    overall: int | None = None
    methods: frozenset[str] = frozenset({"POST"})
    url_names: frozenset[str] = frozenset()
    path_prefix: str = ""
    # Further narrowing by the resolved URL's keyword arguments (the H5 wizard's house step, say).
    kwargs_match: dict[str, str] = field(default_factory=dict)

    def applies(self, request: HttpRequest, url_name: str, kwargs: dict[str, object]) -> bool:
        if request.method not in self.methods:
            return False
        if self.path_prefix:
            return request.path.startswith(self.path_prefix)
        return url_name in self.url_names and all(kwargs.get(k) == v for k, v in self.kwargs_match.items())
