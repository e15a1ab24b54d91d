"""gjj check-applications: what is stored and paid is what was checked."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gjj.withdrawals.checked_inputs import applications_inconsistencies


class Command(BaseCommand):
    help = "核对每笔已提交的提取申请：核验结果覆盖其金额、收款卡与房屋，支付金额等于审批金额"

    def handle(self, *args: object, **options: object) -> None:
        problems = applications_inconsistencies()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"发现 {len(problems)} 处不一致")
        self.stdout.write("提取申请核对一致：每笔申请的核验内容与其金额、收款卡、房屋相符，支付与审批相符")
