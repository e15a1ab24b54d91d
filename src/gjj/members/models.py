"""People, employers, fund accounts, the ledger, loans and withdrawals paid before this system.

A balance changes only through ``ledger_post`` (gjj.members.services), which writes a ledger
entry and the new balance in one transaction: ``balance_fen == sum(entries.amount_fen)`` always.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from gjj.core.encrypted import EncryptedCharField


class Employer(models.Model):
    code = models.CharField("单位编号", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=200)

    class Meta:
        verbose_name = "缴存单位"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    id_number = EncryptedCharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=64)
    phone = EncryptedCharField("手机号", max_length=11)
    spouse = models.OneToOneField(
        "self", verbose_name="配偶", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # From the social-security data (the dataset's people[].retired_on); None: not retired, or unknown.
    retired_on = models.DateField("退休日期", null=True, blank=True)

    class Meta:
        verbose_name = "缴存职工"

    def __str__(self) -> str:
        return self.name


class AccountStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SEALED = "sealed", "封存"
    FROZEN = "frozen", "冻结"
    CLOSED = "closed", "销户"


class FundAccount(models.Model):
    account_no = models.CharField("个人账号", max_length=32, unique=True)
    person = models.OneToOneField(
        Person, verbose_name="缴存职工", on_delete=models.PROTECT, related_name="account"
    )
    employer = models.ForeignKey(
        Employer, verbose_name="缴存单位", on_delete=models.PROTECT, related_name="accounts"
    )
    status = models.CharField("账户状态", max_length=8, choices=AccountStatus.choices)
    balance_fen = models.BigIntegerField("余额（分）", default=0)
    frozen_fen = models.BigIntegerField("冻结金额（分）", default=0)
    opened_on = models.DateField("开户日期")
    monthly_deposit_fen = models.BigIntegerField("月缴存额（分）", default=0)
    paid_through = models.CharField("缴至年月", max_length=7, help_text="YYYY-MM")
    consecutive_months = models.PositiveIntegerField("连续缴存月数", default=0)
    closed_at = models.DateTimeField("销户时间", null=True, blank=True)
    closure_reason = models.CharField("销户原因", max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "个人账户"
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="account_balance_not_negative"),
            models.CheckConstraint(condition=Q(frozen_fen__gte=0), name="account_frozen_not_negative"),
            models.CheckConstraint(
                condition=Q(frozen_fen__lte=F("balance_fen")), name="account_frozen_within_balance"
            ),
        ]

    def __str__(self) -> str:
        return self.account_no

    @property
    def available_fen(self) -> int:
        return self.balance_fen - self.frozen_fen


class LedgerEntryKind(models.TextChoices):
    OPENING = "opening", "期初余额"
    DEPOSIT = "deposit", "汇缴"
    WITHDRAWAL = "withdrawal", "提取"
    ADJUSTMENT = "adjustment", "调整"


class LedgerEntry(models.Model):
    """One change of a balance. Entries are never updated or deleted; a correction is a new entry."""

    account = models.ForeignKey(
        FundAccount, verbose_name="个人账户", on_delete=models.PROTECT, related_name="entries"
    )
    sequence = models.PositiveIntegerField("序号")
    kind = models.CharField("类型", max_length=16, choices=LedgerEntryKind.choices)
    amount_fen = models.BigIntegerField("发生额（分）")
    balance_after_fen = models.BigIntegerField("余额（分）")
    reference = models.CharField("业务参考号", max_length=64, blank=True)
    memo = models.CharField("摘要", max_length=200, blank=True)
    occurred_at = models.DateTimeField("记账时间")

    class Meta:
        verbose_name = "账户明细"
        ordering = ["account_id", "sequence"]
        constraints = [
            # Two writers of one account cannot both append entry n: the second fails and retries.
            models.UniqueConstraint(fields=["account", "sequence"], name="ledger_sequence_unique"),
            # A business reference (a payout serial, an import key) is booked at most once per kind.
            models.UniqueConstraint(
                fields=["account", "kind", "reference"],
                condition=~Q(reference=""),
                name="ledger_reference_once",
            ),
            models.CheckConstraint(condition=Q(balance_after_fen__gte=0), name="ledger_balance_not_negative"),
            models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_amount_not_zero"),
        ]


class LoanStatus(models.TextChoices):
    ACTIVE = "active", "正常还款"
    SETTLED = "settled", "已结清"
    OVERDUE = "overdue", "逾期"


class Loan(models.Model):
    person = models.ForeignKey(Person, verbose_name="借款人", on_delete=models.PROTECT, related_name="loans")
    status = models.CharField("贷款状态", max_length=8, choices=LoanStatus.choices)
    overdue_months = models.PositiveIntegerField("逾期月数", default=0)
    source_key = models.CharField("导入键", max_length=64, unique=True)

    class Meta:
        verbose_name = "公积金贷款"


class PriorWithdrawalReason(models.TextChoices):
    """Why a withdrawal before this system was paid (the dataset's prior_withdrawals[].reason)."""

    PURCHASE = "purchase", "购房提取"
    RENT = "rent", "租房提取"
    RETIREMENT = "retirement", "离退休提取"


class PriorWithdrawal(models.Model):
    """A withdrawal paid before this system. A purchase names its house and counts against the
    house price and house_used; a rent withdrawal dates the last rent payment (rent_interval, the
    rent amount); neither rent nor retirement names a house (``house_key`` is empty)."""

    person = models.ForeignKey(
        Person, verbose_name="提取人", on_delete=models.PROTECT, related_name="prior_withdrawals"
    )
    reason = models.CharField(
        "提取原因",
        max_length=16,
        choices=PriorWithdrawalReason.choices,
        default=PriorWithdrawalReason.PURCHASE,
    )
    house_key = models.CharField(
        "房屋编号",
        max_length=64,
        blank=True,
        help_text="备案合同号或房证新档案号；租房提取、离退休提取为空",
        db_index=True,
    )
    amount_fen = models.BigIntegerField("提取金额（分）")
    paid_on = models.DateField("支付日期")

    class Meta:
        verbose_name = "历史提取"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reason", "house_key", "paid_on", "amount_fen"],
                name="prior_withdrawal_once",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="prior_withdrawal_positive"),
            # A purchase names its house; rent and retirement name none.
            models.CheckConstraint(
                condition=(Q(reason=PriorWithdrawalReason.PURCHASE) & ~Q(house_key=""))
                | (~Q(reason=PriorWithdrawalReason.PURCHASE) & Q(house_key="")),
                name="prior_withdrawal_house_by_reason",
            ),
        ]


class HoldStatus(models.TextChoices):
    HELD = "held", "冻结中"
    RELEASED = "released", "已解冻"
    CONSUMED = "consumed", "已支取"


class FundHold(models.Model):
    """An amount set aside for an approved withdrawal until it is paid or released.

    ``FundAccount.frozen_fen`` is always the sum of the account's holds in state ``held``.
    """

    account = models.ForeignKey(
        FundAccount, verbose_name="个人账户", on_delete=models.PROTECT, related_name="holds"
    )
    reference = models.CharField("业务参考号", max_length=64, unique=True)
    amount_fen = models.BigIntegerField("冻结金额（分）")
    status = models.CharField("状态", max_length=8, choices=HoldStatus.choices, default=HoldStatus.HELD)
    created_at = models.DateTimeField("冻结时间")
    closed_at = models.DateTimeField("解冻/支取时间", null=True, blank=True)

    class Meta:
        verbose_name = "资金冻结"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="hold_amount_positive")]
