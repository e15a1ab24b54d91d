"""The files the production topology needs, made once under its var directory: the secrets, the
local TLS certificate and nginx's configuration."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

# Every secret production refuses to start without (gjj.settings.production), and the stand-ins'
# own. Generated once: a second `make prod` reuses them, or sessions, the encrypted 身份证号 and the
# SSO's client registration would no longer match.
SECRET_MAKERS = {
    "GJJ_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "GJJ_OIDC_CLIENT_SECRET": lambda: secrets.token_urlsafe(32),
    "GJJ_WECHAT_TOKEN": lambda: secrets.token_urlsafe(24),
    "GJJ_WECHAT_SECRET": lambda: secrets.token_urlsafe(24),
    "GJJ_FIELD_KEYS": lambda: "k1:" + base64.b64encode(secrets.token_bytes(64)).decode(),
    "GJJ_S3_ACCESS_KEY_ID": lambda: "GJJ" + secrets.token_hex(8).upper(),
    "GJJ_S3_SECRET_ACCESS_KEY": lambda: secrets.token_urlsafe(30),
    "GOVSSO_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "GOVSSO_FIELD_KEYS": lambda: "k1:" + base64.b64encode(secrets.token_bytes(64)).decode(),
    "SIMS_SECRET_KEY": lambda: secrets.token_urlsafe(50),
}


def secrets_ensure(path: Path) -> dict[str, str]:
    """The secrets in ``path`` (``NAME=value`` lines, mode 0600), adding any that are missing. The
    file is replaced whole (written beside it, then renamed), never left half written: a truncated
    field key would be taken for the key and leave every encrypted 身份证号 unreadable."""
    known: dict[str, str] = {}
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            if not name.strip() or not value.strip():
                raise ValueError(f"{path} 第 {number} 行不是“名称=值”：请检查或删除该文件后重新生成")
            known[name.strip()] = value.strip()
    for name in ("GJJ_FIELD_KEYS", "GOVSSO_FIELD_KEYS"):
        if name in known and not _field_keys_valid(known[name]):
            raise ValueError(f"{path} 中的 {name} 格式不正确（应为“编号:64 字节的 base64”）")
    missing = {name: make() for name, make in SECRET_MAKERS.items() if name not in known}
    if missing:
        known.update(missing)
        body = "# 生产拓扑的密钥：首次 make prod 时生成，勿提交、勿外传。\n" + "".join(
            f"{name}={value}\n" for name, value in known.items()
        )
        _write_private(path, body.encode("utf-8"))
    os.chmod(path, 0o600)
    return known


def _field_keys_valid(value: str) -> bool:
    for entry in value.split(","):
        key_id, _, material = entry.partition(":")
        try:
            if not key_id or len(base64.b64decode(material, validate=True)) != 64:
                return False
        except ValueError:
            return False
    return True


def _write_private(path: Path, content: bytes) -> None:
    """``content`` into ``path`` with mode 0600 from the first byte, all or nothing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def certificate_ensure(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (``cert.pem``, ``key.pem``), made once.
    The browser tests trust it explicitly; a member's browser would be shown the warning."""
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gjj-hall local")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


NGINX_CONF = """\
# Made by gjj.fleet for this var directory; edit gjj/fleet/files.py instead.
worker_processes 2;
pid {nginx_dir}/nginx.pid;
error_log stderr warn;
{user_line}
events {{ worker_connections 1024; }}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    client_body_temp_path {nginx_dir}/tmp/body;
    proxy_temp_path {nginx_dir}/tmp/proxy;
    fastcgi_temp_path {nginx_dir}/tmp/fastcgi;
    uwsgi_temp_path {nginx_dir}/tmp/uwsgi;
    scgi_temp_path {nginx_dir}/tmp/scgi;

    # One JSON line per request; request_id is the X-Request-ID every hall log line of the request
    # (and of the tasks it enqueued) carries.
    log_format gjj_json escape=json '{{"time":"$time_iso8601","request_id":"$request_id",'
        '"remote":"$remote_addr","method":"$request_method","uri":"$uri","status":$status,'
        '"bytes":$body_bytes_sent,"upstream":"$upstream_addr","upstream_status":"$upstream_status",'
        '"duration":$request_time}}';
    access_log {log_dir}/nginx-access.log gjj_json;

    # 影像 uploads: a phone photo or a scanned PDF (the hall itself refuses what is too large), held
    # in memory rather than in temporary files, and answers streamed through: nginx's workers never
    # write to disk (started as root, they run as nobody, who may not reach the var directory).
    client_max_body_size 25m;
    client_body_buffer_size 25m;
    proxy_max_temp_file_size 0;

    upstream gjj_hall {{
{upstream_servers}
        keepalive 32;
        # Shorter than the instances' own (gunicorn keepalive 75, gjj.core.gunicorn_conf): a kept
        # connection is never one the instance has already closed.
        keepalive_timeout 30s;
    }}

    server {{
        listen 127.0.0.1:{http_port};
        return 301 https://$host:{https_port}$request_uri;
    }}

    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:gjj_tls:10m;

        # Metrics and readiness are read from each instance on the inside, never from the public
        # side (readiness names the stores that are down, and each probe costs a query of each).
        location = /metrics {{ return 404; }}
        location = /health/ready {{ return 404; }}

        location / {{
            proxy_pass http://gjj_hall;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # nginx is the edge: the address it saw, never a client's own X-Forwarded-For (the
            # hall trusts this header for the audit log and the per-address limits).
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Request-ID $request_id;
            # Exactly one X-Request-ID on every answer, nginx's own 502s included.
            proxy_hide_header X-Request-ID;
            add_header X-Request-ID $request_id always;
            # Another instance is tried when this one could not be reached, died mid-answer or timed
            # out, for a GET; a POST that reached an instance is never sent twice (nginx's default
            # for non-idempotent methods): the app retries it with its Idempotency-Key. Not on 503:
            # the hall answers 503 when the bank or the registry did not, which is no fault of the
            # instance (and would take it out of the upstream for fail_timeout).
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 90s;
        }}
    }}
}}
"""


def nginx_conf_write(
    *,
    nginx_dir: Path,
    log_dir: Path,
    http_port: int,
    https_port: int,
    hall_ports: list[int],
    cert: Path,
    key: Path,
) -> Path:
    for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_dir / "tmp" / part).mkdir(parents=True, exist_ok=True)
    user_line = "user nobody nogroup;" if os.geteuid() == 0 else ""
    path = nginx_dir / "nginx.conf"
    path.write_text(
        NGINX_CONF.format(
            nginx_dir=nginx_dir,
            log_dir=log_dir,
            user_line=user_line,
            http_port=http_port,
            https_port=https_port,
            upstream_servers="\n".join(
                f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in hall_ports
            ),
            cert=cert,
            key=key,
        ),
        encoding="utf-8",
    )
    return path
