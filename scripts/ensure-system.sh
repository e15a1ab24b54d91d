#!/usr/bin/env bash
# Makes sure what the project needs from the machine is there: Debian's Chromium and the Chinese
# font for the browser tests, poppler-utils for the receipt's text and pictures, nginx for the
# production topology (`make prod`; its own configuration, started and stopped by the project, never
# as a system service), and (with --services) PostgreSQL and Redis running on 127.0.0.1.
set -euo pipefail

need=()
for package in chromium fonts-wqy-microhei poppler-utils nginx; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "缺少 Debian 软件包：${need[*]}（请以 root 运行本脚本，或执行 sudo apt-get install ${need[*]}）" >&2
    exit 1
  fi
  echo "安装 Debian 软件包：${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ "${1:-}" = "--services" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "启动 PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  fi
  for _ in $(seq 1 60); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL 未能启动" >&2; exit 1; }
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "启动 Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  for _ in $(seq 1 60); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis 未能启动" >&2; exit 1; }
fi
