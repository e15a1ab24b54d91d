"""The load client: asyncio + httpx, N closed-loop workers (each starts its next job when its last
one is answered), bounded by a job count and a deadline. Each job's latency and error are kept;
the summary is the rate of jobs done and their p50/p95/p99."""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.result import Progress

# A job: given the worker's number and the job's ticket (0, 1, 2 … across all workers), do the
# request(s); raise on anything that is not the expected answer.
Job = Callable[[int, int], Awaitable[Any]]


class JobFailed(Exception):
    """The answer was not the expected one (the message says what came)."""


def expect(response: httpx.Response, status: int = 200) -> httpx.Response:
    if response.status_code != status:
        raise JobFailed(
            f"{response.request.method} {response.request.url.path} → {response.status_code}: {response.text[:300]}"
        )
    return response


# A keep-alive connection the server has closed as idle (gunicorn's default: after 2 s) fails the
# next request sent on it: "disconnected without a response" when the close came first, a reset
# (a read error) when the request's bytes had reached the server's socket as it was closing. A
# browser sends a GET again on a new connection; so does the bench, and counts it.
STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError)


async def get_again_if_stale(
    session: httpx.AsyncClient, url: str, *, on_stale: Callable[[], None] | None = None
) -> httpx.Response:
    """GET ``url``; once more on a new connection when the reused one had been closed."""
    try:
        return await session.get(url)
    except STALE_CONNECTION:
        if on_stale is not None:
            on_stale()
        return await session.get(url)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by the nearest-rank method; None when there is nothing."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Run:
    label: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    stopped_by: str = ""
    # CPU seconds by process role during the run (bench.stack.cpu_seconds), when measured.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "ok": self.ok,
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
            "elapsed_s": round(self.elapsed, 3),
            "rate_per_s": round(self.rate, 2),
            "p50_ms": _ms(percentile(ordered, 50)),
            "p95_ms": _ms(percentile(ordered, 95)),
            "p99_ms": _ms(percentile(ordered, 99)),
            "mean_ms": _ms(sum(ordered) / len(ordered) if ordered else None),
            # Share of one core the client process used during the run (2.0 = two whole cores).
            "client_cpu_cores": round(self.client_cpu / self.elapsed, 2) if self.elapsed > 0 else None,
            "stopped_by": self.stopped_by,
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


async def closed_loop(
    label: str,
    job: Job,
    *,
    concurrency: int,
    count: int,
    seconds: float,
    progress: Progress | None = None,
    keep_results: bool = False,
) -> Run:
    """Run ``job`` from ``concurrency`` workers until ``count`` jobs were started or ``seconds`` have
    passed (a job started before the deadline is finished; each HTTP call has its own time-out)."""
    run = Run(label=label, concurrency=concurrency)
    tickets = iter(range(count))
    start = time.perf_counter()
    deadline = start + seconds
    cpu_start = time.process_time()
    last_report = start

    async def worker(number: int) -> None:
        nonlocal last_report
        while True:
            now = time.perf_counter()
            if now >= deadline:
                run.stopped_by = run.stopped_by or "time"
                return
            ticket = next(tickets, None)
            if ticket is None:
                run.stopped_by = run.stopped_by or "count"
                return
            began = time.perf_counter()
            try:
                result = await job(number, ticket)
            except Exception as exc:
                run.errors += 1
                if len(run.error_samples) < 20:
                    run.error_samples.append(f"{type(exc).__name__}: {exc}"[:500])
                continue
            finished = time.perf_counter()
            run.latencies.append(finished - began)
            if keep_results:
                run.results.append(result)
            if progress is not None and finished - last_report >= 5:
                last_report = finished
                progress(
                    f"{label}: {run.ok} done, {run.errors} errors, {run.ok / (finished - start):.1f}/s, "
                    f"{deadline - finished:.0f} s left"
                )

    await asyncio.gather(*(worker(number) for number in range(concurrency)))
    run.elapsed = time.perf_counter() - start
    run.client_cpu = time.process_time() - cpu_start
    return run


# When set (the smoke test inside the shared live stack), each member and each worker connects from
# its own loopback address (127.66.x.y), so that the servers' per-address limits count them as the
# separate clients they stand for, and the other tests' own address (127.0.0.1) keeps its budget.
SPREAD_SOURCES = False


def source_for(key: str) -> str | None:
    """The loopback address ``key`` connects from (None: the default, 127.0.0.1)."""
    if not SPREAD_SOURCES:
        return None
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
    return f"127.66.{digest % 250 + 1}.{digest // 250 % 250 + 1}"


# When set (``--topology prod``: the hall behind nginx over https), the one SSL context every client
# verifies the server with, trusting the fleet's own certificate (loaded once, not per client).
VERIFY: ssl.SSLContext | bool = False


def client(*, source: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client for loopback: keep-alive, generous time-outs, no proxies from the environment;
    connecting from ``source`` (see source_for) when given."""
    kwargs.setdefault("timeout", httpx.Timeout(60.0, connect=10.0))
    # Plain HTTP on loopback: no certificate store to load for every client (tens of ms of CPU each).
    kwargs.setdefault("verify", VERIFY)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    transport = (
        httpx.AsyncHTTPTransport(limits=limits, local_address=source, verify=kwargs["verify"])
        if source
        else None
    )
    if transport is None:
        kwargs.setdefault("limits", limits)
    return httpx.AsyncClient(trust_env=False, transport=transport, **kwargs)


async def get_loop(
    label: str,
    url: str,
    *,
    concurrency: int,
    count: int,
    seconds: float,
    method: str = "GET",
    clients: list[httpx.AsyncClient] | None = None,
    progress: Progress | None = None,
) -> Run:
    """``concurrency`` workers requesting ``url``, each on its own connection (or on the client of
    its number in ``clients``: a logged-in member's cookies), expecting 200."""
    own = clients is None
    pool = clients or [client() for _ in range(concurrency)]

    async def job(worker: int, ticket: int) -> None:
        response = await pool[worker % len(pool)].request(method, url)
        expect(response)

    try:
        return await closed_loop(
            label, job, concurrency=concurrency, count=count, seconds=seconds, progress=progress
        )
    finally:
        if own:
            for each in pool:
                await each.aclose()


# --- the client's own ceiling -------------------------------------------------------------------


async def _tiny_server() -> tuple[asyncio.AbstractServer, int]:
    """The smallest HTTP/1.1 keep-alive server asyncio can be: a fixed 200 for every request."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                self.transport.write(answer)  # type: ignore[attr-defined]

    server = await asyncio.get_running_loop().create_server(Protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, port


def client_ceiling(*, concurrency: int = 50, seconds: float = 5.0) -> dict[str, Any]:
    """How many requests a second this client makes against a server that costs nothing. The
    server runs in a child process (its own core), so the figure is the client's alone."""
    import multiprocessing

    ready: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve_tiny, args=(ready,), daemon=True)
    server.start()
    try:
        port = ready.get(timeout=10)
        run = asyncio.run(
            get_loop(
                "tiny server",
                f"http://127.0.0.1:{port}/",
                concurrency=concurrency,
                count=10**7,
                seconds=seconds,
            )
        )
    finally:
        server.terminate()
        server.join(5)
    return {**run.summary(), "cpus": os.cpu_count()}


def _serve_tiny(ready: Any) -> None:
    async def main() -> None:
        server, port = await _tiny_server()
        ready.put(port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
