"""P2 — the member's pages with 50 members at once: each member logged in through the real OIDC flow
(the hall's 立即登录 → the SSO's login form → the callback; their own cookies), then each page
requested by all 50 in a closed loop for a bounded time. The rate at 50 concurrent is the page's
saturation rate (50 clients keep the hall's 2 × 4 threads busy); the floor's one-row read is
measured at the same concurrency by the floor part."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from bench import oidc
from bench.load import JobFailed, closed_loop, get_again_if_stale
from bench.members import PASSWORD, Member
from bench.p1 import process_groups
from bench.result import PartResult, Progress
from bench.stack import cpu_delta, cpu_seconds, roles_ordered

CONCURRENCY = 50
PAGES = (
    ("desktop_home", "个人网厅首页", "/hall/home/"),
    ("my_business", "我的业务", "/hall/applications/"),
    ("account", "账户查询", "/hall/account/"),
    ("purchase_form", "提取（购买商品住房提取表单）", "/hall/withdrawals/purchase/"),
    ("h5_home", "H5 首页", "/m/"),
)


@dataclass
class Settings:
    seconds: float = 8.0
    count: int = 20_000
    concurrency: int = CONCURRENCY


async def _measure(
    stack: Any, members: list[Member], settings: Settings, progress: Progress, floor_probe: Any
) -> dict[str, Any]:
    progress(f"P2: logging {len(members)} members in to the hall (OIDC) …")
    sessions: list[httpx.AsyncClient] = await oidc.bounded(
        lambda m: oidc.hall_session(stack.hall, m.id_number, PASSWORD), members, 4
    )
    groups = process_groups(stack)
    stale_retries = [0]

    def count_stale() -> None:
        stale_retries[0] += 1

    try:
        pages: dict[str, Any] = {}
        for key, title, path in PAGES:
            url = f"{stack.hall}{path}"

            async def job(worker: int, ticket: int, url: str = url) -> None:
                response = await get_again_if_stale(sessions[worker], url, on_stale=count_stale)
                if response.status_code != 200 or response.history:
                    raise JobFailed(f"GET {url} → {response.status_code} at {response.url}")

            # One request per member first (each worker's connection open, each page's code loaded).
            await asyncio.gather(*(job(worker, 0) for worker in range(len(sessions))))
            cpu_before = cpu_seconds(groups)
            run = await closed_loop(
                f"P2 {title}",
                job,
                concurrency=settings.concurrency,
                count=settings.count,
                seconds=settings.seconds,
                progress=progress,
            )
            cpu = cpu_delta(cpu_before, cpu_seconds(groups))
            pages[key] = {
                **run.summary(),
                "title": title,
                "path": path,
                "cpu_ms_per_request": {k: round(v * 1000 / run.ok, 2) for k, v in cpu.items()}
                if run.ok
                else {},
            }
            progress(
                f"P2 {title}: {run.rate:.1f}/s, p50 {pages[key]['p50_ms']} ms, p95 {pages[key]['p95_ms']} ms, "
                f"p99 {pages[key]['p99_ms']} ms, {run.errors} errors"
            )
            if floor_probe is not None:
                # The floor's read beside it: same concurrency, same length, the same minute.
                floor = await floor_probe("read", settings.concurrency, settings.seconds)
                pages[key]["floor_read"] = floor
                progress(f"P2 floor read beside it: {floor['rate_per_s']}/s, p95 {floor['p95_ms']} ms")
        pages["_stale_retries"] = stale_retries[0]
        return pages
    finally:
        for session in sessions:
            await session.aclose()


def run(
    *,
    stack: Any,
    members: list[Member],
    floor_read: dict[str, Any] | None,
    settings: Settings,
    progress: Progress,
    floor_probe: Any = None,
) -> PartResult:
    """P2 against the running ``stack``. Each page is compared with the floor's read measured right
    after it by ``floor_probe`` (bench.floorbench.probe_for) when given, else with ``floor_read``."""
    pages = asyncio.run(_measure(stack, members, settings, progress, floor_probe))
    stale_retries = pages.pop("_stale_retries")
    for page in pages.values():
        floor = page.get("floor_read") or floor_read or {}
        page["p95_ratio"] = (
            round(page["p95_ms"] / floor["p95_ms"], 2) if floor.get("p95_ms") and page["p95_ms"] else None
        )
        page["rate_ratio"] = (
            round(page["rate_per_s"] / floor["rate_per_s"], 3) if floor.get("rate_per_s") else None
        )
    rated = [p for p in pages.values() if p["p95_ratio"] is not None and p["rate_ratio"] is not None]
    worst_p95 = max(rated, key=lambda p: p["p95_ratio"]) if rated else None
    worst_rate = min(rated, key=lambda p: p["rate_ratio"]) if rated else None
    beside = sorted(
        (p["floor_read"] for p in pages.values() if p.get("floor_read")), key=lambda f: f["rate_per_s"]
    )
    figures: dict[str, Any] = {
        "p2_p95_ratio": worst_p95["p95_ratio"] if worst_p95 else None,
        "p2_rate_ratio": worst_rate["rate_ratio"] if worst_rate else None,
    }
    if beside:
        # The floor read's figure: the median of the runs beside the pages.
        figures["floor_read_rps"] = beside[len(beside) // 2]["rate_per_s"]
    details = {
        "settings": asdict(settings),
        "pages": pages,
        "floor_read": floor_read,
        "floor_read_beside_pages": bool(beside),
        "worst_p95_page": worst_p95["title"] if worst_p95 else None,
        "worst_rate_page": worst_rate["title"] if worst_rate else None,
        "stale_connection_retries": stale_retries,
        "errors": sum(p["errors"] for p in pages.values()) + sum(f["errors"] for f in beside),
    }
    return PartResult(figures=figures, details=details, markdown=_markdown(figures, details))


def _markdown(figures: dict[str, Any], details: dict[str, Any]) -> str:
    s = details["settings"]
    beside = details.get("floor_read_beside_pages")
    lines = [
        "## P2 — member pages, 50 members at once",
        "",
        f"{s['concurrency']} members, each logged in through the real OIDC flow with their own cookies, request",
        f"one page in a closed loop for {s['seconds']:.0f} s (after one request each to open connections). Only a 200",
        "answered without a redirect counts. The rate at 50 concurrent is the saturation rate. The reference",
        "is the floor's one-row read at the same concurrency"
        + (
            f", measured for {s['seconds']:.0f} s right after each page (the machine is shared and its speed drifts:"
            " each page is compared with the floor of the same minute)."
            if beside
            else " (the floor part's run)."
        ),
        "",
        "| page | path | p50 ms | p95 ms | p99 ms | rate /s | errors | floor read p95 ms | floor read /s "
        "| p95 ÷ floor | rate ÷ floor |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in details["pages"].values():
        floor = page.get("floor_read") or details["floor_read"] or {}
        lines.append(
            f"| {page['title']} | `{page['path']}` | {page['p50_ms']} | {page['p95_ms']} | {page['p99_ms']} "
            f"| {page['rate_per_s']} | {page['errors']} | {floor.get('p95_ms')} | {floor.get('rate_per_s')} "
            f"| {page['p95_ratio']} | {page['rate_ratio']} |"
        )
    # The floor's app in the hall's column; roles that used (next to) nothing left out.
    rows = [(page["title"], page.get("cpu_ms_per_request") or {}) for page in details["pages"].values()]
    floors = [page["floor_read"] for page in details["pages"].values() if page.get("floor_read")]
    floor = floors[len(floors) // 2] if floors else details["floor_read"] or {}
    if floor.get("cpu_ms_per_request"):
        cpu = dict(floor["cpu_ms_per_request"])
        cpu["hall"] = cpu.pop("floor", None)
        rows.append(("*floor: one-row read*", cpu))
    roles = roles_ordered({role for _, cpu in rows for role, ms in cpu.items() if ms and ms >= 0.05})
    if roles:
        lines += [
            "",
            "CPU per request (ms, user + system, from `/proc`; PostgreSQL and Redis are the machine's, the",
            "floor's app in the hall's column):",
            "",
            "| page | " + " | ".join(roles) + " | total |",
            "| --- | " + " | ".join("---:" for _ in roles) + " | ---: |",
        ]
        for title, cpu in rows:
            cells = [cpu.get(role) for role in roles]
            total = sum(value for value in cpu.values() if value)
            lines.append(
                f"| {title} | "
                + " | ".join("" if c is None else f"{c:.2f}" for c in cells)
                + f" | {total:.2f} |"
            )
    lines += [
        "",
        f"- worst p95: {details['worst_p95_page']} → p2_p95_ratio **{figures['p2_p95_ratio']}** "
        "(its p95 ÷ the floor read's p95)",
        f"- worst rate: {details['worst_rate_page']} → p2_rate_ratio **{figures['p2_rate_ratio']}** "
        "(its rate ÷ the floor read's rate)",
    ]
    return "\n".join(lines) + "\n"
