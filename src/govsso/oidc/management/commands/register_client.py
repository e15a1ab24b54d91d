"""``python -m django register_client --settings=govsso.settings --client-id gjj-hall
--client-secret S --redirect-uri http://127.0.0.1:8000/oidc/callback/
--post-logout-redirect-uri http://127.0.0.1:8000/hall/logged-out/ --name 公积金网上服务大厅``

Registers a relying party (confidential, authorization code + PKCE, RS256, no consent screen),
or updates the one with that client id: running it again with the same arguments changes
nothing. Several URIs may be given space-separated in one argument or by repeating the option."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govsso.oidc.services import oidc_client_register


def _uris(values: list[str] | None) -> list[str]:
    return [uri for value in values or [] for uri in value.split()]


class Command(BaseCommand):
    help = "登记（或更新）一个 OpenID Connect 客户端（依赖方），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True, help="客户端标识（client_id）")
        secret = parser.add_mutually_exclusive_group(required=True)
        secret.add_argument("--client-secret", help="客户端密钥（以散列保存）")
        # On the command line a secret is readable by every user of the machine (/proc/<pid>/cmdline).
        secret.add_argument(
            "--client-secret-env", metavar="NAME", help="从该环境变量读取客户端密钥（不出现在命令行上）"
        )
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            help="登录回调地址；多个地址以空格分隔，或重复本选项",
        )
        parser.add_argument(
            "--post-logout-redirect-uri",
            action="append",
            default=[],
            help="退出后返回地址；多个地址以空格分隔，或重复本选项",
        )
        parser.add_argument("--name", default="公积金网上服务大厅", help="客户端名称")

    def handle(self, *args: Any, **options: Any) -> None:
        client_secret = options["client_secret"]
        if options["client_secret_env"]:
            client_secret = os.environ.get(options["client_secret_env"], "")
            if not client_secret:
                raise CommandError(f"环境变量 {options['client_secret_env']} 未设置或为空", returncode=1)
        try:
            registration = oidc_client_register(
                client_id=options["client_id"],
                client_secret=client_secret,
                name=options["name"],
                redirect_uris=_uris(options["redirect_uri"]),
                post_logout_redirect_uris=_uris(options["post_logout_redirect_uri"]),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                problems = "；".join(
                    f"{field}: {' '.join(texts)}" for field, texts in exc.message_dict.items()
                )
            else:
                problems = "；".join(exc.messages)
            raise CommandError(f"客户端登记失败：{problems}", returncode=1) from exc
        except ValueError as exc:
            raise CommandError(f"客户端登记失败：{exc}", returncode=1) from exc
        verb = "已登记" if registration.created else "已更新"
        self.stdout.write(f"客户端 {registration.application.client_id} {verb}")
