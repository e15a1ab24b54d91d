"""``make bench`` (``python -m bench``): starts what the parts need, runs them, writes the report.

    python -m bench                      # everything: docs/benchmarks.md and docs/benchmarks.json
    python -m bench --only p1,p2         # some parts (the report goes to var/bench/ unless --docs)
    python -m bench --topology prod      # the hall as production runs it: docs/benchmarks-prod.md and .json

The floor runs first (nothing else up), then the hall's set-up on a fresh PostgreSQL database with
Redis for P1 (with P3) and P2, stopped before P4 and P5, which start what they need themselves. With
``--topology prod`` the hall is instead a production topology of the bench's own (``gjj.fleet``:
nginx with TLS, two hall instances, two Huey consumers, S3), reached over https through nginx. A
part that is missing or fails is reported in the output and the md; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import importlib
import ssl
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import floorbench, load, members, p1, p2, report, stack
from bench.result import PartResult
from bench.stack import REPO_ROOT

PARTS = ("floor", "p1", "p2", "p3", "p4", "p5")
SEED = 14


def _progress_printer() -> Callable[[str], None]:
    began = time.monotonic()

    def progress(message: str) -> None:
        elapsed = time.monotonic() - began
        print(f"[bench {int(elapsed // 60):02d}:{elapsed % 60:04.1f}] {message}", file=sys.stderr, flush=True)

    return progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}")
    parser.add_argument("--docs", action="store_true", help="write docs/ even for a partial run")
    parser.add_argument("--out", type=Path, default=None, help="where to write the report (default docs/)")
    parser.add_argument(
        "--quick", action="store_true", help="short rounds (a check that it runs, not a measurement)"
    )
    parser.add_argument(
        "--hall-url",
        help="use a running set-up instead of starting one (this environment's GJJ_* variables must point "
        "at its databases: the members are imported with `gjj import-dataset`)",
    )
    parser.add_argument("--govsso-url", help="the running set-up's SSO (with --hall-url)")
    parser.add_argument(
        "--topology",
        choices=tuple(report.TOPOLOGIES),
        default="embedded",
        help="the hall the bench starts: `embedded` (gjj.launcher, plain HTTP) or `prod` (gjj.fleet: nginx "
        "with TLS, two instances; report to docs/benchmarks-prod.*, under var/bench/ with --quick)",
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help="the members' seed (0–99; a new one for each run on one hall)"
    )
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if bool(args.hall_url) != bool(args.govsso_url):
        parser.error("--hall-url and --govsso-url go together")
    prod = args.topology == "prod"
    if prod and args.hall_url:
        parser.error("--topology prod starts its own topology: not with --hall-url")
    if "p3" in only:
        only.add("p1")  # P3 is measured under P1's load
    full = only == set(PARTS)
    # A quick production run is a check, not the production figures.
    to_docs = args.docs or (full and not (prod and args.quick))
    out_dir = args.out or (REPO_ROOT / "docs" if to_docs else REPO_ROOT / "var" / "bench" / "report")

    progress = _progress_printer()
    work_dir = (REPO_ROOT / "var" / "bench").resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    measured_at = dt.datetime.now(dt.UTC)
    began = time.monotonic()
    results: dict[str, PartResult] = {}
    failures: dict[str, str] = {}

    floor_settings = floorbench.Settings()
    p1_settings = p1.Settings()
    p2_settings = p2.Settings()
    if args.quick:
        floor_settings = floorbench.Settings(seconds=2.0)
        p1_settings = p1.Settings(round_seconds=5.0, round_count=20, warmup_seconds=3.0, repeats=1)
        p2_settings = p2.Settings(seconds=3.0)

    def attempt(name: str, run: Callable[[], PartResult | None]) -> PartResult | None:
        progress(f"== {name} ==")
        try:
            result = run()
        except Exception:
            failures[name] = traceback.format_exc()
            progress(f"{name} FAILED:\n{failures[name]}")
            return None
        if result is not None:
            results[name] = result
        return result

    # The floor, alone on the machine first; it stays up (idle) beside the hall, so that P1 and P2
    # compare each of their runs with a floor run of the same minute.
    floor: stack.Floor | None = None
    floor_probe = None
    if only & {"floor", "p1", "p2"}:

        def floor_part() -> PartResult:
            nonlocal floor, floor_probe
            floor = stack.floor_start(work_dir, progress)
            atexit.register(floor.stop)  # also on Ctrl-C
            groups = p1.process_groups(floor)
            floor_probe = floorbench.probe_for(floor.url, groups)
            return floorbench.run(url=floor.url, settings=floor_settings, progress=progress, groups=groups)

        attempt("floor", floor_part)
    floor_details = results["floor"].details if "floor" in results else {}

    # The hall: P1 (with P3) and P2 on one stack.
    if only & {"p1", "p2"}:
        count = p1.members_needed(p1_settings) + p2_settings.concurrency
        pool = members.generate(count, seed=args.seed)
        dataset = members.write(work_dir / "members.json", pool)
        progress(f"{count} eligible members generated (seed {args.seed}) → {dataset}")
        hall: stack.HallStack | None = None

        def hall_up() -> PartResult | None:
            nonlocal hall
            if args.hall_url:
                hall = stack.hall_running(args.hall_url, args.govsso_url, dataset, progress)
            elif prod:
                hall = stack.fleet_start(work_dir, dataset, progress)
                atexit.register(hall.stop)  # also on Ctrl-C
                # Over https through nginx: every client trusts the fleet's own certificate.
                load.VERIFY = ssl.create_default_context(cafile=str(hall.fleet.config.tls_dir / "cert.pem"))
            else:
                hall = stack.hall_start(work_dir, dataset, progress)
                atexit.register(hall.stop)  # also on Ctrl-C
            return None

        attempt("hall set-up", hall_up)
        try:
            if hall is not None:
                p2_members, p1_members = pool[: p2_settings.concurrency], pool[p2_settings.concurrency :]
                if "p1" in only:
                    attempt(
                        "p1",
                        lambda: p1.run(
                            stack=hall,
                            members=p1_members,
                            floor_insert=floor_details.get("insert", {}),
                            settings=p1_settings,
                            progress=progress,
                            floor_probe=floor_probe,
                        ),
                    )
                if "p2" in only:
                    floor_read = floor_details.get("read", {}).get(p2_settings.concurrency)
                    attempt(
                        "p2",
                        lambda: p2.run(
                            stack=hall,
                            members=p2_members,
                            floor_read=floor_read,
                            settings=p2_settings,
                            progress=progress,
                            floor_probe=floor_probe,
                        ),
                    )
                if "p2" in results and p1.process_groups(hall):
                    # Why the slowest page costs what it does: py-spy over the hall's workers.
                    slowest = min(
                        results["p2"].details["pages"].values(), key=lambda page: page["rate_per_s"]
                    )
                    attempt(
                        "profile",
                        lambda: importlib.import_module("bench.profile").run(
                            stack=hall,
                            member_list=p2_members,
                            path=slowest["path"],
                            seconds=p2_settings.seconds + 4,
                            work_dir=work_dir,
                            progress=progress,
                        ),
                    )
        finally:
            if hall is not None and p1.process_groups(hall):
                progress("stopping the hall …")
                hall.stop()
        _invariants_note(results, hall)
    if floor is not None:
        progress("stopping the floor …")
        floor.stop()

    # P4 and P5: others' modules, imported only now.
    if "p4" in only:
        attempt(
            "p4",
            lambda: importlib.import_module("bench.p4").run(
                pg_base_url=stack.PG_BASE, work_dir=work_dir / "p4", progress=progress
            ),
        )
    if "p5" in only:
        attempt(
            "p5", lambda: importlib.import_module("bench.p5").run(work_dir=work_dir / "p5", progress=progress)
        )

    # Errors inside a part that completed (requests that failed) also fail the run.
    for name, result in results.items():
        errors = result.details.get("errors") if isinstance(result.details, dict) else None
        if errors:
            failures.setdefault(f"{name} errors", f"{errors} requests or applications failed (see details)")

    notes = _notes(len(pool) if only & {"p1", "p2"} else 0, args.seed, args.hall_url, args.topology)
    document, text = report.build(
        results,
        failures,
        measured_at=measured_at,
        duration_s=time.monotonic() - began,
        notes=notes,
        topology=args.topology,
    )
    md_path, json_path = report.write(document, text, out_dir)
    progress(f"written {md_path} and {json_path}")
    for name in report.FIGURES:
        verdict = report.met(name, document.get(name))
        progress(
            f"  {name:<24} {document.get(name)!s:>12}  {'' if verdict is None else ('met' if verdict else 'NOT MET')}"
        )
    if failures:
        progress(f"failed: {', '.join(failures)}")
        return 1
    return 0


def _invariants_note(results: dict[str, PartResult], hall: stack.HallStack | None) -> None:
    """After the load: every paid amount is what was checked, every balance its ledger's sum."""
    if hall is None or not results:
        return
    checks: dict[str, Any] = {}
    for command in ("check-applications", "check-ledger"):
        try:
            hall.gjj(command)
            checks[command] = "ok"
        except Exception as exc:
            checks[command] = f"failed: {getattr(exc, 'stdout', '')}{getattr(exc, 'stderr', '')}"[-1000:]
    for result in results.values():
        if isinstance(result.details, dict) and "rounds" in result.details:
            result.details["invariants"] = checks


