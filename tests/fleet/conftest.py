"""The production topology (gjj.fleet) for the tests of this folder: one per module, on free ports,
its own databases (``*_fleettest``) and Redis database, stopped at the module's end. The browser
tests' page checks (no template source, no CSP violation) apply here too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gjj.core.env import REPO_ROOT
from gjj.fleet.processes import group_members
from gjj.fleet.topology import Fleet, FleetConfig, Ports
from tests.browser.conftest import (  # noqa: F401 - fixtures
    _no_content_security_policy_violations,
    _no_template_source_on_any_page,
    photo_files,
)

FLEET_TEST_REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    config = FleetConfig(
        name="fleettest",
        var_dir=Path(tmp_path_factory.mktemp("fleet")),
        ports=Ports.free(),
        redis_url=FLEET_TEST_REDIS,
        dataset=REPO_ROOT / "data" / "demo-dataset.json",
    )
    fleet = Fleet(config, progress=lambda message: None)
    fleet.up(fresh=True)
    try:
        yield fleet
    finally:
        started = list(fleet.table.running.values())
        stopped = fleet.down()
        assert set(stopped) == set(fleet.specs), f"stopped {stopped}, started {list(fleet.specs)}"
        # Exactly what it started is gone: no process of any of its groups is left.
        assert [pid for entry in started for pid in group_members(entry)] == []
