"""The production topology's files: secrets made once and kept private, nginx's configuration."""

from __future__ import annotations

import stat

import pytest

from gjj.fleet.files import certificate_ensure, nginx_conf_write, secrets_ensure
from gjj.settings.base import EMBEDDED_OIDC_CLIENT_SECRET, EMBEDDED_SECRET_KEY


def test_secrets_are_made_once_private_and_never_the_published_ones(tmp_path):
    path = tmp_path / "secrets.env"
    first = secrets_ensure(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first["GJJ_SECRET_KEY"]) >= 50
    assert first["GJJ_SECRET_KEY"] != EMBEDDED_SECRET_KEY
    assert first["GJJ_OIDC_CLIENT_SECRET"] != EMBEDDED_OIDC_CLIENT_SECRET
    assert first["GJJ_FIELD_KEYS"].startswith("k1:")
    assert secrets_ensure(path) == first  # a second make prod keeps them

    # One lost from the file (an operator's edit): only that one is made again.
    kept = {name: value for name, value in first.items() if name != "GJJ_WECHAT_TOKEN"}
    path.write_text("".join(f"{name}={value}\n" for name, value in kept.items()))
    again = secrets_ensure(path)
    assert {name: again[name] for name in kept} == kept
    assert again["GJJ_WECHAT_TOKEN"] and again["GJJ_WECHAT_TOKEN"] != first["GJJ_WECHAT_TOKEN"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_certificate_names_both_loopback_names_and_is_made_once(tmp_path):
    from cryptography import x509

    cert, key = certificate_ensure(tmp_path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "localhost" in names.value.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    before = cert.read_bytes()
    certificate_ensure(tmp_path)
    assert cert.read_bytes() == before


def test_nginx_sends_both_instances_its_own_request_id_and_address_and_keeps_metrics_inside(tmp_path):
    path = nginx_conf_write(
        nginx_dir=tmp_path / "nginx",
        log_dir=tmp_path / "logs",
        http_port=18080,
        https_port=18443,
        hall_ports=[18101, 18102],
        cert=tmp_path / "cert.pem",
        key=tmp_path / "key.pem",
    )
    conf = path.read_text()
    assert "server 127.0.0.1:18101" in conf and "server 127.0.0.1:18102" in conf
    assert "listen 127.0.0.1:18443 ssl" in conf
    assert "return 301 https://$host:18443$request_uri;" in conf
    assert "location = /metrics { return 404; }" in conf
    assert "location = /health/ready { return 404; }" in conf
    assert "proxy_next_upstream error timeout;" in conf
    assert "keepalive_timeout 30s;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    # The address nginx saw, never what the client put in its own X-Forwarded-For.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf


def test_a_damaged_secrets_file_is_refused_not_taken_for_the_keys(tmp_path):
    path = tmp_path / "secrets.env"
    secrets = secrets_ensure(path)
    truncated = secrets["GJJ_FIELD_KEYS"][:20]
    path.write_text(path.read_text().replace(secrets["GJJ_FIELD_KEYS"], truncated))
    with pytest.raises(ValueError, match="GJJ_FIELD_KEYS 格式不正确"):
        secrets_ensure(path)
    path.write_text("GJJ_SECRET_KEY\n")
    with pytest.raises(ValueError, match="第 1 行"):
        secrets_ensure(path)
