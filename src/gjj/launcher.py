"""`make run`: every process of the embedded default on loopback, in the foreground.

Imports the demo dataset when the hall's database is empty, starts the hall, govsso, the
simulators and the worker, prints the URLs and demo logins, and on Ctrl-C stops exactly the
processes it started, by their PIDs."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gjj.core.env import REPO_ROOT, env_int, var_dir


@dataclass
class Service:
    name: str
    title: str
    command: list[str]
    port: int | None
    process: subprocess.Popen[bytes] | None = None
    # Added to the launcher's own environment for this process.
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/" if self.port else ""


def _gunicorn(
    module: str,
    port: int,
    workers: int,
    *,
    threads: int = 4,
    config_module: str | None = None,
) -> list[str]:
    """gunicorn on loopback, as every set-up of the project runs it (this one, ``make prod``'s, the
    bench's floor)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        module,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--no-control-socket",
        "--access-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    if config_module:
        command += ["--config", f"python:{config_module}"]
    return command


def services() -> list[Service]:
    hall, govsso, sims = (
        env_int("GJJ_HALL_PORT", 8000),
        env_int("GJJ_GOVSSO_PORT", 8001),
        env_int("GJJ_SIMS_PORT", 8002),
    )
    return [
        Service(
            "sims",
            "外部系统模拟器（住房信息、银行、短信、微信）",
            _gunicorn("sims.wsgi", sims, 2),
            sims,
            env=_wechat_server_config(hall),
        ),
        Service("govsso", "辽宁政务服务网（统一身份认证模拟）", _gunicorn("govsso.wsgi", govsso, 2), govsso),
        Service("hall", "公积金网上服务大厅", _gunicorn("gjj.wsgi", hall, 2), hall),
        Service(
            "worker",
            "后台任务（支付、通知、对账、过期）",
            [sys.executable, "-m", "gjj.cli", "run_huey"],
            None,
        ),
    ]


def _wechat_server_config(hall_port: int) -> dict[str, str]:
    """The WeChat stand-in's 服务器配置 for the official account, as the centre enters it in the
    platform's console: the hall's callback URL and the hall's token (unless set explicitly)."""
    _hall_settings()
    from gjj.wechat.conf import callback_token

    return {
        "SIMS_WECHAT_CALLBACK_URL": os.environ.get(
            "SIMS_WECHAT_CALLBACK_URL", f"http://127.0.0.1:{hall_port}/wechat/callback/"
        ),
        "SIMS_WECHAT_TOKEN": os.environ.get("SIMS_WECHAT_TOKEN", callback_token()),
    }


def _publish_wechat_menu() -> None:
    """Publish the official account's menu on the platform stand-in, as the centre does once (its
    followers see it under the chat); the hall's ``gjj wechat-menu`` needs only the platform up.
    Not fatal: the hall works without it."""
    finished = subprocess.run(
        [sys.executable, "-m", "gjj.cli", "wechat-menu"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        print(f"未能发布公众号菜单：{finished.stderr.strip()[-300:]}", file=sys.stderr, flush=True)


def _run(*args: str) -> None:
    subprocess.run([sys.executable, *args], check=True, cwd=REPO_ROOT)  # noqa: S603


def prepare(dataset: Path) -> None:
    """Bring every database to the current schema, register the hall with the SSO stand-in, and
    import the dataset when the hall is empty. Idempotent: safe on every start."""
    _run("-m", "gjj.cli", "migrate", "--noinput", "-v", "0")
    _run("-m", "django", "migrate", "--noinput", "-v", "0", "--settings=govsso.settings")
    _run("-m", "django", "migrate", "--noinput", "-v", "0", "--settings=sims.settings")
    _register_hall_with_sso()
    if _hall_is_empty():
        print(f"数据库为空，导入演示数据 {dataset} …", flush=True)
        _run("-m", "gjj.cli", "import-dataset", str(dataset))
    _run("-m", "gjj.cli", "load-demo-staff", str(DEMO_STAFF_FILE))


def _hall_settings() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gjj.settings.embedded")
    import django
    from django.conf import settings

    django.setup()
    return settings


def _register_hall_with_sso() -> None:
    """The hall is the SSO stand-in's first-party OIDC client, under both loopback host names."""
    settings = _hall_settings()
    port = settings.HALL_PORT
    _run(
        "-m",
        "django",
        "register_client",
        "--settings=govsso.settings",
        "--client-id",
        settings.OIDC_RP_CLIENT_ID,
        "--client-secret",
        settings.OIDC_RP_CLIENT_SECRET,
        "--redirect-uri",
        f"http://127.0.0.1:{port}/oidc/callback/ http://localhost:{port}/oidc/callback/",
        "--post-logout-redirect-uri",
        f"{settings.GJJ_OIDC_POST_LOGOUT_REDIRECT_URI} http://localhost:{port}/hall/logged-out/",
        "--name",
        "公积金网上服务大厅",
    )


def _hall_is_empty() -> bool:
    _hall_settings()
    from gjj.members.models import Person

    return not Person.objects.exists()


def _wait_until_up(service: Service, deadline_seconds: float = 30.0) -> bool:
    if not service.port:
        return True
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        if service.process and service.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{service.url}health", timeout=1) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


def _stop(started: list[Service]) -> None:
    for service in reversed(started):
        if service.process and service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    for service in reversed(started):
        if service.process:
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.process.kill()


def _print_banner(started: list[Service], dataset: Path) -> None:
    print("\n================ 公积金网上服务大厅（嵌入式默认配置）已启动 ================")
    for service in started:
        where = service.url or "（无端口）"
        print(f"  {service.title:<24} {where}")
    hall_url = next((service.url for service in started if service.name == "hall"), "")
    print(f"\n  数据目录：{var_dir()}    演示数据：{dataset}")
    print("  演示登录（政务服务网账号，身份证号 / 密码）：")
    for name, id_number, note in DEMO_LOGINS:
        print(f"    {name}  {id_number}  Demo@2026   {note}")
    print(f"\n  业务后台：{hall_url}backoffice/  （工作人员，密码 Demo@2026 + 动态口令）")
    for username, name, roles in DEMO_STAFF:
        print(f"    {username:<9} {name}（{roles}）")
    print(
        "  动态口令：身份验证器录入 data/demo-staff.json 中的密钥，或运行 .venv/bin/gjj staff-otp-code 用户名"
    )
    sims_port = env_int("GJJ_SIMS_PORT", 8002)
    print(f"  短信发件箱：GET http://127.0.0.1:{sims_port}/sms/outbox?phone=13804001001")
    print(f"  关注公众号（微信模拟，门户网站的公众号二维码）：{_wechat_follow_url()}")
    print("  按 Ctrl-C 停止全部进程。")
    print("==========================================================================\n", flush=True)


def _wechat_follow_url() -> str:
    _hall_settings()
    from gjj.portal.links import wechat_follow_url

    return wechat_follow_url()


DEMO_STAFF_FILE = REPO_ROOT / "data" / "demo-staff.json"
DEMO_STAFF = [
    ("chushen", "张初审", "初审"),
    ("fushen", "王复审", "复审"),
    ("caiwu", "孙财务", "财务"),
    ("shenji", "周审计", "审计"),
    ("guanli", "吴管理", "管理员"),
]

DEMO_LOGINS = [
    ("张伟", "210102198803120158", "新建商品房购房人，可提取 86,420.50 元"),
    ("李娜", "210103199007050241", "张伟的配偶，以配偶身份提取"),
    ("杨磊", "210106198411110378", "存量房（房证新档案号 2026010203456），盛京银行卡"),
    ("王芳", "21010419850101028X", "账户封存，不符合条件"),
    (
        "刘国庆",
        "210102196204180133",
        "1962 年生（和平区），新建商品房 SY202609150004321，可提取 152,380.60 元",
    ),
    ("孙秀兰", "210106197008152469", "1970 年生（铁西区），存量房（房证新档案号 2026070801234），工商银行卡"),
    ("韩梅", "210102196503150524", "已退休（账户封存），离退休提取全部余额 156,300.25 元，到账后销户"),
    ("曹阳", "210104199609090351", "无自有住房，租房提取最多 4,500.00 元（上次租房提取 2026-08-20）"),
    ("邓超", "210105196407010176", "已退休但有未结清的公积金贷款，离退休提取不予受理"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动公积金网上服务大厅的全部进程")
    parser.add_argument("--dataset", default=str(REPO_ROOT / "data" / "demo-dataset.json"))
    args = parser.parse_args(argv)
    dataset = Path(args.dataset)

    prepare(dataset)

    started: list[Service] = []
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for service in services():
            service.process = subprocess.Popen(  # noqa: S603
                service.command, cwd=REPO_ROOT, env={**os.environ, **service.env}
            )
            started.append(service)
            if not _wait_until_up(service):
                print(f"{service.title} 未能启动，正在停止其他进程", file=sys.stderr)
                return 1
            if service.name == "sims":
                # Before the hall answers: its followers find the menu from the first page on.
                _publish_wechat_menu()
        _print_banner(started, dataset)
        while not stopping:
            for service in started:
                if service.process and service.process.poll() is not None:
                    print(
                        f"{service.title} 已退出（代码 {service.process.returncode}），正在停止其他进程",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        print("正在停止全部进程 …", flush=True)
        _stop(started)
        print("已停止。")


if __name__ == "__main__":
    sys.exit(main())
