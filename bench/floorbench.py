"""The floor part: the bare Django app (bench/floor/) measured with the same client, at the
concurrencies the hall's figures are compared at; and the client's own ceiling."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from bench.load import client_ceiling, get_loop
from bench.result import PartResult, Progress


@dataclass
class Settings:
    seconds: float = 6.0
    insert_concurrencies: tuple[int, ...] = (4, 8, 16)
    read_concurrency: int = 50
    ping_concurrency: int = 50
    count: int = 200_000


async def _measure(url: str, settings: Settings, progress: Progress) -> dict[str, Any]:
    out: dict[str, Any] = {"insert": {}, "read": {}, "ping": {}}
    # Warm-up: every worker thread opens its persistent connection.
    for path, method in (("insert/", "POST"), ("read/", "GET"), ("ping/", "GET")):
        await get_loop(
            "floor warm-up", f"{url}/{path}", method=method, concurrency=16, count=2000, seconds=1.5
        )
    plan = [("insert", "POST", c) for c in settings.insert_concurrencies]
    plan += [("read", "GET", settings.read_concurrency), ("ping", "GET", settings.ping_concurrency)]
    for view, method, concurrency in plan:
        run = await get_loop(
            f"floor {view} ×{concurrency}",
            f"{url}/{view}/",
            method=method,
            concurrency=concurrency,
            count=settings.count,
            seconds=settings.seconds,
            progress=progress,
        )
        out[view][concurrency] = run.summary()
        progress(
            f"floor {view} at {concurrency}: {run.rate:.0f}/s, p95 {out[view][concurrency]['p95_ms']} ms, "
            f"{run.errors} errors, client {out[view][concurrency]['client_cpu_cores']} cores"
        )
    return out


def run(*, url: str, settings: Settings, progress: Progress) -> PartResult:
    progress("client ceiling: the load client against a server that does nothing (5 s) …")
    ceiling = client_ceiling(concurrency=50, seconds=5.0)
    progress(
        f"client ceiling: {ceiling['rate_per_s']:.0f} requests/s using {ceiling['client_cpu_cores']} cores"
    )
    measured = asyncio.run(_measure(url, settings, progress))
    read = measured["read"][settings.read_concurrency]
    ping = measured["ping"][settings.ping_concurrency]
    figures = {
        # Overwritten by __main__ with the insert rate at P1's best concurrency when P1 ran.
        "floor_insert_rps": max(r["rate_per_s"] for r in measured["insert"].values()),
        "floor_read_rps": read["rate_per_s"],
        "floor_ping_rps": ping["rate_per_s"],
    }
    details = {"settings": asdict(settings), **measured, "client_ceiling": ceiling}
    return PartResult(figures=figures, details=details, markdown=_markdown(details))


def _markdown(details: dict[str, Any]) -> str:
    ceiling = details["client_ceiling"]
    lines = [
        "## The floor",
        "",
        "`bench/floor/`: a bare Django project (`startproject` defaults: its apps and middleware), one model,",
        "on its own PostgreSQL database with persistent connections (`CONN_MAX_AGE` 600,",
        "`CONN_HEALTH_CHECKS`), under the hall's gunicorn command (`gjj.launcher._gunicorn`: 2 workers ×",
        "4 threads, access log on). Measured in the same run, with the same client, before the hall starts.",
        "",
        "| view | clients | rate /s | p50 ms | p95 ms | p99 ms | errors | client CPU (cores) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for view in ("insert", "read", "ping"):
        for concurrency, r in details[view].items():
            lines.append(
                f"| {view} | {concurrency} | {r['rate_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                f"| {r['errors']} | {r['client_cpu_cores']} |"
            )
    lines += [
        "",
        f"The client alone (asyncio + httpx, 50 workers) against an asyncio server that answers every request "
        f"with a fixed 200 in another process makes **{ceiling['rate_per_s']:.0f} requests/s** using "
        f"{ceiling['client_cpu_cores']} of this machine's {ceiling['cpus']} cores. That is above every rate measured "
        "here, so the client is not the ceiling of any figure; but on a 2-core machine it shares the CPUs with the "
        "server: the column above shows the client's share during each run (the hall's runs are far slower, so its "
        "share there is small).",
    ]
    return "\n".join(lines) + "\n"
