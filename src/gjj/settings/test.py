"""Tests: the database from GJJ_DATABASE_URL (SQLite by default, PostgreSQL in the second run)."""

import os

from gjj.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "gjj.core.task_queue.RequestIdMemoryHuey", "name": "gjj-test", "immediate": True}
# In-process tests share one memory cache, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A file, not memory, for SQLite: tests that run the real worker process share the database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-hall-{os.getpid()}.sqlite3")}  # noqa: F405
