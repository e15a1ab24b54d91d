"""Gunicorn settings of a hall instance (``gunicorn -c python:gjj.core.gunicorn_conf``).

Imports nothing of Django: gunicorn reads this module in its arbiter, before any worker loads the
application.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# nginx keeps idle connections to an instance for 30 s (upstream keepalive_timeout, gjj.fleet.files):
# the instance must keep them longer, or nginx sends a request down a connection gunicorn has just
# closed, and a POST there is answered 502 (nginx never sends a POST twice).
keepalive = 75

# The instance's own access log, one JSON line per request under nginx's request id (the hall's
# log lines of the same request carry it too, gjj.core.request_id).
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}i)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)


def on_starting(server: Any) -> None:
    """prometheus_client's multiprocess files of this instance's previous run: a restarted instance
    starts its counters anew, as a single process would."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker's metrics files are merged into every later scrape (gjj.core.metrics) until they
    are marked dead: its counters stay counted, its live gauges go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
