"""gjj load-demo-staff FILE: the demo's staff accounts (skips those that exist). Demo only: their
TOTP secrets are published in the file."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.staff.roles import role_from_text
from gjj.staff.services import StaffError, staff_create


class Command(BaseCommand):
    help = "导入演示用工作人员账号（仅限演示环境）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.GJJ_DEMO_TOOLS:
            raise CommandError("演示工具未启用（GJJ_DEMO_TOOLS），生产环境请用 gjj staff-create 创建账号")
        document = json.loads(Path(str(options["file"])).read_text(encoding="utf-8"))
        user_model = get_user_model()
        created = 0
        for entry in document["staff"]:
            if user_model.objects.filter(username=entry["username"]).exists():
                continue
            try:
                staff_create(
                    username=entry["username"],
                    full_name=entry["name"],
                    roles=[role_from_text(text) for text in entry["roles"]],
                    password=document["password"],
                    totp_key_hex=entry["totp_key"],
                )
            except (StaffError, ValueError) as exc:
                raise CommandError(f"{entry['username']}：{exc}") from exc
            created += 1
        self.stdout.write(f"演示工作人员：新建 {created} 个")
