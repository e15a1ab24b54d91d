"""Tests: the database from GJJ_DATABASE_URL (SQLite by default, PostgreSQL in the second run)."""

from gjj.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "huey.MemoryHuey", "name": "gjj-test", "immediate": True}
