"""gjj reconcile-statement: import a day's bank statement (fetched from the bank, or a file the
bank sent) and print how its lines compare with the hall's payouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.clients.bank import BankUnavailable
from gjj.core.money import format_yuan
from gjj.reconciliation import services
from gjj.reconciliation.matching import BUCKET_ORDER


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"对账日期“{text}”格式不正确，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "导入某日银行对账单并与中心支付记录核对（默认从银行获取，或用 --file 指定文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, help="对账日期，YYYY-MM-DD（北京时间）")
        parser.add_argument("--file", help="银行对账单 CSV 文件；不给则从银行获取")

    def handle(self, *args: object, **options: object) -> None:
        day = _day(str(options["date"]))
        try:
            if options.get("file"):
                path = Path(str(options["file"]))
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
                statement = services.statement_import(day=day, content=content, source=path.name, actor=None)
            else:
                statement = services.statement_fetch_and_import(day=day, actor=None)
        except services.StatementRejected as exc:
            raise CommandError("对账单未导入：\n" + "\n".join(exc.problems)) from exc
        except BankUnavailable as exc:
            raise CommandError(exc.message) from exc

        self.stdout.write(
            f"{statement.day.isoformat()} 对账单已导入（来源：{statement.source}），共 {statement.line_count} 行"
        )
        for bucket in BUCKET_ORDER:
            self.stdout.write(f"{bucket.label}：{statement.count_of(bucket)}")
        self.stdout.write(
            f"对账单成功金额：{format_yuan(statement.bank_done_fen)}；"
            f"中心当日支付成功金额：{format_yuan(statement.hall_paid_fen)}"
        )
