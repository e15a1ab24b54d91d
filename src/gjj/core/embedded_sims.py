"""On the embedded default the outside systems are the simulator process on loopback. A one-off
command (``gjj evaluate``) that needs them while ``make run`` is not up starts that same process
for its own duration, so that the command still speaks real HTTP to the real simulator. Off in
production, where the URLs point at the real registry and bank."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.conf import settings


def _is_up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _embedded_base() -> str | None:
    """The simulator's base URL when every outside system is configured to be it, else None."""
    urls = [settings.GJJ_REGISTRY_URL, settings.GJJ_BANK_URL, settings.GJJ_SMS_URL]
    base = f"http://127.0.0.1:{settings.SIMS_PORT}"
    if all(urlsplit(url).netloc == urlsplit(base).netloc for url in urls):
        return base
    return None


@contextlib.contextmanager
def embedded_simulators_running() -> Iterator[None]:
    base = _embedded_base()
    if not getattr(settings, "GJJ_AUTOSTART_SIMULATORS", False) or base is None or _is_up(base):
        yield
        return
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "sims.wsgi",
        "--bind",
        f"127.0.0.1:{settings.SIMS_PORT}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while not _is_up(base):
            if process.poll() is not None or time.monotonic() > deadline:
                message = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
                raise RuntimeError(f"外部系统模拟器未能启动：{message}")
            time.sleep(0.1)
        yield
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
