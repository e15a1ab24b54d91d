"""``register_client``: the hall's registration, idempotent, as ``make setup`` runs it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

pytestmark = pytest.mark.django_db

ARGS = [
    "--client-id",
    "gjj-hall",
    "--client-secret",
    "S3cret-for-the-hall",
    "--redirect-uri",
    "http://127.0.0.1:8000/oidc/callback/",
    "--post-logout-redirect-uri",
    "http://127.0.0.1:8000/hall/logged-out/",
    "--name",
    "公积金网上服务大厅",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("register_client", *args, stdout=out)
    return out.getvalue()


def test_the_client_is_registered_as_a_first_party_confidential_rs256_client() -> None:
    assert "客户端 gjj-hall 已登记" in run(*ARGS)

    client = Application.objects.get(client_id="gjj-hall")
    assert client.name == "公积金网上服务大厅"
    assert client.client_type == Application.CLIENT_CONFIDENTIAL
    assert client.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert client.algorithm == Application.RS256_ALGORITHM
    assert client.skip_authorization is True
    assert client.redirect_uris == "http://127.0.0.1:8000/oidc/callback/"
    assert client.post_logout_redirect_uris == "http://127.0.0.1:8000/hall/logged-out/"
    assert client.client_secret != "S3cret-for-the-hall"
    assert check_password("S3cret-for-the-hall", client.client_secret)


def test_running_it_again_changes_nothing() -> None:
    run(*ARGS)
    before = Application.objects.values().get(client_id="gjj-hall")

    assert "客户端 gjj-hall 已更新" in run(*ARGS)

    after = Application.objects.values().get(client_id="gjj-hall")
    assert Application.objects.count() == 1
    assert {k: v for k, v in after.items() if k != "updated"} == {
        k: v for k, v in before.items() if k != "updated"
    }


def test_it_updates_uris_and_secret_of_an_existing_client() -> None:
    run(*ARGS)

    run(
        "--client-id",
        "gjj-hall",
        "--client-secret",
        "a-new-secret",
        "--redirect-uri",
        "http://127.0.0.1:18000/oidc/callback/ http://localhost:18000/oidc/callback/",
        "--post-logout-redirect-uri",
        "http://127.0.0.1:18000/hall/logged-out/",
    )

    client = Application.objects.get(client_id="gjj-hall")
    assert client.redirect_uris.split() == [
        "http://127.0.0.1:18000/oidc/callback/",
        "http://localhost:18000/oidc/callback/",
    ]
    assert client.post_logout_redirect_uris == "http://127.0.0.1:18000/hall/logged-out/"
    assert check_password("a-new-secret", client.client_secret)
    assert not check_password("S3cret-for-the-hall", client.client_secret)


def test_redirect_uris_may_also_be_repeated() -> None:
    run(*ARGS, "--redirect-uri", "http://localhost:8000/oidc/callback/")

    assert Application.objects.get(client_id="gjj-hall").redirect_uris.split() == [
        "http://127.0.0.1:8000/oidc/callback/",
        "http://localhost:8000/oidc/callback/",
    ]


def test_a_bad_redirect_uri_is_refused() -> None:
    bad = [*ARGS]
    bad[bad.index("--redirect-uri") + 1] = "ftp://127.0.0.1/callback"

    with pytest.raises(CommandError, match="客户端登记失败"):
        run(*bad)

    assert not Application.objects.exists()


def test_the_secret_may_come_from_an_environment_variable_instead_of_the_command_line(monkeypatch) -> None:
    monkeypatch.setenv("HALL_CLIENT_SECRET", "S3cret-from-the-environment")
    args = [*ARGS[:2], "--client-secret-env", "HALL_CLIENT_SECRET", *ARGS[4:]]
    assert "客户端 gjj-hall 已登记" in run(*args)
    assert check_password(
        "S3cret-from-the-environment", Application.objects.get(client_id="gjj-hall").client_secret
    )

    monkeypatch.delenv("HALL_CLIENT_SECRET")
    with pytest.raises(CommandError, match="环境变量 HALL_CLIENT_SECRET 未设置或为空"):
        run(*args)
