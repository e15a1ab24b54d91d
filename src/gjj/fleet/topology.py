"""What the production topology runs, with which environment, and in which order."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from gjj.core.env import REPO_ROOT
from gjj.fleet.files import SECRET_MAKERS, certificate_ensure, nginx_conf_write, secrets_ensure
from gjj.fleet.processes import FleetStartFailed, ProcessSpec, ProcessTable
from gjj.launcher import _gunicorn

PG_BASE = "postgres://postgres@127.0.0.1:5432"
BUCKET = "gjj-materials"
NGINX = "/usr/sbin/nginx"


@dataclass(frozen=True)
class Ports:
    https: int = 8443
    http: int = 8080
    halls: tuple[int, ...] = (8101, 8102)
    govsso: int = 8111
    sims: int = 8112
    s3: int = 8113
    worker_metrics: tuple[int, ...] = (8121, 8122)

    @classmethod
    def free(cls) -> Ports:
        """Ports no one listens on now: a topology beside ``make prod`` (a test, a chaos run)."""
        return cls(
            https=free_port(),
            http=free_port(),
            halls=(free_port(), free_port()),
            govsso=free_port(),
            sims=free_port(),
            s3=free_port(),
            worker_metrics=(free_port(), free_port()),
        )


def free_port() -> int:
    """A loopback port no one listens on now (the bench's and the tests' stand-ins use it too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin_connection(base: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{base.rstrip('/')}/postgres", autocommit=True)


def database_ensure(name: str, *, base: str = PG_BASE, fresh: bool = False) -> str:
    """The PostgreSQL database ``name``, made when missing (with ``fresh``: dropped and made anew,
    empty); its URL."""
    with _admin_connection(base) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base.rstrip('/')}/{name}"


def database_drop(name: str, *, base: str = PG_BASE) -> None:
    with _admin_connection(base) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_flush(url: str) -> None:
    """Empties the Redis database of ``url`` (its number only, not the server)."""
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass(frozen=True)
class FleetConfig:
    """One topology: its own var directory, databases (``gjj_<name>``, ``govsso_<name>``,
    ``sims_<name>``), Redis database number and ports."""

    name: str = "prod"
    var_dir: Path = REPO_ROOT / "var" / "prod"
    ports: Ports = field(default_factory=Ports)
    pg_base: str = PG_BASE
    redis_url: str = "redis://127.0.0.1:6379/1"
    dataset: Path | None = REPO_ROOT / "data" / "demo-dataset.json"
    # Added to every process's environment (a chaos run's shorter time-outs, raised rate limits).
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"

    def database_name(self, system: str) -> str:
        return f"{system}_{self.name}"

    def database_url(self, system: str) -> str:
        return f"{self.pg_base.rstrip('/')}/{self.database_name(system)}"

    @property
    def hall_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports.halls]

    @property
    def govsso_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.govsso}"

    @property
    def sims_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.sims}"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.s3}"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "logs"

    @property
    def tls_dir(self) -> Path:
        return self.var_dir / "tls"


def hall_names(config: FleetConfig) -> list[str]:
    return [f"hall-{i}" for i in range(1, len(config.ports.halls) + 1)]


def worker_names(config: FleetConfig) -> list[str]:
    return [f"worker-{i}" for i in range(1, len(config.ports.worker_metrics) + 1)]


# The stand-ins' copies of the hall's WeChat secrets (the platform's console holds them too).
_DERIVED_SECRETS = frozenset({"SIMS_WECHAT_TOKEN", "SIMS_WECHAT_SECRET"})
SECRET_NAMES = frozenset(SECRET_MAKERS) | _DERIVED_SECRETS
# The hall's instances and workers; a ``gjj`` command run by the operator (import-dataset loads the
# stand-ins too) has them all.
HALL_SECRETS = frozenset(name for name in SECRET_MAKERS if name.startswith("GJJ_"))


def secrets_only(env: dict[str, str], *keep: str) -> dict[str, str]:
    """``env`` without the secrets a process has no use for: each holds only its own."""
    return {name: value for name, value in env.items() if name not in SECRET_NAMES or name in keep}


