"""What each benchmark part hands to the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[str], None]


@dataclass
class PartResult:
    # Top-level keys of docs/benchmarks.json that this part owns (the names, e.g. p4_ratio).
    figures: dict[str, Any]
    # Everything else worth keeping, under "details" → part name in docs/benchmarks.json.
    details: dict[str, Any] = field(default_factory=dict)
    # This part's section of docs/benchmarks.md, starting with its "## " heading.
    markdown: str = ""