def _notes(member_count: int, seed: int, hall_url: str | None, topology: str) -> list[str]:
    running = (
        [
            f"**Not the bench's own set-up**: the running hall at {hall_url} (`--hall-url`); the set-up below "
            "is what `make bench` starts, and the CPU tables see only PostgreSQL, Redis and the client."
        ]
        if hall_url
        else []
    )
    hall = (
        [
            "The hall: the production topology (`gjj.fleet`, what `make prod` runs, `gjj.settings.production`), "
            f"a fleet of the bench's own named `{stack.FLEET_NAME}` under `var/bench/fleet/` on free ports: nginx "
            "with TLS (the fleet's self-signed certificate, which the client verifies) in front of two hall "
            "instances under gunicorn with 2 workers × 4 threads each, two Huey consumers, moto's S3 server for "
            f"the materials, govsso and the simulators; fresh PostgreSQL databases `gjj_{stack.FLEET_NAME}`, "
            f"`govsso_{stack.FLEET_NAME}`, `sims_{stack.FLEET_NAME}`, `GJJ_REDIS_URL={stack.REDIS_URL}` (flushed "
            "first). The client reaches the hall only through nginx over https, and the SSO stand-in directly "
            "over HTTP. P4 and P5 do not depend on the topology (they start what they need themselves).",
        ]
        if topology == "prod"
        else [
            "The hall: `python -m gjj.launcher` (what `make run` runs: sims, govsso, the hall under gunicorn "
            "with 2 workers × 4 threads, the Huey worker) with `gjj.settings.embedded`, on a fresh PostgreSQL "
            f"database `{stack.HALL_DATABASE}`, `GJJ_REDIS_URL={stack.REDIS_URL}` (flushed first: Huey and the "
            "cache on Redis); govsso and the simulators on SQLite files under `var/bench/stack/` (they stand in "
            "for outside systems, but share this machine's CPUs with the hall).",
        ]
    )
    return [
        *running,
        *hall,
        f"Members: {member_count} eligible purchasers generated by `bench/members.py` (seed {seed}) and imported "
        f"{'with `gjj import-dataset`' if topology == 'prod' else 'by the launcher'} into the empty hall: each "
        "qualifies for 秒批, so P1 needs no staff.",
        "Rate limits: every load-test client comes from 127.0.0.1, so the per-address (and per-member) limits of "
        "`THROTTLE_RULES` would refuse the load test itself; the bench raises them all through their environment "
        "variables (`GJJ_THROTTLE_*`). The limits are therefore not part of any figure.",
        "The client: `bench/load.py`, asyncio + httpx in the bench process, closed-loop workers bounded by a count "
        "and a deadline; latencies are per request (P2) or per whole application (P1), percentiles by nearest rank.",
        "Everything runs on the same machine: the load client, the hall, its worker, PostgreSQL, Redis, govsso and "
        "the simulators share the CPUs.",
    ]


if __name__ == "__main__":
    sys.exit(main())
