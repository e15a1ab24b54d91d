"""P1 — complete applications a second through the JSON API at 4, 8 and 16 clients (each round twice,
every member new: one application each, with a token from the real OIDC login), the SQL statements
and outside calls of one application (``python -m bench.p1 --count-one``, in-process against the
bench database), and P3 — final submit → paid under that load, from the server's own timeline.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from bench import flow, oidc
from bench.load import Run, client, closed_loop, percentile, source_for
from bench.members import PASSWORD, Member
from bench.result import PartResult, Progress
from bench.stack import REPO_ROOT, cpu_delta, cpu_seconds, roles_ordered

CONCURRENCIES = (4, 8, 16)
REPEATS = 2
P3_CONCURRENCY = 16
TOKEN_CONCURRENCY = 4
DRAIN_SECONDS = 90.0
FLOOR_PROBE_SECONDS = 5.0


@dataclass
class Settings:
    round_seconds: float = 20.0
    # At most this many applications a round (the members generated: REPEATS × 3 rounds of it).
    round_count: int = 200
    warmup_seconds: float = 8.0
    concurrencies: tuple[int, ...] = CONCURRENCIES
    repeats: int = REPEATS


def members_needed(settings: Settings) -> int:
    rounds = len(settings.concurrencies) * settings.repeats
    return rounds * settings.round_count + settings.round_count // 4 + 8


async def _send(http: httpx.AsyncClient, base: str, token: str, step: flow.Step) -> flow.Answer:
    headers = {"Authorization": f"Bearer {token}", **step.headers}
    if step.method != "GET":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    response = await http.request(
        step.method, f"{base}{step.path}", headers=headers, json=step.json, files=step.files
    )
    try:
        body = response.json()
    except ValueError:
        body = response.text[:300]
    return flow.Answer(response.status_code, body)


async def apply_once(
    http: httpx.AsyncClient, base: str, token: str, member: Member, image: bytes
) -> dict[str, Any]:
    steps = flow.application(member, image)
    step = next(steps)
    while True:
        answer = await _send(http, base, token, step)
        try:
            step = steps.send(answer)
        except StopIteration as done:
            return {"id": done.value["id"], "state": done.value["state"]}


class Pool:
    """Members not used yet, with tokens fetched ahead of a round (outside its timing)."""

    def __init__(self, members: list[Member], stack: Any, progress: Progress) -> None:
        self._members: Iterator[Member] = iter(members)
        self.stack = stack
        self.progress = progress
        self.ready: list[tuple[Member, str, float]] = []
        self.login_seconds: list[float] = []

    def take(self, count: int) -> list[Member]:
        taken = [m for _, m in zip(range(count), self._members, strict=False)]
        if len(taken) < count:
            raise RuntimeError("the bench ran out of generated members")
        return taken

    async def tokens(self, count: int) -> list[tuple[Member, str]]:
        """``count`` members with fresh tokens (younger than 20 minutes; a token lives 30)."""
        now = time.monotonic()
        self.ready = [r for r in self.ready if now - r[2] < 20 * 60]
        missing = count - len(self.ready)
        if missing > 0:
            self.progress(f"P1: logging in {missing} members at the SSO (OIDC code + PKCE) …")
            members = self.take(missing)
            began = time.monotonic()

            async def login(member: Member) -> tuple[Member, str, float]:
                token = await oidc.api_token(
                    self.stack.govsso,
                    self.stack.hall,
                    member.id_number,
                    PASSWORD,
                    client_secret=oidc.client_secret(self.stack.env),
                )
                return member, token, time.monotonic()

            self.ready += await oidc.bounded(login, members, TOKEN_CONCURRENCY)
            self.login_seconds.append((time.monotonic() - began) / missing)
        taken, self.ready = self.ready[:count], self.ready[count:]
        return [(m, t) for m, t, _ in taken]


async def _round(
    label: str, pool: Pool, concurrency: int, count: int, seconds: float, progress: Progress
) -> tuple[Run, list[int], list[tuple[Member, str]]]:
    """One bounded round; returns the run, the ids of the applications made, and the tokens it did
    not use (handed to the next round)."""
    image = flow.jpeg()
    ready = await pool.tokens(count)
    https = [client(source=source_for(f"p1-worker-{number}")) for number in range(concurrency)]
    base = pool.stack.hall

    async def job(worker: int, ticket: int) -> dict[str, Any]:
        member, token = ready[ticket]
        return await apply_once(https[worker], base, token, member, image)

    groups = process_groups(pool.stack)
    cpu_before = cpu_seconds(groups)
    try:
        run = await closed_loop(
            label,
            job,
            concurrency=concurrency,
            count=count,
            seconds=seconds,
            progress=progress,
            keep_results=True,
        )
    finally:
        for http in https:
            await http.aclose()
    run.cpu = cpu_delta(cpu_before, cpu_seconds(groups))
    used = run.ok + run.errors
    return run, [r["id"] for r in run.results], ready[used:]


def process_groups(stack: Any) -> set[int]:
    """The process groups of the stack the bench started: its own, or each of its fleet's processes
    (none for a stack started by someone else: then only PostgreSQL, Redis and the client are measured)."""
    started = getattr(stack, "started", None)
    fleet = getattr(stack, "fleet", None)
    groups = {entry.pid for entry in fleet.table.running.values()} if fleet is not None else set()
    return groups | ({started.process.pid} if started is not None else set())


# --- the server's timeline (P3) -------------------------------------------------------------------


async def _drain(stack: Any, ids: list[int], progress: Progress) -> tuple[float, dict[int, dict[str, Any]]]:
    """Wait (bounded) until every application of the round is final; the wait and the timelines.
    Read through the hall's own models in a child process (either database engine)."""
    import subprocess

    if not ids:
        return 0.0, {}
    finished = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "bench.p1",
            "--timelines",
            ",".join(map(str, ids)),
            "--wait",
            str(DRAIN_SECONDS),
        ],
        env={**stack.env, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=DRAIN_SECONDS + 120,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"reading the timelines failed:\n{finished.stderr[-2000:]}")
    answer = json.loads(finished.stdout.strip().splitlines()[-1])
    timelines = {
        int(app_id): {
            "state": t["state"],
            "final_submit": dt.datetime.fromisoformat(t["final_submit"]) if t["final_submit"] else None,
            "paid": dt.datetime.fromisoformat(t["paid"]) if t["paid"] else None,
        }
        for app_id, t in answer["timelines"].items()
    }
    open_ = [i for i in ids if timelines.get(i, {}).get("state") not in flow.FINAL_STATES]
    if open_:
        progress(f"P1: {len(open_)} applications still not final after {DRAIN_SECONDS:.0f} s")
    return answer["waited_s"], timelines


