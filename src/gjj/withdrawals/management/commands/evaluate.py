"""gjj evaluate: the eligibility of one member for a withdrawal reason (购房提取 by default, 租房提取,
离退休提取), as one JSON object (DESIGN.md contract)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gjj.core.embedded_sims import embedded_simulators_running
from gjj.core.identity_numbers import id_number_normalize
from gjj.core.money import MoneyFormatError, yuan_to_fen
from gjj.core.timeutil import today_shanghai
from gjj.policy.reasons import REASON_KEYS, SUBJECT_HOUSE, reason_for
from gjj.withdrawals.eligibility import eligibility_evaluate
from gjj.withdrawals.inputs import bank_code_clean, card_number_clean, house_key_clean


class Command(BaseCommand):
    help = "按与提交申请相同的规则核验一名职工的提取条件（购房、租房或离退休提取），输出一个 JSON 对象"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id-number", required=True, help="身份证号")
        parser.add_argument(
            "--reason",
            default="purchase",
            choices=REASON_KEYS,
            help="提取原因：purchase 购房（默认）、rent 租房、retirement 离退休",
        )
        house = parser.add_mutually_exclusive_group()
        house.add_argument("--contract-no", help="备案合同号（新建商品房）")
        house.add_argument("--archive-no", help="房证新档案号（存量房）")
        parser.add_argument("--bank", required=True, help="收款银行：CCB、ICBC 或 SJB")
        parser.add_argument("--card", required=True, help="银行卡号码")
        parser.add_argument("--amount", help="提取金额（元），默认为可提取的最高金额")
        parser.add_argument("--on", help="按哪一天核验（YYYY-MM-DD，默认今天，北京时间）")

    def handle(self, *args: object, **options: str | None) -> None:
        amount_fen = None
        if options["amount"] is not None:
            try:
                amount_fen = yuan_to_fen(options["amount"])
            except MoneyFormatError as exc:
                raise CommandError(str(exc)) from exc
        on = today_shanghai()
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"--on 日期“{options['on']}”格式不正确，应为 YYYY-MM-DD") from exc
        reason = str(options["reason"])
        given = options["contract_no"] or options["archive_no"]
        if reason_for(reason).subject == SUBJECT_HOUSE and not given:
            raise CommandError("购房提取须填写 --contract-no（备案合同号）或 --archive-no（房证新档案号）")
        if reason_for(reason).subject != SUBJECT_HOUSE and given:
            raise CommandError("租房提取和离退休提取不填写房屋编号（--contract-no / --archive-no）")
        lookup_field, key = (
            ("contract_no", options["contract_no"])
            if options["contract_no"]
            else ("archive_no", options["archive_no"])
        )
        with embedded_simulators_running():
            evaluation = eligibility_evaluate(
                reason=reason,
                lookup_field=lookup_field if given else None,
                id_number=id_number_normalize(options["id_number"] or ""),
                house_key=house_key_clean(key) or None,
                bank=bank_code_clean(options["bank"]),
                card_no=card_number_clean(options["card"]),
                amount_fen=amount_fen,
                on=on,
            )
        self.stdout.write(json.dumps(evaluation.as_json(), ensure_ascii=False))
