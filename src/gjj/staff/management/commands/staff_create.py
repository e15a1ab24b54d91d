"""gjj staff-create: a staff account with roles and a TOTP second factor (prints the secret once)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.staff.roles import role_from_text
from gjj.staff.services import StaffError, staff_create


class Command(BaseCommand):
    help = "创建工作人员账号（岗位：初审、复审、财务、审计、管理员），并生成动态口令密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--role", action="append", required=True, help="岗位，可多次")
        parser.add_argument("--password", help="不给出时在终端输入")
        parser.add_argument("--totp-key", help="十六进制动态口令密钥（不给出时随机生成）")

    def handle(self, *args: object, **options: object) -> None:
        try:
            roles = [role_from_text(str(text)) for text in options["role"]]  # type: ignore[attr-defined]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        password = options["password"] or getpass.getpass("密码：")
        try:
            account = staff_create(
                username=str(options["username"]),
                full_name=str(options["name"]),
                roles=roles,
                password=str(password),
                totp_key_hex=str(options["totp_key"]) if options["totp_key"] else None,
            )
        except StaffError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已创建工作人员 {account.user.username}（{'、'.join(r.label for r in roles)}）")
        self.stdout.write(f"动态口令密钥（请录入身份验证器）：{account.totp_secret_base32}")
        self.stdout.write(f"otpauth 地址：{account.totp_uri}")
