"""Shared fixtures. Live HTTP servers (the simulators, the whole stack) and the browser come
from tests.support."""

import pytest

pytest_plugins = ["tests.support.sims", "tests.support.live_stack", "tests.support.browser"]


@pytest.fixture(autouse=True)
def _empty_memory_cache(settings):
    """The hall's tests share one in-process memory cache (gjj.settings.test): each test starts
    with no API token, rate-limit counter or cached answer of another."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        from django.core.cache import cache

        cache.clear()
