"""The ID-token signing key: from the environment, or generated once into var/ and kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from jwcrypto import jwk

from govsso.oidc.keys import KEY_FILE_NAME, oidc_private_key_pem


def test_a_key_is_generated_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSSO_OIDC_RSA_PRIVATE_KEY", raising=False)

    first = oidc_private_key_pem(var_dir=tmp_path)
    second = oidc_private_key_pem(var_dir=tmp_path)

    assert first == second
    key = jwk.JWK.from_pem(first.encode())
    assert key.has_private and key["kty"] == "RSA"
    key_file = tmp_path / KEY_FILE_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [key_file]  # no temporary file left behind


def test_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = (
        jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()
    )
    monkeypatch.setenv("GOVSSO_OIDC_RSA_PRIVATE_KEY", configured)

    assert oidc_private_key_pem(var_dir=tmp_path) == configured.strip()
    assert not (tmp_path / KEY_FILE_NAME).exists()
