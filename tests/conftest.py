"""Shared fixtures. Live HTTP servers (the simulators, the whole stack) and the browser come
from tests.support."""

pytest_plugins = ["tests.support.sims", "tests.support.live_stack", "tests.support.browser"]
