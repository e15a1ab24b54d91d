"""Gunicorn settings of a hall instance (``gunicorn -c python:gjj.core.gunicorn_conf``).

Imports nothing of Django: gunicorn reads this module in its arbiter, before any worker loads the
application.
"""

from __future__ import annotations

import os
from typing import Any

# nginx keeps idle connections to an instance for 30 s (upstream keepalive_timeout, gjj.fleet.files):
# the instance must keep them longer, or nginx sends a request down a connection gunicorn has just
# closed, and a POST there is answered 502 (nginx never sends a POST twice).
keepalive = 75


def child_exit(server: Any, worker: Any) -> None:
    """A worker's metrics files are merged into every later scrape (gjj.core.metrics) until they
    are marked dead: its counters stay counted, its live gauges go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
