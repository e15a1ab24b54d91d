"""The bank gateway: the accounts cards belong to, and every transfer the fund centre asked for.

Money is integer fen. ``BankAccount.received_fen`` is credited once per completed transfer, so a
test can tell that money arrived exactly once however often a payout was retried.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CardType(models.TextChoices):
    DEBIT = "debit", "借记卡"
    CREDIT = "credit", "信用卡"


class BankAccountStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    FROZEN = "frozen", "冻结"
    CLOSED = "closed", "销户"


class BankAccount(models.Model):
    card_no = models.CharField("卡号", max_length=19, unique=True)
    bank = models.CharField("开户行", max_length=16)
    # Every bank account of a dataset is a debit account: credit cards never receive payouts.
    card_type = models.CharField("卡种", max_length=8, choices=CardType.choices, default=CardType.DEBIT)
    account_class = models.PositiveSmallIntegerField("账户类别", help_text="1 一类，2 二类，3 三类")
    holder_id_number = models.CharField("户主身份证号", max_length=18)
    holder_name = models.CharField("户名", max_length=64)
    status = models.CharField("账户状态", max_length=8, choices=BankAccountStatus.choices)
    received_fen = models.BigIntegerField("累计入账（分）", default=0)

    class Meta:
        verbose_name = "银行账户"
        constraints = (
            models.CheckConstraint(condition=Q(account_class__in=[1, 2, 3]), name="bank_account_class_known"),
            models.CheckConstraint(
                condition=Q(received_fen__gte=0), name="bank_account_received_not_negative"
            ),
        )

    def __str__(self) -> str:
        return f"{self.bank} {self.card_no[:4]}…{self.card_no[-4:]}"


class TransferResult(models.IntegerChoices):
    DONE = 0, "成功"
    FAILED = 1, "失败"
    PROCESSING = 2, "处理中"


class Transfer(models.Model):
    """A payout the fund centre ordered. The serial is the caller's idempotency key: the bank never
    executes the same serial twice."""

    serial = models.CharField("交易流水号", max_length=64, unique=True)
    card_no = models.CharField("收款卡号", max_length=19, db_index=True)
    bank = models.CharField("收款银行（调用方所选）", max_length=16)
    holder_name = models.CharField("收款人户名", max_length=64)
    amount_fen = models.BigIntegerField("金额（分）")
    memo = models.CharField("附言", max_length=200, blank=True)
    result = models.PositiveSmallIntegerField("结果", choices=TransferResult.choices)
    bank_reference = models.CharField("银行流水号", max_length=40, unique=True)
    message = models.CharField("说明", max_length=200)
    created_at = models.DateTimeField("受理时间")
    # When a transfer accepted as "processing" may complete; it completes on the first query after.
    completes_after = models.DateTimeField("预计完成时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "转账"
        ordering = (
            "created_at",
            "pk",
        )
        constraints = (
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="transfer_amount_positive"),
        )

    def __str__(self) -> str:
        return self.serial
