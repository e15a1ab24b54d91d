"""docs/benchmarks.md and docs/benchmarks.json from the parts' results (docs/benchmarks-prod.* for a
run against the production topology)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.result import PartResult
from bench.stack import REPO_ROOT

FIGURES = (
    "floor_insert_rps",
    "floor_read_rps",
    "floor_ping_rps",
    "p1_apps_per_s",
    "p1_cost_inserts",
    "p1_statements_per_app",
    "p2_p95_ratio",
    "p2_rate_ratio",
    "p3_p99_s",
    "p4_ratio",
    "p5_cpu_ms",
    "p5_peak_mb",
)
# figure → (comparison, limit)
TARGETS: dict[str, tuple[str, float]] = {
    "p1_cost_inserts": ("<=", 25),
    "p2_p95_ratio": ("<=", 1.5),
    "p2_rate_ratio": (">=", 0.5),
    "p3_p99_s": ("<=", 1),
    "p4_ratio": ("<=", 1.5),
    "p5_cpu_ms": ("<=", 50),
    "p5_peak_mb": ("<=", 100),
}
# Where each single figure is taken (the md's definitions table).
DEFINITIONS = {
    "floor_insert_rps": "the floor's one-row insert, rows/s, at the concurrency of p1_apps_per_s, measured right after that round",
    "floor_read_rps": "the floor's one-row read by random key, requests/s, at 50 concurrent: the median of its runs beside P2's pages",
    "floor_ping_rps": "the floor's no-op view, requests/s, at 50 concurrent",
    "p1_apps_per_s": "complete applications/s through the API: the best round of 4, 8 and 16 clients (each run twice)",
    "p1_cost_inserts": "floor_insert_rps ÷ p1_apps_per_s: one application's cost in bare one-row inserts",
    "p1_statements_per_app": "SQL statements of one application, its payout task included (counted in-process)",
    "p2_p95_ratio": "the worst member page's p95 ÷ the p95 of the floor read run right after it, both at 50 concurrent",
    "p2_rate_ratio": "the worst member page's rate ÷ the rate of the floor read run right after it, both at 50 concurrent (saturation)",
    "p3_p99_s": "final submit → paid p99 in seconds, server timeline, under the P1 load at 16 clients (worse of 2 rounds)",
    "p4_ratio": "P4 (bench/p4.py)",
    "p5_cpu_ms": "P5 (bench/p5.py)",
    "p5_peak_mb": "P5 (bench/p5.py)",
}

# What ``--topology`` measured (the md's header).
TOPOLOGIES = {
    "embedded": "the embedded set-up (`python -m gjj.launcher`: one hall instance under gunicorn on plain "
    "HTTP, one Huey worker)",
    "prod": "the production topology (`gjj.fleet`, what `make prod` runs: nginx with TLS in front of two "
    "hall instances, two Huey consumers, S3)",
}


def file_stem(topology: str) -> str:
    """The report's file name: an embedded run's is ``benchmarks``, a production one's ``benchmarks-prod``."""
    return "benchmarks" if topology == "embedded" else f"benchmarks-{topology}"


def met(figure: str, value: Any) -> bool | None:
    if figure not in TARGETS or not isinstance(value, int | float):
        return None
    comparison, limit = TARGETS[figure]
    return value <= limit if comparison == "<=" else value >= limit


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def build(
    results: dict[str, PartResult],
    failures: dict[str, str],
    *,
    measured_at: dt.datetime,
    duration_s: float,
    notes: list[str],
    topology: str,
) -> tuple[dict[str, Any], str]:
    figures: dict[str, Any] = dict.fromkeys(FIGURES)
    for result in results.values():
        figures.update(result.figures)
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "src"))
    document: dict[str, Any] = {
        **figures,
        "topology": topology,
        "commit": commit,
        "measured_at": measured_at.isoformat(timespec="seconds"),
        "targets": {
            name: {"comparison": comparison, "limit": limit, "met": met(name, figures.get(name))}
            for name, (comparison, limit) in TARGETS.items()
        },
        "details": {
            **{name: result.details for name, result in results.items()},
            "failures": failures,
            "run": {
                "duration_s": round(duration_s, 1),
                "src_modified_since_commit": dirty,
                "machine": machine(),
            },
        },
    }
    return document, markdown(document, results, failures, notes)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def markdown(
    document: dict[str, Any], results: dict[str, PartResult], failures: dict[str, str], notes: list[str]
) -> str:
    run = document["details"]["run"]
    topology = document["topology"]
    command = "make bench" + ("" if topology == "embedded" else f' BENCH_ARGS="--topology {topology}"')
    lines = [
        "# Benchmarks",
        "",
        f"Measured {document['measured_at']} at commit `{document['commit'][:12]}`"
        + (" (with uncommitted changes under src/)" if run["src_modified_since_commit"] else "")
        + f" by `{command}` in {run['duration_s'] / 60:.1f} minutes on {run['machine']['cpus']} CPUs"
        + (f" ({run['machine']['cpu_model']})" if run["machine"]["cpu_model"] else "")
        + f". Figures in `docs/{file_stem(topology)}.json`; how each is measured below.",
        "",
        f"Topology: `--topology {topology}`, {TOPOLOGIES[topology]}.",
        "",
        "| figure | value | target | met | taken at |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for name in FIGURES:
        value = document.get(name)
        target = document["targets"].get(name)
        target_text = (
            f"{target['comparison'].replace('<=', '≤').replace('>=', '≥')} {target['limit']}"
            if target
            else ""
        )
        verdict = "" if not target else {True: "met", False: "**not met**", None: "—"}[target["met"]]
        lines.append(
            f"| `{name}` | {_show(value)} | {target_text} | {verdict} | {DEFINITIONS.get(name, '')} |"
        )
    if failures:
        lines += ["", "## Parts that did not complete", ""]
        for name, why in failures.items():
            lines.append(f"- **{name}**: {why.strip().splitlines()[-1] if why.strip() else 'failed'}")
            lines.append("")
            lines.append("  ```")
            lines += [f"  {line}" for line in why.strip().splitlines()[-12:]]
            lines.append("  ```")
    lines += ["", "## The set-up", ""]
    lines += [f"- {note}" for note in notes]
    for result in results.values():
        if result.markdown:
            lines += ["", result.markdown.rstrip()]
    return "\n".join(lines) + "\n"


def write(document: dict[str, Any], text: str, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(document["topology"])
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    md_path.write_text(text, encoding="utf-8")
    return md_path, json_path
