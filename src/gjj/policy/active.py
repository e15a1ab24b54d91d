"""The policy in force: the file named by settings.GJJ_POLICY_FILE, read once per change."""

from __future__ import annotations

import os
from functools import lru_cache

from django.conf import settings

from gjj.policy.schema import Policy, policy_load


@lru_cache(maxsize=8)
def _load(path: str, modified_ns: int) -> Policy:
    return policy_load(path)


def active_policy() -> Policy:
    path = str(settings.GJJ_POLICY_FILE)
    try:
        modified_ns = os.stat(path).st_mtime_ns
    except OSError:
        modified_ns = 0  # policy_load reports the unreadable file
    return _load(path, modified_ns)
