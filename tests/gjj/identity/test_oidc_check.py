"""`gjj oidc-check` compares the configuration with the provider's discovery document."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from tests.gjj.identity import fake_provider
from tests.gjj.identity.fake_provider import json_response

DISCOVERY = {
    "issuer": fake_provider.ISSUER,
    "authorization_endpoint": fake_provider.AUTHORIZATION_ENDPOINT,
    "token_endpoint": fake_provider.TOKEN_ENDPOINT,
    "userinfo_endpoint": fake_provider.USERINFO_ENDPOINT,
    "jwks_uri": fake_provider.JWKS_ENDPOINT,
    "end_session_endpoint": fake_provider.END_SESSION_ENDPOINT,
    "response_types_supported": ["code"],
    "code_challenge_methods_supported": ["S256"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "scopes_supported": ["openid", "profile", "phone", "id_card"],
    "claims_supported": ["sub", "name", "phone_number", "id_card_number"],
}


def _check(monkeypatch, document) -> str:
    monkeypatch.setattr(
        "gjj.identity.management.commands.oidc_check.requests",
        SimpleNamespace(
            get=lambda url, timeout: json_response(url, document),
            RequestException=Exception,
        ),
    )
    out = StringIO()
    call_command("oidc_check", stdout=out)
    return out.getvalue()


def test_a_matching_provider_passes(monkeypatch):
    assert "一致" in _check(monkeypatch, DISCOVERY)


@pytest.mark.parametrize(
    "change",
    [
        {"issuer": "http://127.0.0.1:8001/o/"},
        {"token_endpoint": "http://127.0.0.1:8001/o/oauth/token"},
        {"code_challenge_methods_supported": ["plain"]},
        {"id_token_signing_alg_values_supported": ["HS256"]},
        {"scopes_supported": ["openid", "profile"]},
    ],
)
def test_a_mismatch_that_breaks_the_login_fails_the_check(monkeypatch, change):
    with pytest.raises(CommandError):
        _check(monkeypatch, {**DISCOVERY, **change})


def test_a_provider_without_logout_is_only_a_warning(monkeypatch):
    document = {key: value for key, value in DISCOVERY.items() if key != "end_session_endpoint"}

    assert "end_session_endpoint" in _check(monkeypatch, document)
