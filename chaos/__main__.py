"""``python -m chaos --applications N`` (``make chaos``, ``make chaos N=100``)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import members as bench_members
from bench.oidc import client_secret
from bench.stack import THROTTLE_ENV
from chaos.driver import DriveReport, drive
from chaos.killer import Killer
from gjj.core.env import REPO_ROOT
from gjj.core.timeutil import SHANGHAI
from gjj.fleet.topology import Fleet, FleetConfig, Ports, hall_names, worker_names

# The hall's production defaults, shortened so that a run sees many rounds of recovery in minutes:
# the bank's pay time-out (and the lease that outlasts it), the age at which the reconciler takes
# over a payout, and the outside systems' time-out.
CHAOS_ENV = {
    **THROTTLE_ENV,
    "GJJ_BANK_PAY_TIMEOUT_SECONDS": "3",
    "GJJ_CLIENT_TIMEOUT_SECONDS": "3",
    "GJJ_PAYOUT_LEASE_SECONDS": "9",
    "GJJ_RECONCILE_AFTER_SECONDS": "10",
}
# The reconciler's limit: it runs once a minute and re-sends a payout at most GJJ_PAYOUT_MAX_ATTEMPTS
# (5) times before 财务 takes over; a payout not settled by then, with a minute to spare, is stuck.
SETTLE_LIMIT_SECONDS = (5 + 2) * 60.0
FAULT_SHARE = 0.2
# Longer than the hall's 3 s time-outs: a time-out fault is one the hall gives up on.
FAULT_DELAY_MS = 4500
MEMBER_SEED = 77


def chaos_config(*, name: str, var_dir: Path, redis_db: int) -> FleetConfig:
    """A topology of its own (databases ``*_<name>``, free ports), beside any ``make prod``."""
    return FleetConfig(
        name=name,
        var_dir=var_dir,
        ports=Ports.free(),
        redis_url=f"redis://127.0.0.1:6379/{redis_db}",
        dataset=None,
        extra_env=CHAOS_ENV,
    )


def _say(message: str) -> None:
    print(message, flush=True)


def _bank_faults(sims: str, *, install: bool) -> list[dict[str, Any]]:
    with httpx.Client(base_url=sims, timeout=10) as http:
        if install:
            for operation in ("verify", "pay", "query"):
                http.post(
                    "/_control/faults",
                    json={
                        "system": "bank",
                        "operation": operation,
                        "mode": "mixed",
                        "share": FAULT_SHARE,
                        "delay_ms": FAULT_DELAY_MS,
                    },
                ).raise_for_status()
        rules = http.get("/_control/faults").json()
        if not install:
            http.delete("/_control/faults").raise_for_status()
        return rules


def _settle(fleet: Fleet, run_file: Path, *, limit_seconds: float) -> float:
    """Wait until every submitted application is paid or waiting for 财务, at most ``limit_seconds``:
    what is left then is stuck."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        standing = _verify(fleet, run_file, standing_only=True)
        if not standing["stuck"] and not standing["missing"]:
            break
        time.sleep(3)
    return time.monotonic() - started