def environment(config: FleetConfig) -> dict[str, str]:
    """Every process's environment: the hall's production settings, and the stand-ins'."""
    known = secrets_ensure(config.var_dir / "secrets.env")
    cert, _ = certificate_ensure(config.tls_dir)
    ports = config.ports
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GJJ_", "GOVSSO_", "SIMS_"))},
        **known,
        "DJANGO_SETTINGS_MODULE": "gjj.settings.production",
        "GJJ_VAR_DIR": str(config.var_dir),
        "GJJ_DATABASE_URL": config.database_url("gjj"),
        "GOVSSO_DATABASE_URL": config.database_url("govsso"),
        "SIMS_DATABASE_URL": config.database_url("sims"),
        "GJJ_REDIS_URL": config.redis_url,
        "GJJ_LOG_FORMAT": "json",
        "GJJ_S3_BUCKET": BUCKET,
        "GJJ_S3_ENDPOINT_URL": config.s3_url,
        "GJJ_PUBLIC_BASE_URL": config.public_url,
        "GJJ_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GJJ_TRUST_X_FORWARDED_FOR": "true",
        "GJJ_GOVSSO_PORT": str(ports.govsso),
        "GJJ_SIMS_PORT": str(ports.sims),
        "GJJ_HALL_PORT": str(ports.https),
        "GJJ_OIDC_POST_LOGOUT_REDIRECT_URI": f"{config.public_url}/hall/logged-out/",
        # The SSO stand-in and the WeChat platform stand-in are configured as the centre would
        # configure the real ones: the hall's public https address, its token and secret.
        "SIMS_WECHAT_CALLBACK_URL": f"{config.public_url}/wechat/callback/",
        "SIMS_WECHAT_TOKEN": known["GJJ_WECHAT_TOKEN"],
        "SIMS_WECHAT_SECRET": known["GJJ_WECHAT_SECRET"],
        # The stand-ins call the hall over https: they trust the fleet's own certificate.
        "REQUESTS_CA_BUNDLE": str(cert),
        "SSL_CERT_FILE": str(cert),
        **config.extra_env,
    }


def process_specs(config: FleetConfig, env: dict[str, str]) -> dict[str, ProcessSpec]:
    """Every process, in start order (the stores first, nginx last)."""
    ports = config.ports
    specs = [
        ProcessSpec(
            "s3",
            "对象存储（moto S3 服务）",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports.s3)],
            secrets_only(env),
            health_url=f"{config.s3_url}/moto-api/",
        ),
        ProcessSpec(
            "sims",
            "外部系统模拟器（住房信息、银行、短信、微信）",
            # Threads enough for the bank's injected time-outs, which hold a thread each.
            _gunicorn("sims.wsgi", ports.sims, 2, threads=16),
            {
                **secrets_only(env, "SIMS_SECRET_KEY", *_DERIVED_SECRETS),
                "DJANGO_SETTINGS_MODULE": "sims.settings",
            },
            health_url=f"{config.sims_url}/health",
        ),
        ProcessSpec(
            "govsso",
            "辽宁政务服务网（统一身份认证模拟）",
            _gunicorn("govsso.wsgi", ports.govsso, 2),
            {
                **secrets_only(env, "GOVSSO_SECRET_KEY", "GOVSSO_FIELD_KEYS"),
                "DJANGO_SETTINGS_MODULE": "govsso.settings",
            },
            health_url=f"{config.govsso_url}/health",
        ),
    ]
    for name, port, url in zip(hall_names(config), ports.halls, config.hall_urls, strict=True):
        metrics_dir = config.var_dir / "metrics" / name
        specs.append(
            ProcessSpec(
                name,
                f"公积金网上服务大厅 {name}",
                _gunicorn("gjj.wsgi", port, 2, config_module="gjj.core.gunicorn_conf"),
                {
                    **secrets_only(env, *HALL_SECRETS),
                    "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                    "GJJ_INSTANCE": name,
                },
                health_url=f"{url}/health/live",
            )
        )
    for index, (name, metrics_port) in enumerate(
        zip(worker_names(config), ports.worker_metrics, strict=True)
    ):
        # SIGTERM (make prod-down, a deploy) lets the tasks under way finish, for up to 15 s.
        command = [
            sys.executable,
            "-m",
            "gjj.cli",
            "run_huey",
            "--graceful-signal",
            "TERM",
            "--shutdown-timeout",
            "15",
        ]
        if index > 0:
            # One scheduler: every consumer would otherwise enqueue each periodic task again.
            command.append("--no-periodic")
        specs.append(
            ProcessSpec(
                name,
                f"后台任务 {name}",
                command,
                {
                    **secrets_only(env, *HALL_SECRETS),
                    "GJJ_METRICS_PORT": str(metrics_port),
                    "GJJ_INSTANCE": name,
                },
                health_url=f"http://127.0.0.1:{metrics_port}/metrics",
            )
        )
    specs.append(
        ProcessSpec(
            "nginx",
            "nginx（HTTPS 入口）",
            [
                NGINX,
                "-p",
                str(config.var_dir / "nginx"),
                "-c",
                str(config.var_dir / "nginx" / "nginx.conf"),
                "-e",
                "stderr",
                "-g",
                "daemon off;",
            ],
            secrets_only(env),
            health_url=f"{config.public_url}/health/live",
        )
    )
    return {spec.name: spec for spec in specs}


def process_names(config: FleetConfig) -> list[str]:
    """In start order; stopped in the reverse."""
    return ["s3", "sims", "govsso", *hall_names(config), *worker_names(config), "nginx"]


