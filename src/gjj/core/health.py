"""Health endpoints for the load balancer and the process supervisor.

- ``/health/live``: the process answers; touches nothing, so a slow database never gets a healthy
  process restarted.
- ``/health/ready``: the process can serve members: the database, Redis (when configured), the
  file storage and the policy file. 503 names each failing check in Chinese — never a secret or a
  traceback (those go to the log, for operators).

The checks of other machines (Redis, object storage) run in a small pool of threads with a time
limit, so that a hung dependency answers 503 in seconds instead of holding a gunicorn worker for a
client library's own minute-long time-outs. ``/health`` (gjj.urls) stays as it is.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

OK = "ok"
# A key no file is ever stored under: asking for it only proves the storage answers.
STORAGE_PROBE_NAME = "health/ready-probe"


class CheckFailed(Exception):
    """A check's Chinese message for the response."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def database_check() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        raise CheckFailed("数据库无法访问") from exc


@functools.cache
def _redis_client(url: str) -> Any:
    """One client (and its connection pool) per process, not a new connection per probe."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def redis_check() -> None:
    try:
        _redis_client(settings.GJJ_REDIS_URL).ping()
    except Exception as exc:
        raise CheckFailed("Redis 无法访问") from exc


def storage_check() -> None:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        location = Path(storage.location)
        if not location.is_dir() or not os.access(location, os.W_OK | os.X_OK):
            raise CheckFailed("文件存储目录不存在或不可写")
        return
    try:
        if hasattr(storage, "bucket_name") and hasattr(storage, "connection"):
            # S3 (django-storages): a missing key of an existing bucket is a 404 too, so the
            # bucket itself is asked for.
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        else:
            storage.exists(STORAGE_PROBE_NAME)
    except Exception as exc:
        raise CheckFailed("文件存储无法访问") from exc


def policy_check() -> None:
    from gjj.policy.active import active_policy

    # Re-read only when the file changed (active_policy is cached by modification time), so a
    # broken edit shows here before the next start-up refuses it.
    try:
        active_policy()
    except Exception as exc:
        raise CheckFailed("政策文件无法读取或校验未通过") from exc


# name: (check, runs in the pool with a time limit)
def ready_checks() -> dict[str, tuple[Callable[[], None], bool]]:
    checks: dict[str, tuple[Callable[[], None], bool]] = {"database": (database_check, False)}
    if settings.GJJ_REDIS_URL:
        checks["redis"] = (redis_check, True)
    checks["storage"] = (storage_check, True)
    checks["policy"] = (policy_check, False)
    return checks


# Its threads start at the first check, in the worker process (none exist when gunicorn forks).
_CHECK_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gjj-health")


CHECK_LABELS = {"database": "数据库", "redis": "Redis", "storage": "文件存储", "policy": "政策文件"}


def _outcome(name: str, run: Callable[[], Any], *, timeout: float) -> str:
    try:
        run()
    except CheckFailed as failed:
        logger.warning("就绪检查 %s 未通过：%s（%r）", name, failed.message, failed.__cause__)
        return failed.message
    except FutureTimeout:
        logger.warning("就绪检查 %s 超过 %s 秒未完成", name, timeout)
        return f"{CHECK_LABELS.get(name, name)}在 {timeout:g} 秒内无应答"
    except Exception as exc:
        logger.warning("就绪检查 %s 出错：%s", name, type(exc).__name__)
        return f"{CHECK_LABELS.get(name, name)}检查出错"
    return OK


def readiness() -> dict[str, str]:
    """Each check's name and ``ok`` or what failed, in Chinese."""
    checks = ready_checks()
    timeout = float(settings.GJJ_HEALTH_CHECK_TIMEOUT_SECONDS)
    deadline = time.monotonic() + timeout
    started = {name: _CHECK_POOL.submit(check) for name, (check, pooled) in checks.items() if pooled}
    results: dict[str, str] = {}
    for name, (check, pooled) in checks.items():
        if pooled:
            future = started[name]
            # One deadline for all: the pooled checks run side by side.
            run = functools.partial(future.result, timeout=max(0.0, deadline - time.monotonic()))
            results[name] = _outcome(name, run, timeout=timeout)
        else:
            results[name] = _outcome(name, check, timeout=timeout)
    return results


@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": OK})


@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    results = readiness()
    ready = all(result == OK for result in results.values())
    return JsonResponse(
        {"status": OK if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )
