"""Reading configuration from the environment, shared by the hall, govsso and the simulators.

Every process is configured by environment variables only; the defaults give the embedded
set-up of DESIGN.md (SQLite files under ``var/``, all processes on loopback).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import dj_database_url

REPO_ROOT = Path(__file__).resolve().parents[3]

# The key of personal numbers at rest (gjj.core.encrypted) in the embedded set-up: published in
# this repository, so production refuses it.
EMBEDDED_FIELD_KEYS = (
    "embedded1:" + base64.b64encode(b"gjj-embedded-field-key-never-in-production-" + b"0" * 21).decode()
)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"环境变量 {name} 应为整数，实际为 {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def var_dir() -> Path:
    """Where embedded data lives (git-ignored): SQLite files, media, the task queue."""
    path = Path(os.environ.get("GJJ_VAR_DIR", str(REPO_ROOT / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_from_env(name: str, default_sqlite_file: str) -> dict[str, Any]:
    """A Django DATABASES entry from a URL in ``name``, or an embedded SQLite file."""
    url = os.environ.get(name) or f"sqlite:///{var_dir() / default_sqlite_file}"
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one process writes; IMMEDIATE takes the write lock at the
        # start of a transaction so that two writers queue instead of failing on lock upgrade.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        # A new server connection per request (authentication, SET TIME ZONE …) cost more than
        # most pages' own queries; a kept connection is checked before each request reuses it.
        config["CONN_MAX_AGE"] = env_int("GJJ_DATABASE_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
    return config


class EmbeddedSecretInProduction(RuntimeError):
    """Production was started with a secret missing, too short, or one of the published embedded
    defaults. The message names the variable."""


def env_production_secret(name: str, *, embedded: str, min_length: int = 32) -> str:
    """A secret production cannot start without: set, at least ``min_length`` characters, and not
    the embedded default that anyone can read in this repository."""
    value = os.environ.get(name, "")
    if not value:
        raise EmbeddedSecretInProduction(f"生产环境必须设置环境变量 {name}（当前未设置）")
    if embedded in value:
        # Also a list (GJJ_FIELD_KEYS) that keeps the published key beside a new one.
        raise EmbeddedSecretInProduction(f"环境变量 {name} 含有嵌入式默认值，生产环境必须换成自己的密钥")
    if len(value) < min_length:
        raise EmbeddedSecretInProduction(
            f"环境变量 {name} 太短：至少 {min_length} 个字符，当前 {len(value)} 个"
        )
    return value