def timelines(ids: list[int], wait_s: float) -> dict[str, Any]:
    """In this process, configured like the hall: wait until the applications are final (at most
    ``wait_s``), then each one's state, final submission and payment times from its transitions."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gjj.settings.embedded")
    django.setup()
    from gjj.withdrawals.models import Application, Transition

    began = time.monotonic()
    while True:
        states = dict(Application.objects.filter(pk__in=ids).values_list("pk", "state"))
        if all(states.get(i) in flow.FINAL_STATES for i in ids) or time.monotonic() - began > wait_s:
            break
        time.sleep(0.5)
    waited = time.monotonic() - began
    out: dict[str, dict[str, Any]] = {
        str(i): {"state": states.get(i), "final_submit": None, "paid": None} for i in ids
    }
    rows = (
        Transition.objects.filter(application_id__in=ids)
        .order_by("at", "id")
        .values_list("application_id", "from_state", "to_state", "at")
    )
    for app_id, from_state, to_state, at in rows:
        entry = out[str(app_id)]
        if from_state == "awaiting_materials" and entry["final_submit"] is None:
            entry["final_submit"] = at.isoformat()
        if to_state == "paid":
            entry["paid"] = at.isoformat()
    return {"waited_s": round(waited, 2), "timelines": out}


def _p3(timelines: dict[int, dict[str, Any]]) -> dict[str, Any]:
    waits = sorted(
        (t["paid"] - t["final_submit"]).total_seconds()
        for t in timelines.values()
        if t["paid"] is not None and t["final_submit"] is not None
    )
    not_paid = sum(1 for t in timelines.values() if t["paid"] is None)
    return {
        "paid": len(waits),
        "not_paid": not_paid,
        "p50_s": _round3(percentile(waits, 50)),
        "p95_s": _round3(percentile(waits, 95)),
        "p99_s": _round3(percentile(waits, 99)),
        "max_s": _round3(waits[-1] if waits else None),
    }


def _round3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- the run ----------------------------------------------------------------------------------------


async def _measure(
    stack: Any, members: list[Member], settings: Settings, progress: Progress, floor_probe: Any = None
) -> dict[str, Any]:
    pool = Pool(members, stack, progress)
    rounds: list[dict[str, Any]] = []
    # Warm-up (not reported): every hall process has loaded everything, and a first rate.
    warm, warm_ids, _ = await _round(
        "P1 warm-up", pool, 4, max(8, settings.round_count // 4), settings.warmup_seconds, progress
    )
    await _drain(stack, warm_ids, progress)
    best_rate = max(warm.rate, 0.5)
    for repeat in range(settings.repeats):
        for concurrency in settings.concurrencies:
            # Tokens for what this round can plausibly do (its count bound stays the bound).
            expected = math.ceil(best_rate * 1.5 * settings.round_seconds) + concurrency
            count = min(settings.round_count, expected)
            label = f"P1 {concurrency} clients #{repeat + 1}"
            progress(f"{label}: up to {count} applications or {settings.round_seconds:.0f} s")
            run, ids, unused = await _round(label, pool, concurrency, count, settings.round_seconds, progress)
            pool.ready = [(m, t, time.monotonic()) for m, t in unused] + pool.ready
            drain_s, timelines = await _drain(stack, ids, progress)
            best_rate = max(best_rate, run.rate)
            summary = run.summary()
            # The floor's insert at the same concurrency, right after the round (same machine, same minute).
            floor_insert = (
                await floor_probe("insert", concurrency, FLOOR_PROBE_SECONDS) if floor_probe else None
            )
            rounds.append(
                {
                    **summary,
                    "repeat": repeat + 1,
                    "cpu_s": run.cpu,
                    "cpu_ms_per_app": {k: round(v * 1000 / run.ok) for k, v in run.cpu.items()}
                    if run.ok
                    else {},
                    "count_bound": count,
                    "drain_s": round(drain_s, 2),
                    "p3": _p3(timelines),
                    "floor_insert": floor_insert,
                }
            )
            progress(
                f"{label}: {run.ok} applications in {run.elapsed:.1f} s = {run.rate:.2f}/s, "
                f"{run.errors} errors; paid p99 {rounds[-1]['p3']['p99_s']} s"
            )
    return {
        "rounds": rounds,
        "warmup": warm.summary(),
        "login_seconds_per_member": round(sum(pool.login_seconds) / max(1, len(pool.login_seconds)), 3),
        "next_member": pool.take(1)[0],
    }


def run(
    *,
    stack: Any,
    members: list[Member],
    floor_insert: dict[int, dict[str, Any]],
    settings: Settings,
    progress: Progress,
    floor_probe: Any = None,
) -> PartResult:
    """P1 and P3 against the running ``stack``. The floor's insert rate is measured right after each
    round by ``floor_probe`` (bench.floorbench.probe_for) when given, else taken from ``floor_insert``
    (the floor part's runs by concurrency)."""
    measured = asyncio.run(_measure(stack, members, settings, progress, floor_probe))
    rounds = measured["rounds"]
    by_concurrency: dict[int, dict[str, Any]] = {}
    for concurrency in settings.concurrencies:
        mine = [r for r in rounds if r["concurrency"] == concurrency]
        rates = [r["rate_per_s"] for r in mine]
        by_concurrency[concurrency] = {
            "apps_per_s": max(rates) if rates else 0.0,
            "apps_per_s_each": rates,
            "errors": sum(r["errors"] for r in mine),
            "app_p50_ms": max((r["p50_ms"] or 0) for r in mine) if mine else None,
            "app_p99_ms": max((r["p99_ms"] or 0) for r in mine) if mine else None,
            "floor_insert_rps_each": [(r.get("floor_insert") or {}).get("rate_per_s") for r in mine],
        }
    best = max(by_concurrency, key=lambda c: by_concurrency[c]["apps_per_s"])
    best_round = max((r for r in rounds if r["concurrency"] == best), key=lambda r: r["rate_per_s"])
    apps_per_s = by_concurrency[best]["apps_per_s"]
    adjacent = best_round.get("floor_insert") or {}
    floor_rps = adjacent.get("rate_per_s") or (floor_insert.get(best) or {}).get("rate_per_s")
    cost = round(floor_rps / apps_per_s, 1) if floor_rps and apps_per_s else None

    progress("P1: counting one application's SQL statements and outside calls (in-process) …")
    member = measured.pop("next_member")
    counted = count_one_subprocess(stack, member)

    p3_rounds = [r for r in rounds if r["concurrency"] == P3_CONCURRENCY] or rounds
    p3 = _p3_merge([r["p3"] for r in p3_rounds])
    errors = sum(r["errors"] for r in rounds)
    figures = {
        "floor_insert_rps": floor_rps,
        "p1_apps_per_s": apps_per_s,
        "p1_cost_inserts": cost,
        "p1_statements_per_app": counted.get("statements", {}).get("total"),
        "p3_p99_s": p3["p99_s"],
    }
    details = {
        "settings": asdict(settings),
        "best_concurrency": best,
        "cpu_ms_per_app": best_round.get("cpu_ms_per_app", {}),
        "floor_insert_rps_at_best": floor_rps,
        "by_concurrency": {str(c): v for c, v in by_concurrency.items()},
        "rounds": rounds,
        "warmup": measured["warmup"],
        "login_seconds_per_member": measured["login_seconds_per_member"],
        "one_application": counted,
        "p3": {**p3, "concurrency": P3_CONCURRENCY},
        "errors": errors,
    }
    return PartResult(figures=figures, details=details, markdown=_markdown(figures, details))


def _p3_merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """P3 over several rounds: the worst round's percentiles (each round is a sample of its own)."""

    def worst(key: str) -> float | None:
        values = [p[key] for p in parts if p.get(key) is not None]
        return max(values) if values else None

    return {
        "paid": sum(p["paid"] for p in parts),
        "not_paid": sum(p["not_paid"] for p in parts),
        "p50_s": worst("p50_s"),
        "p95_s": worst("p95_s"),
        "p99_s": worst("p99_s"),
        "max_s": worst("max_s"),
    }


def _markdown(figures: dict[str, Any], details: dict[str, Any]) -> str:
    one = details["one_application"]
    lines = [
        "## P1 — applications through the API",
        "",
        "Each application is one new member's whole 购房提取 through `/api/v1/` with a token from the real",
        "OIDC login (code + PKCE; logins happen before a round and are not timed): start, house lookup,",
        "card check, declaration, draft, submit, five image uploads, final submit (12 requests, every",
        "write with an `Idempotency-Key`). It counts as complete when the final submission answers",
        "秒批 (approved / paying / paid). Closed loop: each client starts its next application when its",
        "last one is answered. Each round is bounded by a count and by "
        f"{details['settings']['round_seconds']:.0f} s; every concurrency runs {details['settings']['repeats']} times "
        "(the best round is the figure), after a warm-up round that is not reported. After each round the",
        "bench waits (bounded) until the worker has paid every application of it, then measures the",
        f"floor's one-row insert at the same concurrency for {FLOOR_PROBE_SECONDS:.0f} s (the machine is shared and",
        "its speed drifts: each round is compared with the floor of the same minute).",
        "",
        "| clients | applications/s (best) | each round | floor inserts/s after each | errors | application p50 / p99 (ms) |",
        "| ---: | ---: | --- | --- | ---: | --- |",
    ]
    for concurrency, row in details["by_concurrency"].items():
        lines.append(
            f"| {concurrency} | {row['apps_per_s']:.2f} | {', '.join(f'{r:.2f}' for r in row['apps_per_s_each'])} "
            f"| {', '.join(f'{r:.0f}' if r else '—' for r in row.get('floor_insert_rps_each', []))} "
            f"| {row['errors']} | {row['app_p50_ms']} / {row['app_p99_ms']} |"
        )
    statements = one.get("statements", {})
    calls = one.get("outside_calls", {})
    lines += [
        "",
        f"- best: **{figures['p1_apps_per_s']:.2f} applications/s** at {details['best_concurrency']} clients; "
        f"the floor inserted {details['floor_insert_rps_at_best']} rows/s at the same concurrency right after that "
        "round, so one application "
        f"costs **{figures['p1_cost_inserts']} bare inserts**.",
        f"- one application (counted in-process, the payout task run at once so that its statements count): "
        f"**{statements.get('total')} SQL statements** ({_split(statements)}), "
        f"outside calls {calls.get('total')} ({_split(calls)}); {one.get('requests')} requests.",
        f"- logging a member in at the SSO took {details['login_seconds_per_member']} s each (4 at a time), "
        "outside every timing.",
    ]
    cpu = details.get("cpu_ms_per_app") or {}
    if cpu:
        lines += [
            "",
            "Where the CPU went in the best round, per application (ms of CPU, user + system, from `/proc`;",
            "PostgreSQL and Redis are all of the machine's, the client is the bench process):",
            "",
            "| " + " | ".join(roles_ordered(cpu)) + " | total |",
            "| " + " | ".join("---:" for _ in cpu) + " | ---: |",
            "| " + " | ".join(str(cpu[role]) for role in roles_ordered(cpu)) + f" | {sum(cpu.values())} |",
            "",
            "govsso is the SSO stand-in: the hall asks it about each new token (RFC 7662 introspection, then",
            "userinfo; cached for 60 s). django-oauth-toolkit keeps the hall's client secret hashed (PBKDF2, about",
            "0.2 s of CPU here); the stand-in checks a secret against its hash once per process and then remembers",
            "it (before that, govsso took 41 % of an application's CPU). In production the SSO runs elsewhere;",
            "here it takes its CPU from the hall. `other` is CPU used on the machine by none of these processes",
            "(anyone else's work during the round).",
        ]
    if one.get("by_step"):
        lines += [
            "",
            "Per request (with Huey immediate, the tasks a request enqueues run inside it: the payout and the",
            "notifications count under final_submit):",
            "",
            "| request | SQL statements | of which | outside calls |",
            "| --- | ---: | --- | --- |",
        ]
        for step in one["by_step"]:
            lines.append(
                f"| {step['name']} | {step['statements']} | {_split(step.get('kinds', {}))} "
                f"| {_split(step['outside_calls']) or '—'} |"
            )
    if one.get("most_repeated"):
        lines += ["", "The statements one application runs most often (values replaced by `?`):", ""]
        for row in one["most_repeated"]:
            lines.append(f"- {row['times']}× `{row['sql'][:200]}`")
    p3 = details["p3"]
    lines += [
        "",
        "## P3 — final submit → paid",
        "",
        f"Under the P1 load at {p3['concurrency']} clients (both rounds; the worse round's percentile): from the",
        "application's recorded transition out of 待上传影像 (the final submission) to its transition to",
        "paid, as the server recorded them (the worker pays through the bank simulator).",
        "",
        f"- p50 **{p3['p50_s']} s**, p95 {p3['p95_s']} s, p99 **{p3['p99_s']} s**, max {p3['max_s']} s "
        f"({p3['paid']} paid, {p3['not_paid']} not paid within the bench's wait)",
    ]
    return "\n".join(lines) + "\n"


def _split(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items() if k != "total" and v)


# --- one application in-process: SQL statements and outside calls --------------------------------------


def count_one_subprocess(stack: Any, member: Member) -> dict[str, Any]:
    import subprocess

    token = asyncio.run(
        oidc.api_token(
            stack.govsso, stack.hall, member.id_number, PASSWORD, client_secret=oidc.client_secret(stack.env)
        )
    )
    finished = subprocess.run(
        [sys.executable, "-m", "bench.p1", "--count-one", json.dumps(asdict(member)), "--token", token],
        env={**stack.env, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if finished.returncode != 0:
        return {"error": (finished.stderr or finished.stdout)[-2000:]}
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _system_of(url: str, settings: Any) -> str:
    for name, prefix in (
        ("registry", settings.GJJ_REGISTRY_URL),
        ("bank", settings.GJJ_BANK_URL),
        ("sms", settings.GJJ_SMS_URL),
        ("govsso", settings.GJJ_OIDC_ISSUER.rsplit("/o", 1)[0]),
    ):
        if url.startswith(prefix):
            return name
    return "other"


def _kind_of(sql: str) -> str:
    word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if word in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        return word.lower()
    if word in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return "transaction"
    return "other"


def count_one(member: Member, token: str) -> dict[str, Any]:
    """In this process, configured like the hall (the stack's environment): one application through
    django.test.Client with the Bearer token, Huey in immediate mode (the payout task runs inside
    the final submission), every SQL statement and outside HTTP call counted."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gjj.settings.embedded")
    django.setup()
    import requests.adapters
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    calls: list[str] = []
    original_send = requests.adapters.HTTPAdapter.send

    def counting_send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(_system_of(request.url, settings))
        return original_send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = counting_send  # type: ignore[method-assign]
    # Forwarded as https, as nginx does in front of production's instances (which redirect plain HTTP).
    http = Client(
        SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_FORWARDED_PROTO="https"
    )
    by_step: list[dict[str, Any]] = []
    statements: list[str] = []

    def send(step: flow.Step) -> flow.Answer:
        headers = dict(step.headers)
        if step.method != "GET":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        calls_before = len(calls)
        with CaptureQueriesContext(connection) as captured:
            if step.files:
                from django.core.files.uploadedfile import SimpleUploadedFile

                data = {
                    k: SimpleUploadedFile(n, content, content_type=t)
                    for k, (n, content, t) in step.files.items()
                }
                response = http.post(step.path, data=data, headers=headers)
            elif step.json is not None:
                response = http.generic(
                    step.method,
                    step.path,
                    json.dumps(step.json),
                    content_type="application/json",
                    headers=headers,
                )
            else:
                response = http.generic(step.method, step.path, headers=headers)
        sqls = [q["sql"] for q in captured.captured_queries]
        statements.extend(sqls)
        by_step.append(
            {
                "name": step.name,
                "statements": len(sqls),
                "kinds": _kinds(sqls),
                "outside_calls": _counts(calls[calls_before:]),
            }
        )
        try:
            body = response.json()
        except ValueError:
            body = response.content[:300].decode(errors="replace")
        return flow.Answer(response.status_code, body)

    steps = flow.application(member, flow.jpeg())
    step = next(steps)
    while True:
        answer = send(step)
        try:
            step = steps.send(answer)
        except StopIteration as done:
            final = done.value
            break
    kinds = _kinds(statements)
    from gjj.withdrawals.models import Application

    state = Application.objects.get(pk=final["id"]).state
    return {
        "state_after": state,
        "requests": len(by_step),
        "statements": {"total": len(statements), **dict(sorted(kinds.items()))},
        "outside_calls": _counts(calls),
        "by_step": _merge_steps(by_step),
        "most_repeated": _most_repeated(statements),
    }


def _kinds(sqls: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for sql in sqls:
        kinds[_kind_of(sql)] = kinds.get(_kind_of(sql), 0) + 1
    return dict(sorted(kinds.items()))


_LITERALS = (
    (re.compile(r"'(?:[^']|'')*'"), "?"),
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "?"),
    (re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)"), "(…)"),
    (re.compile(r"\s+"), " "),
)


def _shape(sql: str) -> str:
    """A statement without its values: the same query with other values is the same shape."""
    for pattern, replacement in _LITERALS:
        sql = pattern.sub(replacement, sql)
    # The column list says little: what is read from where, and by what, does.
    return re.sub(r"^SELECT (?:DISTINCT )?.*? FROM ", "SELECT … FROM ", sql.strip(), count=1)


def _most_repeated(statements: list[str], top: int = 8) -> list[dict[str, Any]]:
    """The statement shapes one application runs most often (savepoints aside)."""
    shapes: dict[str, int] = {}
    for sql in statements:
        if _kind_of(sql) == "transaction":
            continue
        shape = _shape(sql)
        shapes[shape] = shapes.get(shape, 0) + 1
    ranked = sorted(shapes.items(), key=lambda item: -item[1])[:top]
    return [{"times": times, "sql": shape[:300]} for shape, times in ranked if times > 1]


def _counts(systems: list[str]) -> dict[str, int]:
    out: dict[str, int] = {"total": len(systems)}
    for system in systems:
        out[system] = out.get(system, 0) + 1
    return out


def _merge_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The five uploads as one row ("upload ×5", their sums)."""
    merged: list[dict[str, Any]] = []
    for step in steps:
        if merged and merged[-1]["name"].startswith(step["name"]) and step["name"] == "upload":
            last = merged[-1]
            last["times"] = last.get("times", 1) + 1
            last["statements"] += step["statements"]
            for k, v in step["kinds"].items():
                last["kinds"][k] = last["kinds"].get(k, 0) + v
            for k, v in step["outside_calls"].items():
                last["outside_calls"][k] = last["outside_calls"].get(k, 0) + v
            last["name"] = f"upload ×{last['times']}"
        else:
            merged.append(
                {**step, "kinds": dict(step["kinds"]), "outside_calls": dict(step["outside_calls"])}
            )
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P1's in-process parts (run with the hall's environment)")
    parser.add_argument("--count-one", help="count one application of this member (JSON)")
    parser.add_argument("--token", help="the member's access token (with --count-one)")
    parser.add_argument("--timelines", help="comma-separated application ids")
    parser.add_argument("--wait", type=float, default=DRAIN_SECONDS)
    args = parser.parse_args(argv)
    if args.count_one:
        member = Member(**json.loads(args.count_one))
        print(json.dumps(count_one(member, args.token), ensure_ascii=False))
    elif args.timelines:
        ids = [int(i) for i in args.timelines.split(",") if i]
        print(json.dumps(timelines(ids, args.wait), ensure_ascii=False))
    else:
        parser.error("--count-one or --timelines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
