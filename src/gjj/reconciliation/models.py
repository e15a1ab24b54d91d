"""Imports of the bank's daily statement and the reconciliation of each of their lines.

Every import is kept (history); the latest import of a day is that day's current report. An
import identical to one already taken for the same day (same SHA-256) is refused: it could only
repeat the same report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gjj.reconciliation.matching import Bucket

SOURCE_BANK = "bank"


class StatementImport(models.Model):
    day = models.DateField("对账日期", db_index=True)
    # "bank" when fetched from the bank gateway; otherwise the name of the uploaded file.
    source = models.CharField("来源", max_length=200)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField("导入时间")
    line_count = models.PositiveIntegerField("对账单行数")

    matched_count = models.PositiveIntegerField("已核对一致", default=0)
    missing_at_bank_count = models.PositiveIntegerField("银行缺失", default=0)
    unknown_to_hall_count = models.PositiveIntegerField("中心无记录", default=0)
    amount_mismatch_count = models.PositiveIntegerField("金额不符", default=0)
    duplicate_count = models.PositiveIntegerField("重复记录", default=0)
    result_mismatch_count = models.PositiveIntegerField("结果不符", default=0)

    bank_done_fen = models.BigIntegerField("对账单成功金额（分）", default=0)
    bank_failed_fen = models.BigIntegerField("对账单失败金额（分）", default=0)
    hall_paid_fen = models.BigIntegerField("中心当日支付成功金额（分）", default=0)

    class Meta:
        verbose_name = "对账单导入"
        ordering = ["-imported_at", "-id"]
        constraints = [
            # Two identical files for one day would only repeat the same report.
            models.UniqueConstraint(fields=["day", "sha256"], name="statement_import_once_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} 对账单（{self.source}）"

    @property
    def is_from_bank(self) -> bool:
        return self.source == SOURCE_BANK

    def count_of(self, bucket: str) -> int:
        return int(getattr(self, f"{bucket}_count"))

    @property
    def problem_count(self) -> int:
        return sum(self.count_of(bucket) for bucket in Bucket if bucket != Bucket.MATCHED)


class StatementLine(models.Model):
    """One row of a reconciliation: a line of the statement, or a payout the hall paid that day
    that the statement lacks (bucket missing_at_bank: no line number, no statement fields)."""

    statement_import = models.ForeignKey(
        StatementImport, verbose_name="对账单导入", on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveIntegerField("行号", null=True, blank=True)
    serial = models.CharField("支付流水号", max_length=64, db_index=True)
    # Masked on the way in: the hall never needs the full card number of a statement line.
    card_no = models.CharField("卡号（已脱敏）", max_length=32, blank=True)
    amount_fen = models.BigIntegerField("银行金额（分）", null=True, blank=True)
    result = models.CharField("银行结果", max_length=8, blank=True)
    bank_reference = models.CharField("银行流水号", max_length=64, blank=True)
    bucket = models.CharField("核对结果", max_length=16, choices=Bucket.choices, db_index=True)
    payout = models.ForeignKey(
        "withdrawals.Payout",
        verbose_name="支付",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_lines",
    )
    hall_amount_fen = models.BigIntegerField("中心金额（分）", null=True, blank=True)
    note = models.CharField("说明", max_length=300)

    class Meta:
        verbose_name = "对账明细"
        ordering = ["statement_import", "line_no", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bucket="missing_at_bank", line_no__isnull=True, payout__isnull=False)
                | (~Q(bucket="missing_at_bank") & Q(line_no__isnull=False)),
                name="statement_line_has_line_or_payout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial}：{self.get_bucket_display()}"