class Fleet:
    """The topology of ``config``: prepare it, bring it up, kill and restart one process, stop it."""

    def __init__(self, config: FleetConfig, *, progress: Callable[[str], None] = print) -> None:
        self.config = config
        self.progress = progress
        # Secrets, the TLS key and logs of requests live here: the operator's alone.
        config.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(config.var_dir, 0o700)
        self.table = ProcessTable.load(config.var_dir / "fleet.json", config.log_dir)

    @cached_property
    def env(self) -> dict[str, str]:
        """Made (with the secrets and the certificate, once) only when something is started or run:
        ``down`` and ``status`` need neither."""
        return environment(self.config)

    @cached_property
    def specs(self) -> dict[str, ProcessSpec]:
        return process_specs(self.config, self.env)

    # -- bringing it up ---------------------------------------------------------------------------

    def up(self, *, fresh: bool = False) -> None:
        """Databases, migrations and static files, then every process in order; with ``fresh``,
        the databases are made anew and the Redis database emptied first."""
        running = [name for name in self.specs if self.table.alive(name)]
        if running:
            raise FleetStartFailed(
                f"已有进程在运行：{', '.join(running)}；请先停止："
                f"python -m gjj.fleet down --var-dir {self.config.var_dir}（var/prod 即 make prod-down）"
            )
        try:
            self._databases(fresh=fresh)
            self._manage("migrate", "--noinput", "-v", "0")
            self._manage("migrate", "--noinput", "-v", "0", settings="govsso.settings")
            self._manage("migrate", "--noinput", "-v", "0", settings="sims.settings")
            self._manage("collectstatic", "--noinput", "-v", "0")
            ports = self.config.ports
            nginx_conf_write(
                nginx_dir=self.config.var_dir / "nginx",
                log_dir=self.config.log_dir,
                http_port=ports.http,
                https_port=ports.https,
                hall_ports=list(ports.halls),
                cert=self.config.tls_dir / "cert.pem",
                key=self.config.tls_dir / "key.pem",
            )
            self._start("s3")
            self._bucket_ensure()
            self._start("sims")
            self._start("govsso")
            self._register_hall_with_sso()
            if self.config.dataset is not None and self._hall_is_empty():
                self.progress(f"导入数据 {self.config.dataset.name} …")
                self._manage("import-dataset", str(self.config.dataset))
            for name in [*hall_names(self.config), *worker_names(self.config), "nginx"]:
                self._start(name)
            self._manage("wechat-menu", check=False)
        except BaseException:
            self.down()
            raise

    def _start(self, name: str) -> None:
        spec = self.specs[name]
        self.progress(f"启动 {spec.title} …")
        self.table.start(spec)

    def _databases(self, *, fresh: bool) -> None:
        for system in ("gjj", "govsso", "sims"):
            database_ensure(self.config.database_name(system), base=self.config.pg_base, fresh=fresh)
        if fresh:
            redis_flush(self.config.redis_url)

    def _manage(self, *args: str, settings: str | None = None, check: bool = True) -> None:
        """A management command of the hall (or, with ``settings``, of a stand-in)."""
        if settings:
            finished = self._run([sys.executable, "-m", "django", *args, f"--settings={settings}"])
        else:
            finished = self.gjj(*args)
        if finished.returncode != 0 and check:
            raise FleetStartFailed(f"{args[0]} 失败：\n{(finished.stdout + finished.stderr)[-3000:]}")

    def _bucket_ensure(self) -> None:
        client = s3_client(self.config, self.env)
        existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
        if BUCKET not in existing:
            client.create_bucket(Bucket=BUCKET)
        # Nothing in it is ever public: every download goes through the hall, which checks who asks.
        client.put_public_access_block(
            Bucket=BUCKET,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )

    def _register_hall_with_sso(self) -> None:
        public = self.config.public_url
        self._manage(
            "register_client",
            "--client-id",
            "gjj-hall",
            "--client-secret-env",
            "GJJ_OIDC_CLIENT_SECRET",
            "--redirect-uri",
            f"{public}/oidc/callback/ https://localhost:{self.config.ports.https}/oidc/callback/",
            "--post-logout-redirect-uri",
            f"{public}/hall/logged-out/",
            "--name",
            "公积金网上服务大厅",
            settings="govsso.settings",
        )

    def _hall_is_empty(self) -> bool:
        import psycopg

        with psycopg.connect(self.config.database_url("gjj")) as connection:
            row = connection.execute("SELECT EXISTS (SELECT 1 FROM members_person)").fetchone()
        return not (row and row[0])

    # -- while it runs ----------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        self.table.kill(name)

    def restart(self, name: str) -> None:
        self.table.kill(name)
        self._start(name)

    def alive(self, name: str) -> bool:
        return self.table.alive(name)

    def gjj(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A ``gjj`` command against this fleet (its production settings and databases)."""
        return self._run([sys.executable, "-m", "gjj.cli", *args])

    def _run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own commands
            command, env=self.env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )

    # -- stopping ---------------------------------------------------------------------------------

    def down(self) -> list[str]:
        return self.table.stop_all(list(reversed(process_names(self.config))))


def s3_client(config: FleetConfig, env: dict[str, str]):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=config.s3_url,
        aws_access_key_id=env["GJJ_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["GJJ_S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
