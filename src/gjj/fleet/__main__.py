"""``python -m gjj.fleet up|down|status`` (``make prod``, ``make prod-down``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gjj.core.env import REPO_ROOT
from gjj.fleet.processes import FleetStartFailed
from gjj.fleet.topology import Fleet, FleetConfig, hall_names, process_names, worker_names


def _banner(fleet: Fleet) -> None:
    config = fleet.config
    ports = config.ports
    print("\n================ 公积金网上服务大厅（生产拓扑）已启动 ================")
    print(f"  入口（nginx，HTTPS，本地自签名证书）：{config.public_url}/")
    print(f"    个人网厅 {config.public_url}/hall/   业务后台 {config.public_url}/backoffice/")
    for name, url in zip(hall_names(config), config.hall_urls, strict=True):
        print(f"  {name}（gunicorn）：{url}/health/ready   {url}/metrics")
    for name, port in zip(worker_names(config), ports.worker_metrics, strict=True):
        print(f"  {name}（Huey，Redis）：http://127.0.0.1:{port}/metrics")
    print(f"  政务服务网（模拟）：{config.govsso_url}/   外部系统模拟器：{config.sims_url}/")
    print(f"  对象存储（moto S3）：{config.s3_url}/  桶 gjj-materials（私有）")
    print(f"  数据库：{config.database_url('gjj')}   Redis：{config.redis_url}")
    print(f"  密钥：{config.var_dir / 'secrets.env'}（首次生成，0600）   日志：{config.log_dir}/")
    print("  演示登录（政务服务网账号）：张伟 210102198803120158 / Demo@2026（见 README）")
    print("  停止：make prod-down（只停止本次启动的进程）")
    print("=====================================================================\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gjj.fleet", description="生产拓扑：启动、停止、查看")
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--var-dir", default=str(REPO_ROOT / "var" / "prod"))
    parser.add_argument("--fresh", action="store_true", help="重建数据库并清空 Redis 库后再启动")
    args = parser.parse_args(argv)
    fleet = Fleet(FleetConfig(var_dir=Path(args.var_dir).resolve()))
    if args.action == "up":
        try:
            fleet.up(fresh=args.fresh)
        except FleetStartFailed as exc:
            print(f"生产拓扑未能启动，已停止本次启动的进程：{exc}", file=sys.stderr)
            return 1
        _banner(fleet)
        return 0
    if args.action == "down":
        stopped = fleet.down()
        print(f"已停止：{', '.join(stopped)}" if stopped else "没有本拓扑启动的进程在运行。")
        return 0
    for name in process_names(fleet.config):
        print(f"  {name:<9} {'运行中' if fleet.alive(name) else '未运行'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
