"""The housing registry: filed contracts of new houses (备案合同号) and property certificates of
resale houses (房证新档案号), each with its buyers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class HouseKind(models.TextChoices):
    NEW = "new", "新建商品房"
    RESALE = "resale", "存量房"


class HouseStatus(models.TextChoices):
    VALID = "valid", "有效"
    CANCELLED = "cancelled", "已撤销备案"


class House(models.Model):
    contract_no = models.CharField("备案合同号", max_length=64, null=True, blank=True, unique=True)
    archive_no = models.CharField("房证新档案号", max_length=64, null=True, blank=True, unique=True)
    kind = models.CharField("房屋类型", max_length=8, choices=HouseKind.choices)
    address = models.CharField("房屋坐落", max_length=300)
    area_m2 = models.DecimalField("建筑面积（平方米）", max_digits=10, decimal_places=2)
    total_price_fen = models.BigIntegerField("房屋总价（分）")
    filed_on = models.DateField("备案日期", null=True, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    status = models.CharField("备案状态", max_length=16, choices=HouseStatus.choices)

    class Meta:
        verbose_name = "房屋"
        constraints = (
            models.CheckConstraint(
                condition=Q(contract_no__isnull=False) | Q(archive_no__isnull=False),
                name="house_has_contract_or_archive_no",
            ),
            models.CheckConstraint(condition=Q(total_price_fen__gte=0), name="house_price_not_negative"),
        )

    def __str__(self) -> str:
        return self.contract_no or self.archive_no or ""


class HouseBuyer(models.Model):
    house = models.ForeignKey(House, verbose_name="房屋", on_delete=models.CASCADE, related_name="buyers")
    # The order of the buyers on the contract; the registry answers them in this order.
    position = models.PositiveSmallIntegerField("顺序")
    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=64)

    class Meta:
        verbose_name = "购房人"
        ordering = (
            "house",
            "position",
        )
        constraints = (
            models.UniqueConstraint(fields=["house", "position"], name="house_buyer_position_unique"),
        )

    def __str__(self) -> str:
        return self.name
