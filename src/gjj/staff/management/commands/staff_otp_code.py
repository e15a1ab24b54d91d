"""gjj staff-otp-code USERNAME: the current TOTP code of a demo account, for trying the back office
without an authenticator app. Refused unless the demo tools are switched on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.staff.services import staff_totp_device, totp_now


class Command(BaseCommand):
    help = "显示演示工作人员当前的动态口令（仅限演示环境）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.GJJ_DEMO_TOOLS:
            raise CommandError("演示工具未启用（GJJ_DEMO_TOOLS）：请使用身份验证器中的动态口令")
        user = get_user_model().objects.filter(username=options["username"], is_staff=True).first()
        device = staff_totp_device(user=user) if user else None
        if device is None:
            raise CommandError(f"没有名为“{options['username']}”且绑定了动态口令的工作人员")
        self.stdout.write(totp_now(device.key))
