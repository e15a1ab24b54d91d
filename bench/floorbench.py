"""The floor part: the bare Django app (bench/floor/) measured with the same client, at the
concurrencies the hall's figures are compared at; and the client's own ceiling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench.load import client_ceiling, get_loop
from bench.result import PartResult, Progress
from bench.stack import cpu_delta, cpu_seconds


@dataclass
class Settings:
    seconds: float = 6.0
    insert_concurrencies: tuple[int, ...] = (4, 8, 16)
    read_concurrency: int = 50
    ping_concurrency: int = 50
    count: int = 200_000
    # Each measurement this many times, interleaved; the best is kept (as P1 keeps its best round):
    # the machine is shared, and a commit's fsync time varies.
    repeats: int = 2


async def _measure(url: str, settings: Settings, progress: Progress, groups: set[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"insert": {}, "read": {}, "ping": {}}
    # Warm-up: every worker thread opens its persistent connection.
    for path, method in (("insert/", "POST"), ("read/", "GET"), ("ping/", "GET")):
        await get_loop(
            "floor warm-up", f"{url}/{path}", method=method, concurrency=16, count=2000, seconds=1.5
        )
    plan = [("insert", "POST", c) for c in settings.insert_concurrencies]
    plan += [("read", "GET", settings.read_concurrency), ("ping", "GET", settings.ping_concurrency)]
    for view, method, concurrency in plan * settings.repeats:
        cpu_before = cpu_seconds(groups)
        run = await get_loop(
            f"floor {view} ×{concurrency}",
            f"{url}/{view}/",
            method=method,
            concurrency=concurrency,
            count=settings.count,
            seconds=settings.seconds,
            progress=progress,
        )
        cpu = cpu_delta(cpu_before, cpu_seconds(groups))
        this = {
            **run.summary(),
            "cpu_ms_per_request": {k: round(v * 1000 / run.ok, 2) for k, v in cpu.items()} if run.ok else {},
        }
        earlier = out[view].get(concurrency)
        rates = [*(earlier or {}).get("rates_each", []), this["rate_per_s"]]
        if earlier is None or this["rate_per_s"] > earlier["rate_per_s"]:
            out[view][concurrency] = this
        out[view][concurrency]["rates_each"] = rates
        out[view][concurrency]["errors_all"] = (earlier or {}).get("errors_all", 0) + run.errors
        progress(
            f"floor {view} at {concurrency}: {run.rate:.0f}/s, p95 {this['p95_ms']} ms, "
            f"{run.errors} errors, client {this['client_cpu_cores']} cores"
        )
    return out


FloorProbe = Callable[[str, int, float], Awaitable[dict[str, Any]]]


def probe_for(url: str, groups: set[int] | None = None) -> FloorProbe:
    """A floor measurement to run beside a hall measurement (the same minute of the machine's life):
    ``await probe("insert" | "read" | "ping", concurrency, seconds)`` → the run's summary."""

    async def probe(view: str, concurrency: int, seconds: float) -> dict[str, Any]:
        cpu_before = cpu_seconds(groups or set())
        run = await get_loop(
            f"floor {view} ×{concurrency}",
            f"{url}/{view}/",
            method="POST" if view == "insert" else "GET",
            concurrency=concurrency,
            count=200_000,
            seconds=seconds,
        )
        cpu = cpu_delta(cpu_before, cpu_seconds(groups or set()))
        return {
            **run.summary(),
            "cpu_ms_per_request": {k: round(v * 1000 / run.ok, 2) for k, v in cpu.items()} if run.ok else {},
        }

    return probe


def run(*, url: str, settings: Settings, progress: Progress, groups: set[int] | None = None) -> PartResult:
    progress("client ceiling: the load client against a server that does nothing (5 s) …")
    ceiling = client_ceiling(concurrency=50, seconds=5.0)
    progress(
        f"client ceiling: {ceiling['rate_per_s']:.0f} requests/s using {ceiling['client_cpu_cores']} cores"
    )
    measured = asyncio.run(_measure(url, settings, progress, groups or set()))
    read = measured["read"][settings.read_concurrency]
    ping = measured["ping"][settings.ping_concurrency]
    figures = {
        # Overwritten by __main__ with the insert rate at P1's best concurrency when P1 ran.
        "floor_insert_rps": max(r["rate_per_s"] for r in measured["insert"].values()),
        "floor_read_rps": read["rate_per_s"],
        "floor_ping_rps": ping["rate_per_s"],
    }
    errors = sum(
        r.get("errors_all", 0) for view in ("insert", "read", "ping") for r in measured[view].values()
    )
    details = {"settings": asdict(settings), **measured, "client_ceiling": ceiling, "errors": errors}
    return PartResult(figures=figures, details=details, markdown=_markdown(details))


def _server_cpu(run: dict[str, Any]) -> str:
    """The floor's processes and PostgreSQL's, per request (ms of CPU)."""
    cpu = run.get("cpu_ms_per_request") or {}
    if "floor" not in cpu:
        return "—"
    return f"{cpu['floor'] + cpu.get('postgresql', 0):.2f}"


def _markdown(details: dict[str, Any]) -> str:
    ceiling = details["client_ceiling"]
    lines = [
        "## The floor",
        "",
        "`bench/floor/`: a bare Django project (`startproject` defaults: its apps and middleware), one model,",
        "on its own PostgreSQL database with persistent connections (`CONN_MAX_AGE` 600,",
        "`CONN_HEALTH_CHECKS`), under the hall's gunicorn command (`gjj.launcher._gunicorn`: 2 workers ×",
        "4 threads, access log on). Measured in the same run, with the same client, before the hall starts;",
        "each measurement twice, interleaved, the best kept (the percentiles are the best run's).",
        "",
        "| view | clients | rate /s (best) | each | p50 ms | p95 ms | p99 ms | errors | client CPU (cores) | server CPU ms/request |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for view in ("insert", "read", "ping"):
        for concurrency, r in details[view].items():
            lines.append(
                f"| {view} | {concurrency} | {r['rate_per_s']} | {', '.join(f'{x:.0f}' for x in r.get('rates_each', []))} "
                f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                f"| {r['errors']} | {r['client_cpu_cores']} | {_server_cpu(r)} |"
            )
    read = details["read"][details["settings"]["read_concurrency"]]
    fastest = max(
        (r for view in ("insert", "read", "ping") for r in details[view].values()),
        key=lambda r: r["rate_per_s"],
    )
    near = fastest["rate_per_s"] > 0.7 * ceiling["rate_per_s"]
    lines += [
        "",
        f"Is the client the bottleneck? Alone (asyncio + httpx, 50 workers) against an asyncio server that "
        f"answers every request with a fixed 200 from another process, it makes **{ceiling['rate_per_s']:.0f} "
        f"requests/s** using {ceiling['client_cpu_cores']} of this machine's {ceiling['cpus']} cores. "
        + (
            f"The fastest floor rate ({fastest['label']}, {fastest['rate_per_s']:.0f}/s) comes near that: it is a lower "
            "bound of what the floor could do (the no-op view mostly measures the client). "
            if near
            else "Every rate here is well below that, so the client caps none of them. "
        )
        + "The client also shares the CPUs with the server: during the floor's read at "
        f"{details['settings']['read_concurrency']} it used {read['client_cpu_cores']} cores (column above), CPU "
        "the floor would otherwise have had. The hall's pages and applications make far fewer requests a second, "
        "so the client takes much less from them: on this machine the ratios to the floor lean in the hall's "
        "favour, not against it.",
    ]
    return "\n".join(lines) + "\n"
