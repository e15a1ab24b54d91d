"""The hash chain: each entry's hash covers its own fields and the hash of the entry before it, so
that changing or removing any entry breaks every link after it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64

# The fields an entry's hash covers, besides the previous hash. Adding one here would change the
# hash of every existing entry: a new field needs a versioned scheme, never an edit of this tuple.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "summary",
    "ip",
    "user_agent",
    "details",
)


def canonical_time(moment: dt.datetime) -> str:
    """UTC, ISO 8601 with microseconds always written, so that 12:00:00 and 12:00:00.000000 agree."""
    if moment.tzinfo is None:
        raise ValueError("审计记录的时间必须带时区")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``prev_hash`` and the hashed fields. ``at`` may be an
    aware datetime or its canonical string; a missing field is an error, not an empty value, so
    that a caller that forgets one cannot produce a hash the check would silently accept."""
    missing = [name for name in HASHED_FIELDS if name not in fields]
    if missing:
        raise KeyError(f"审计记录缺少参与哈希的字段：{', '.join(missing)}")
    payload: dict[str, Any] = {name: fields[name] for name in HASHED_FIELDS}
    if isinstance(payload["at"], dt.datetime):
        payload["at"] = canonical_time(payload["at"])
    payload["prev_hash"] = prev_hash
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
