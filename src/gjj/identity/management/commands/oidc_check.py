"""`gjj oidc-check`: compare the hall's OpenID Connect settings with the provider's discovery
document, before pointing a running hall at a new provider.

Prints one line per check and exits 1 when something would stop members from logging in.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The login cannot work without these; without the other two it degrades to documented behaviour
# (claims from the ID token only; 退出 ends the hall session only).
_ESSENTIAL_ENDPOINTS = {"authorization_endpoint", "token_endpoint", "jwks_uri"}


def oidc_configuration_problems(discovery: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(problems that break the login, warnings worth a look) for this discovery document."""
    problems: list[str] = []
    warnings: list[str] = []
    if discovery.get("issuer") != settings.GJJ_OIDC_ISSUER:
        problems.append(
            f"issuer: 提供方为 {discovery.get('issuer')!r}，GJJ_OIDC_ISSUER 为 {settings.GJJ_OIDC_ISSUER!r}（须完全一致）"
        )
    endpoints = [
        (
            "authorization_endpoint",
            "GJJ_OIDC_AUTHORIZATION_ENDPOINT",
            settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        ),
        ("token_endpoint", "GJJ_OIDC_TOKEN_ENDPOINT", settings.OIDC_OP_TOKEN_ENDPOINT),
        ("jwks_uri", "GJJ_OIDC_JWKS_ENDPOINT", settings.OIDC_OP_JWKS_ENDPOINT),
        ("userinfo_endpoint", "GJJ_OIDC_USERINFO_ENDPOINT", settings.OIDC_OP_USER_ENDPOINT),
        ("end_session_endpoint", "GJJ_OIDC_END_SESSION_ENDPOINT", settings.OIDC_OP_END_SESSION_ENDPOINT),
    ]
    for key, variable, configured in endpoints:
        announced = discovery.get(key, "")
        if announced != configured:
            line = f"{key}: 提供方为 {announced!r}，{variable} 为 {configured!r}"
            (problems if key in _ESSENTIAL_ENDPOINTS else warnings).append(line)
    if "S256" not in discovery.get("code_challenge_methods_supported", []):
        problems.append("code_challenge_methods_supported 不含 S256：提供方不支持 PKCE S256")
    if settings.OIDC_RP_SIGN_ALGO not in discovery.get("id_token_signing_alg_values_supported", []):
        problems.append(f"id_token_signing_alg_values_supported 不含 {settings.OIDC_RP_SIGN_ALGO}")
    if "code" not in discovery.get("response_types_supported", ["code"]):
        problems.append("response_types_supported 不含 code")
    scopes_supported = discovery.get("scopes_supported")
    if scopes_supported:
        missing = [scope for scope in settings.OIDC_RP_SCOPES.split() if scope not in scopes_supported]
        if missing:
            problems.append(f"scopes_supported 不含 GJJ_OIDC_SCOPES 中的 {' '.join(missing)}")
    claims_supported = discovery.get("claims_supported")
    if claims_supported and settings.GJJ_OIDC_ID_NUMBER_CLAIM not in claims_supported:
        warnings.append(
            f"claims_supported 未列出 {settings.GJJ_OIDC_ID_NUMBER_CLAIM!r}（GJJ_OIDC_ID_NUMBER_CLAIM）"
        )
    return problems, warnings


class Command(BaseCommand):
    help = "对照身份提供方的 discovery 文档检查网厅的 OpenID Connect 配置"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--discovery-url",
            default=settings.GJJ_OIDC_DISCOVERY_URL,
            help="默认 GJJ_OIDC_DISCOVERY_URL（{issuer}/.well-known/openid-configuration）",
        )

    def handle(self, *args: Any, discovery_url: str, **options: Any) -> None:
        try:
            response = requests.get(discovery_url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            discovery = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"无法读取 {discovery_url}：{exc}") from exc
        if not isinstance(discovery, dict):
            raise CommandError(f"{discovery_url} 不是 discovery 文档")

        problems, warnings = oidc_configuration_problems(discovery)
        for line in problems:
            self.stdout.write(self.style.ERROR(f"错误  {line}"))
        for line in warnings:
            self.stdout.write(self.style.WARNING(f"注意  {line}"))
        if problems:
            raise CommandError(f"{len(problems)} 项配置与提供方不符，会员将无法登录")
        self.stdout.write(self.style.SUCCESS(f"配置与 {discovery.get('issuer')} 一致"))
