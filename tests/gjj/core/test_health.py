"""/health/live and /health/ready: what the load balancer and the supervisor ask, anonymously."""

from __future__ import annotations

import threading

import boto3
import pytest
from django.db import OperationalError
from moto import mock_aws

from gjj.core import health

pytestmark = pytest.mark.django_db

BROKEN_POLICY = "[policy\nthis is not TOML = = =\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()


def test_live_answers_without_touching_anything(client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_ready_reports_every_check_ok(client) -> None:
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "policy": "ok"},
    }
    assert not response.cookies


def test_a_policy_file_that_no_longer_parses_makes_the_hall_unready(client, settings, tmp_path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(BROKEN_POLICY, encoding="utf-8")
    settings.GJJ_POLICY_FILE = str(policy)

    response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "storage": "ok", "policy": "政策文件无法读取或校验未通过"}
    assert str(tmp_path) not in response.content.decode()


def test_a_missing_storage_directory_makes_the_hall_unready(client, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "gone"

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "文件存储目录不存在或不可写"


def test_a_database_error_names_the_database_and_nothing_of_the_error(client, monkeypatch) -> None:
    class Unreachable:
        def cursor(self):
            raise OperationalError('connection to server at "db.internal" failed: password=hunter2')

    monkeypatch.setattr(health, "connection", Unreachable())

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "数据库无法访问"
    text = response.content.decode()
    assert "hunter2" not in text and "db.internal" not in text and "Traceback" not in text


def test_redis_is_checked_only_when_configured_and_named_when_unreachable(client, settings) -> None:
    assert "redis" not in client.get("/health/ready").json()["checks"]

    settings.GJJ_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "Redis 无法访问"


def test_a_check_that_hangs_answers_503_within_the_time_limit(client, settings, monkeypatch) -> None:
    settings.GJJ_HEALTH_CHECK_TIMEOUT_SECONDS = 0.2
    release = threading.Event()
    monkeypatch.setattr(health, "storage_check", lambda: release.wait(10))
    try:
        response = client.get("/health/ready")
    finally:
        release.set()

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "文件存储在 0.2 秒内无应答"


S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "gjj-materials", "region_name": "us-east-1"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def test_s3_storage_is_ready_when_its_bucket_answers(client, settings, s3) -> None:
    s3.create_bucket(Bucket="gjj-materials")
    settings.STORAGES = S3_STORAGES

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == "ok"


def test_s3_storage_without_its_bucket_is_unready(client, settings, s3) -> None:
    settings.STORAGES = S3_STORAGES

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "文件存储无法访问"


def test_the_old_health_answer_is_unchanged(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "hall"}
