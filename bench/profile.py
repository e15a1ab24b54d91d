"""Where a member page's CPU goes: py-spy samples the hall's gunicorn workers (only the thread
holding the GIL, so the CPU spent in Python) while 50 members load one page as P2 does, and the
samples are sorted into what the time was spent on (the ORM, templates, middleware, …).

``make bench`` runs it after P2 on the same set-up, on P2's slowest page. Alone:

    python -m bench.profile                          # the 提取 form
    python -m bench.profile --page /hall/home/ --seconds 10

starts the bench's own set-up (``bench.stack.hall_start``), so it must not run beside
``make bench``; the result goes to ``var/bench/profile/<page>.md`` (and the raw stacks beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import members, oidc, stack
from bench.load import JobFailed, closed_loop, get_again_if_stale
from bench.p1 import process_groups
from bench.result import PartResult, Progress
from bench.stack import REPO_ROOT

SAMPLE_RATE = 250

# A sample's category: the first of these, going from the leaf (the running frame) to the root,
# that one of its frames matches. So the wait for PostgreSQL inside a template's query is the
# database's, and the template engine's own work is the templates'.
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PostgreSQL: waiting for its answers", re.compile(r"psycopg/(connection|waiting|generators)")),
    ("Redis (session, cache)", re.compile(r"site-packages/redis/")),
    ("the ORM: building and reading queries", re.compile(r"django/db/")),
    ("templates: rendering", re.compile(r"django/template/|django/templatetags/|gjj/.*/templatetags/")),
    ("URL reversing and resolving", re.compile(r"django/urls/")),
    ("the hall's own code (views, selectors, policy)", re.compile(r"\(gjj/")),
    ("middleware and request handling (Django)", re.compile(r"django/(core|middleware|contrib|http|utils)/")),
    ("HTTP server (gunicorn)", re.compile(r"gunicorn/")),
)
OTHER = "other (Python runtime, libraries)"


def _worker_pids(groups: set[int]) -> list[int]:
    """The hall's gunicorn workers: processes of the set-up's groups running gjj.wsgi whose parent
    runs it too (the masters are left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parent, group = int(fields[1]), int(fields[2])
        if group not in groups or "gjj.wsgi" not in cmdline:
            continue
        try:
            parent_cmdline = Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "gjj.wsgi" in parent_cmdline:
            found.append(int(entry.name))
    return sorted(found)


def categorise(stacks: dict[str, int]) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """(samples by category, samples by the hall's innermost call) of collapsed stacks."""
    by_category: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for line, count in stacks.items():
        frames = line.split(";")
        category = OTHER
        for frame in reversed(frames):
            matched = next((name for name, pattern in CATEGORIES if pattern.search(frame)), None)
            if matched:
                category = matched
                break
        by_category[category] += count
        # The hall's own call that the time is under (the innermost frame of src/gjj).
        own = [frame for frame in frames if "(gjj/" in frame]
        inclusive[_function_name(own[-1]) if own else "(outside the hall's code: Django, gunicorn)"] += count
    return by_category, inclusive


def _function_name(frame: str) -> str:
    """``render (django/template/base.py:166)`` → ``django/template/base.py render``."""
    match = re.match(r"(?P<name>.+?) \((?P<file>[^:]+)(:\d+)?\)", frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path} {match['name']}"


def _read_collapsed(paths: list[Path]) -> dict[str, int]:
    stacks: dict[str, int] = collections.Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            head, _, count = line.rpartition(" ")
            if head and count.isdigit():
                # py-spy puts the thread first ("process 123:…;thread (0x…);…"): keep the frames.
                frames = [f for f in head.split(";") if not f.startswith(("process ", "thread "))]
                stacks[";".join(frames)] += int(count)
    return stacks


async def _load(
    hall: str, member_list: list[members.Member], path: str, seconds: float, on_ready: Callable[[], None]
) -> int:
    """Log the members in, then (``on_ready``: the profiler starts) load ``path`` for ``seconds``."""
    sessions = await oidc.bounded(
        lambda m: oidc.hall_session(hall, m.id_number, members.PASSWORD), member_list, 4
    )
    try:

        async def job(worker: int, ticket: int) -> None:
            response = await get_again_if_stale(sessions[worker], f"{hall}{path}")
            if response.status_code != 200 or response.history:
                raise JobFailed(f"GET {path} → {response.status_code}")

        await asyncio.gather(*(job(worker, 0) for worker in range(len(sessions))))
        on_ready()
        run = await closed_loop(
            f"profile {path}", job, concurrency=len(sessions), count=100_000, seconds=seconds, progress=print
        )
        return run.ok
    finally:
        for session in sessions:
            await session.aclose()


def markdown(
    path: str, requests: int, by_category: collections.Counter[str], inclusive: collections.Counter[str]
) -> str:
    total = sum(by_category.values()) or 1
    lines = [
        f"py-spy ({SAMPLE_RATE} samples/s per worker, only the thread holding the GIL: the CPU in Python) over the hall's gunicorn workers "
        f"while 50 members load `{path}` ({requests} pages served): {total} samples.",
        "",
        "| where the hall's CPU went | share |",
        "| --- | ---: |",
        *(f"| {name} | {count * 100 / total:.0f} % |" for name, count in by_category.most_common()),
        "",
        "By the hall's own call the time was spent under (its innermost frame in `src/gjj/`; the "
        "middleware's own calls included):",
        "",
        "| call | share |",
        "| --- | ---: |",
        *[f"| `{name}` | {count * 100 / total:.0f} % |" for name, count in inclusive.most_common(14)],
    ]
    return "\n".join(lines) + "\n"


def py_spy_path() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def profile_page(
    *, hall: Any, member_list: list[members.Member], path: str, seconds: float, out_dir: Path
) -> tuple[int, collections.Counter[str], collections.Counter[str]]:
    """(pages served, samples by category, samples by function) of ``path`` loaded by the members."""
    py_spy = py_spy_path()
    if py_spy is None:
        raise RuntimeError("py-spy is not installed (it is in requirements.lock)")
    groups = process_groups(hall)
    assert groups, "the profile needs the bench's own set-up"
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = _worker_pids(groups)
    outputs = [out_dir / f"worker-{pid}.txt" for pid in workers]
    for output in outputs:
        output.unlink(missing_ok=True)
    recorders: list[subprocess.Popen[bytes]] = []

    def record() -> None:
        for pid, output in zip(workers, outputs, strict=True):
            command = [py_spy, "record", "--pid", str(pid), "--rate", str(SAMPLE_RATE), "--gil"]
            command += ["--format", "raw", "--duration", str(int(seconds)), "--output", str(output)]
            recorders.append(
                subprocess.Popen(
                    [*command, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )

    served = asyncio.run(_load(hall.hall, member_list, path, seconds, record))
    for recorder in recorders:
        recorder.wait(timeout=120)
    by_category, inclusive = categorise(_read_collapsed([p for p in outputs if p.exists()]))
    return served, by_category, inclusive


def run(
    *,
    stack: Any,
    member_list: list[members.Member],
    path: str,
    seconds: float,
    work_dir: Path,
    progress: Progress,
) -> PartResult:
    """The profile as a part of ``make bench`` (after P2, on its set-up and members)."""
    progress(f"profile: py-spy over the hall's workers while {len(member_list)} members load {path} …")
    served, by_category, inclusive = profile_page(
        hall=stack, member_list=member_list, path=path, seconds=seconds, out_dir=work_dir / "profile"
    )
    total = sum(by_category.values()) or 1
    return PartResult(
        figures={},
        details={
            "path": path,
            "pages_served": served,
            "samples": total,
            "share_by_category": {name: round(count / total, 3) for name, count in by_category.most_common()},
        },
        markdown="## Where a member page's CPU goes (py-spy)\n\n"
        + markdown(path, served, by_category, inclusive),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="/hall/withdrawals/purchase/")
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args(argv)
    if py_spy_path() is None:
        print("py-spy is needed: it is in requirements.lock (make .venv/bin/.installed)", file=sys.stderr)
        return 2
    work_dir = REPO_ROOT / "var" / "bench" / "profile"
    work_dir.mkdir(parents=True, exist_ok=True)
    member_list = members.generate(50, seed=15)
    dataset = members.write(work_dir / "members.json", member_list)
    hall = stack.hall_start(work_dir, dataset, print)
    try:
        served, by_category, inclusive = profile_page(
            hall=hall, member_list=member_list, path=args.page, seconds=args.seconds, out_dir=work_dir
        )
    finally:
        hall.stop()
    text = markdown(args.page, served, by_category, inclusive)
    report = work_dir / (re.sub(r"[^a-z0-9]+", "-", args.page).strip("-") + ".md")
    report.write_text(text, encoding="utf-8")
    print(text)
    print(f"written {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
