"""The OpenID Connect settings come from the environment; the defaults are govsso's contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.sims import REPO_ROOT

_PRINT = """
import json
from gjj.settings import base as s
print(json.dumps({name: getattr(s, name) for name in %r}))
"""

NAMES = [
    "GJJ_OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_END_SESSION_ENDPOINT",
    "GJJ_OIDC_DISCOVERY_URL",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_RP_SCOPES",
    "OIDC_RP_SIGN_ALGO",
    "GJJ_OIDC_ID_NUMBER_CLAIM",
    "GJJ_OIDC_POST_LOGOUT_REDIRECT_URI",
    "OIDC_USE_PKCE",
    "OIDC_PKCE_CODE_CHALLENGE_METHOD",
    "OIDC_USE_NONCE",
    "OIDC_STORE_ID_TOKEN",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
]


def _settings(**env: str) -> dict:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("GJJ_OIDC_")}
    clean.pop("GJJ_HALL_PORT", None)
    clean.pop("GJJ_GOVSSO_PORT", None)
    result = subprocess.run(
        [sys.executable, "-c", _PRINT % NAMES],
        env={**clean, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_defaults_are_the_embedded_govsso():
    values = _settings()

    assert values["GJJ_OIDC_ISSUER"] == "http://127.0.0.1:8001/o"
    assert values["OIDC_OP_AUTHORIZATION_ENDPOINT"] == "http://127.0.0.1:8001/o/authorize/"
    assert values["OIDC_OP_TOKEN_ENDPOINT"] == "http://127.0.0.1:8001/o/token/"
    assert values["OIDC_OP_USER_ENDPOINT"] == "http://127.0.0.1:8001/o/userinfo/"
    assert values["OIDC_OP_JWKS_ENDPOINT"] == "http://127.0.0.1:8001/o/.well-known/jwks.json"
    assert values["OIDC_OP_END_SESSION_ENDPOINT"] == "http://127.0.0.1:8001/o/logout/"
    assert values["OIDC_RP_CLIENT_ID"] == "gjj-hall"
    assert values["OIDC_RP_CLIENT_SECRET"] == "gjj-hall-embedded-secret-0123456789"
    assert values["OIDC_RP_SCOPES"] == "openid profile phone id_card"
    assert values["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert values["GJJ_OIDC_ID_NUMBER_CLAIM"] == "id_card_number"
    assert values["GJJ_OIDC_POST_LOGOUT_REDIRECT_URI"] == "http://127.0.0.1:8000/hall/logged-out/"
    assert values["OIDC_USE_PKCE"] is True and values["OIDC_PKCE_CODE_CHALLENGE_METHOD"] == "S256"
    assert values["OIDC_USE_NONCE"] is True and values["OIDC_STORE_ID_TOKEN"] is True
    # Idle sessions end after 30 minutes; a request pushes the end back (gjj.core.sessions), but
    # the session is not rewritten on every request.
    assert values["SESSION_COOKIE_AGE"] == 1800 and values["SESSION_SAVE_EVERY_REQUEST"] is False
    assert (values["SESSION_COOKIE_NAME"], values["CSRF_COOKIE_NAME"]) == (
        "gjj_hall_session",
        "gjj_hall_csrftoken",
    )


def test_another_provider_is_configuration():
    values = _settings(
        GJJ_OIDC_ISSUER="https://sso.example.gov.cn/oidc",
        GJJ_OIDC_TOKEN_ENDPOINT="https://sso-api.example.gov.cn/oauth2/token",
        GJJ_OIDC_CLIENT_ID="gjj-prod",
        GJJ_OIDC_SCOPES="openid profile idcard",
        GJJ_OIDC_ID_NUMBER_CLAIM="idcard",
        GJJ_HALL_PORT="9000",
    )

    assert values["OIDC_OP_AUTHORIZATION_ENDPOINT"] == "https://sso.example.gov.cn/oidc/authorize/"
    assert values["OIDC_OP_TOKEN_ENDPOINT"] == "https://sso-api.example.gov.cn/oauth2/token"
    assert (
        values["GJJ_OIDC_DISCOVERY_URL"] == "https://sso.example.gov.cn/oidc/.well-known/openid-configuration"
    )
    assert values["OIDC_RP_CLIENT_ID"] == "gjj-prod"
    assert values["OIDC_RP_SCOPES"] == "openid profile idcard"
    assert values["GJJ_OIDC_ID_NUMBER_CLAIM"] == "idcard"
    assert values["GJJ_OIDC_POST_LOGOUT_REDIRECT_URI"] == "http://127.0.0.1:9000/hall/logged-out/"
