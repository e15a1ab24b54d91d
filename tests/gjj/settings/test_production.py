"""Production refuses to start on a missing, short or embedded secret, names the variable, and
`gjj check --deploy` is clean with real values; every page carries a strict Content-Security-Policy."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import pytest

from gjj.clients.wechat import EMBEDDED_SECRET as EMBEDDED_WECHAT_SECRET
from gjj.core.env import EMBEDDED_FIELD_KEYS
from gjj.settings.base import EMBEDDED_OIDC_CLIENT_SECRET, EMBEDDED_SECRET_KEY
from gjj.wechat.conf import EMBEDDED_TOKEN as EMBEDDED_WECHAT_TOKEN
from tests.support.sims import REPO_ROOT

EMBEDDED = {
    "GJJ_FIELD_KEYS": EMBEDDED_FIELD_KEYS,
    "GJJ_SECRET_KEY": EMBEDDED_SECRET_KEY,
    "GJJ_OIDC_CLIENT_SECRET": EMBEDDED_OIDC_CLIENT_SECRET,
    "GJJ_WECHAT_TOKEN": EMBEDDED_WECHAT_TOKEN,
    "GJJ_WECHAT_SECRET": EMBEDDED_WECHAT_SECRET,
}


def production_environment(tmp_path, **overrides: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # None of this process's GJJ_ or DJANGO_ variables (the browser tests set one that the
        # deploy check rightly refuses).
        if not key.startswith(("GJJ_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gjj.settings.production",
            "GJJ_VAR_DIR": str(tmp_path),
            "GJJ_SECRET_KEY": secrets.token_urlsafe(60),
            "GJJ_OIDC_CLIENT_SECRET": secrets.token_urlsafe(40),
            "GJJ_WECHAT_TOKEN": secrets.token_urlsafe(24),
            "GJJ_WECHAT_SECRET": secrets.token_urlsafe(24),
            "GJJ_FIELD_KEYS": f"prod2027:{base64.b64encode(secrets.token_bytes(64)).decode()}",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def gjj(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gjj.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    finished = gjj(production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "System check identified no issues" in finished.stdout


@pytest.mark.parametrize("name", sorted(EMBEDDED))
@pytest.mark.parametrize("how", ["missing", "embedded", "short"])
def test_a_secret_missing_embedded_or_short_stops_production_naming_the_variable(tmp_path, name, how):
    value = {"missing": None, "embedded": EMBEDDED[name], "short": "abc123"}[how]

    finished = gjj(production_environment(tmp_path, **{name: value}), "check", "--deploy")

    assert finished.returncode == 2
    assert name in finished.stderr and finished.stderr.startswith("未启动：")
    assert "Traceback" not in finished.stderr


def test_production_answers_only_over_https_with_hsts_and_the_policy(tmp_path):
    probe = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='127.0.0.1')\n"
        "plain = client.get('/')\n"
        "secure = client.get('/', secure=True)\n"
        "print(plain.status_code, plain['Location'])\n"
        "print(secure.status_code)\n"
        "print(secure['Strict-Transport-Security'])\n"
        "print(secure['Content-Security-Policy'])\n"
        "print(secure.cookies.get('gjj_hall_csrftoken') is None or secure.cookies['gjj_hall_csrftoken']['secure'])\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", probe],
        env=production_environment(tmp_path),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    redirect, status, hsts, policy, secure_cookie = finished.stdout.splitlines()
    assert redirect == "301 https://127.0.0.1/"
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
    assert secure_cookie == "True"


def test_every_page_of_the_embedded_hall_carries_the_policy(client):
    for path in ("/", "/hall/", "/m/", "/backoffice/login/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, path
        assert "frame-ancestors 'self'" in policy and "'unsafe-inline'" not in policy
        # Logging out posts to the hall, which redirects to the provider's end-session page.
        assert "form-action 'self' http://127.0.0.1:8001" in policy


def test_the_deploy_check_warns_of_a_loose_policy(monkeypatch):
    from gjj.core import checks

    monkeypatch.setattr(
        checks, "content_security_policy", lambda: "default-src 'self'; script-src 'self' 'unsafe-inline'"
    )
    [warning] = checks.content_security_policy_check(None)
    assert warning.id == "gjj.W002" and "'unsafe-inline'" in warning.msg


def test_the_embedded_field_key_is_refused_even_beside_a_new_one(tmp_path):
    """Rotating away from the embedded key keeps it as an old key: production refuses that too."""
    own = f"prod2027:{base64.b64encode(secrets.token_bytes(64)).decode()}"

    finished = gjj(production_environment(tmp_path, GJJ_FIELD_KEYS=f"{own},{EMBEDDED_FIELD_KEYS}"), "check")

    assert finished.returncode == 2 and "GJJ_FIELD_KEYS" in finished.stderr
