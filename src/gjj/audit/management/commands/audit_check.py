"""gjj audit-check: recompute the audit log's hash chain; exit 1 when anything was changed or removed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gjj.audit.selectors import audit_chain_check, audit_entry_count


class Command(BaseCommand):
    help = "校验审计日志的哈希链：发现被修改或删除的记录时逐条列出，并以状态 1 退出"
    # Reads only the audit tables: an integrity check must still run while some other part of the
    # project fails its system checks.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        problems = audit_chain_check()
        if problems:
            for problem in problems:
                self.stderr.write(problem.message)
            raise CommandError(f"审计日志校验未通过：发现 {len(problems)} 处问题", returncode=1)
        self.stdout.write(f"审计日志完整：共 {audit_entry_count()} 条，哈希链校验通过")
