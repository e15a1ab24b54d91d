"""Shared fixtures. Live HTTP servers (the simulators, govsso) come from tests.support."""

pytest_plugins = ["tests.support.sims"]