def _verify(fleet: Fleet, run_file: Path, *, standing_only: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "chaos.verify", str(run_file)]
    if standing_only:
        command.append("--standing")
    finished = subprocess.run(  # noqa: S603 - our own module
        command, env=fleet.env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"chaos.verify 失败：\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> int:
    var_dir = Path(args.var_dir).resolve()
    fleet = Fleet(chaos_config(name=args.name, var_dir=var_dir, redis_db=args.redis_db), progress=_say)
    started = time.monotonic()
    try:
        _say(f"chaos: 启动生产拓扑（{var_dir}）…")
        fleet.up(fresh=True)
        # Every statement day from here on is reconciled (the Shanghai day, as the bank's statements).
        since = dt.datetime.now(SHANGHAI).date().isoformat()
        run_file = var_dir / "run.json"
        members = bench_members.generate(args.applications, seed=MEMBER_SEED)
        dataset = bench_members.write(var_dir / "members.json", members)
        imported = fleet.gjj("import-dataset", str(dataset))
        if imported.returncode != 0:
            raise RuntimeError(f"导入成员失败：{imported.stderr[-2000:]}")
        _bank_faults(fleet.config.sims_url, install=True)
        targets = [*hall_names(fleet.config), *worker_names(fleet.config)]
        killer = Killer(fleet=fleet, targets=targets, every_seconds=(args.kill_min, args.kill_max))
        _say(
            f"chaos: {len(members)} 笔购房提取经 nginx 提交；每 {args.kill_min:g}–{args.kill_max:g} 秒 SIGKILL "
            f"{'/'.join(targets)} 之一并重启；银行 {FAULT_SHARE:.0%} 的调用出错"
        )
        killer.start()
        try:
            report: DriveReport = asyncio.run(
                drive(
                    members,
                    hall=fleet.config.public_url,
                    govsso=fleet.config.govsso_url,
                    client_secret=client_secret(fleet.env),
                    certificate=fleet.config.tls_dir / "cert.pem",
                    concurrency=args.concurrency,
                    progress=_say,
                )
            )
            run_file.write_text(
                json.dumps({"since": since, "business_nos": [o.business_no for o in report.submitted]}),
                encoding="utf-8",
            )
            _say(f"chaos: 提交完成，等待支付结清（上限 {args.settle_limit:g} 秒）…")
            waited = _settle(fleet, run_file, limit_seconds=args.settle_limit)
        finally:
            killer.stop()
        # A last round after the last kill: a worker killed at the very end has been started again.
        waited += _settle(fleet, run_file, limit_seconds=args.settle_limit)
        rules = _bank_faults(fleet.config.sims_url, install=False)
        result = _verify(fleet, run_file)
        return _print_result(args.applications, report, result, killer, rules, waited, started)
    finally:
        if not args.keep:
            fleet.down()


def _print_result(
    n: int,
    report: DriveReport,
    result: dict[str, Any],
    killer: Killer,
    rules: list[dict[str, Any]],
    waited: float,
    started: float,
) -> int:
    kills = ", ".join(f"{name} ×{count}" for name, count in sorted(killer.kills.items()))
    _say(f"kills: {sum(killer.kills.values())} ({kills}); restart problems: {len(killer.problems)}")
    for problem in killer.problems[:5]:
        _say(f"  {problem}")
    for rule in rules:
        applied = json.dumps(rule.get("applied_by_mode", rule), ensure_ascii=False)
        _say(f"bank faults {rule.get('operation')}: {applied}")
    _say(
        f"client retries: {report.retries}; settle wait {waited:.0f} s; whole run {time.monotonic() - started:.0f} s"
    )
    _say(f"applications: {json.dumps(result['states'], ensure_ascii=False)}")
    _say(f"payouts: {json.dumps(result['payout_states'], ensure_ascii=False)}")
    _say(f"waiting for 财务 (需人工处理, money held): {len(result['waiting_for_staff'])}")
    for failed in report.failed[:10]:
        _say(f"  the member's app gave up: {failed.member.id_number[:6]}…: {failed.error}")
    for label in ("missing", "stuck", "doubled", "cards_paid_differently", "bank_transfers_unknown_to_hall"):
        if result[label]:
            _say(f"{label}: {len(result[label])}: {result[label][:10]}")
    for day in result["reconciliation"]:
        _say(f"reconciliation {day['day']}: {day['lines']} lines, {json.dumps(day['buckets'])}")
    lost = len(report.failed) + len(result["missing"]) + len(result["stuck"])
    doubled = len(result["doubled"])
    checks = {
        "ledger": result["ledger"],
        "check-applications": result["check_applications"],
        "audit-check": result["audit"],
        "reconciliation": [day for day in result["reconciliation"] if day["unmatched"]],
        "bank-ledger": result["bank_transfers_unknown_to_hall"] + result["cards_paid_differently"],
    }
    failed = [name for name, problems in checks.items() if problems]
    for name in failed:
        _say(f"{name}: {checks[name][:10]}")
    verdict = f"checks failed: {', '.join(failed)}" if failed else "checks clean"
    _say(f"chaos: {n} applications, {lost} lost, {doubled} doubled, {verdict}")
    return 0 if not (lost or doubled or failed) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--kill-min", type=float, default=3.0, help="两次 SIGKILL 之间最短秒数")
    parser.add_argument("--kill-max", type=float, default=6.0, help="两次 SIGKILL 之间最长秒数")
    parser.add_argument(
        "--settle-limit",
        type=float,
        default=SETTLE_LIMIT_SECONDS,
        help="提交后等待结清的上限（秒），默认为对账任务的处理上限",
    )
    parser.add_argument("--name", default="chaos", help="数据库名后缀（gjj_<name> 等）")
    parser.add_argument("--var-dir", default=str(REPO_ROOT / "var" / "chaos"))
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="结束后不停止拓扑（排查用）")
    args = parser.parse_args(argv)
    _say(f"chaos: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
