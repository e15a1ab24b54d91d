"""The embedded default: SQLite files and local-disk media under var/, every process on loopback."""

from gjj.settings.base import *  # noqa: F403
