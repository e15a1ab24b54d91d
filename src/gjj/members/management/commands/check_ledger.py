"""gjj check-ledger: every balance equals the sum of its entries, every frozen amount its holds."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gjj.members.selectors import ledger_inconsistencies


class Command(BaseCommand):
    help = "核对账户余额与账户明细、冻结金额与冻结记录是否一致"

    def handle(self, *args: object, **options: object) -> None:
        problems = ledger_inconsistencies()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"发现 {len(problems)} 处不一致")
        self.stdout.write("账务核对一致：每个账户的余额等于明细合计，冻结金额等于冻结记录合计")
