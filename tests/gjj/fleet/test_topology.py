"""What each process of the production topology is given: only its own secrets."""

from __future__ import annotations

import stat

from gjj.fleet.topology import SECRET_NAMES, Fleet, FleetConfig, Ports


def _fleet(tmp_path) -> Fleet:
    return Fleet(
        FleetConfig(name="unit", var_dir=tmp_path / "var", ports=Ports.free()), progress=lambda _: None
    )


def test_each_process_holds_only_its_own_secrets(tmp_path):
    specs = _fleet(tmp_path).specs
    secrets_of = {name: SECRET_NAMES & set(spec.env) for name, spec in specs.items()}
    assert secrets_of["s3"] == set() and secrets_of["nginx"] == set()
    assert secrets_of["govsso"] == {"GOVSSO_SECRET_KEY", "GOVSSO_FIELD_KEYS"}
    assert secrets_of["sims"] == {"SIMS_SECRET_KEY", "SIMS_WECHAT_TOKEN", "SIMS_WECHAT_SECRET"}
    for name in ("hall-1", "hall-2", "worker-1", "worker-2"):
        assert "GJJ_FIELD_KEYS" in secrets_of[name] and "GJJ_SECRET_KEY" in secrets_of[name]
        assert not {secret for secret in secrets_of[name] if not secret.startswith("GJJ_")}, name


def test_the_var_directory_is_the_operators_and_down_makes_no_secrets(tmp_path):
    fleet = _fleet(tmp_path)
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert fleet.down() == []
    assert not (tmp_path / "var" / "secrets.env").exists()
