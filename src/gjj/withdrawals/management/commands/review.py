"""gjj review: a reviewer's decision from the command line (the back office's screens come later;
this is the operator's tool meanwhile). The decision goes through the same services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.withdrawals import services
from gjj.withdrawals.errors import ApplicationError
from gjj.withdrawals.models import Application


class Command(BaseCommand):
    help = "审核一笔提取申请：领取、通过、不予通过或退回补正（按业务流水号）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business-no", required=True, help="业务流水号")
        parser.add_argument("--reviewer", required=True, help="审核人的工作人员用户名")
        decision = parser.add_mutually_exclusive_group(required=True)
        decision.add_argument("--claim", action="store_true", help="领取审核")
        decision.add_argument("--approve", action="store_true", help="审核通过")
        decision.add_argument("--reject", action="store_true", help="不予通过")
        decision.add_argument("--return", dest="return_", action="store_true", help="退回补正")
        parser.add_argument("--reason", default="", help="意见或原因")
        parser.add_argument("--fix", action="append", default=[], help="需补正的材料或项目（可多次）")

    def handle(self, *args: object, **options: object) -> None:
        reviewer = (
            get_user_model()
            .objects.filter(username=options["reviewer"], is_active=True, is_staff=True)
            .first()
        )
        if reviewer is None:
            raise CommandError(f"没有名为“{options['reviewer']}”的在职工作人员")
        application = Application.objects.filter(business_no=options["business_no"]).first()
        if application is None:
            raise CommandError(f"没有业务流水号为“{options['business_no']}”的申请")
        reason = str(options["reason"])
        try:
            if options["claim"]:
                application = services.application_claim(application=application, reviewer=reviewer)
            elif options["approve"]:
                application = services.application_approve(
                    application=application, reviewer=reviewer, reason=reason
                )
            elif options["reject"]:
                application = services.application_reject(
                    application=application, reviewer=reviewer, reason=reason
                )
            else:
                application = services.application_return(
                    application=application,
                    reviewer=reviewer,
                    what_to_fix=list(options["fix"]),  # type: ignore[call-overload]
                    reason=reason,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{application.business_no}：{application.get_state_display()}")
