"""Fault rules: how a simulated system misbehaves, kept in the database so that every worker
process of the simulator sees the same rules and counts calls together."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SimulatedSystem(models.TextChoices):
    REGISTRY = "registry", "房屋登记系统"
    BANK = "bank", "银行"
    SMS = "sms", "短信平台"


class Operation(models.TextChoices):
    LOOKUP = "lookup", "查询房屋"
    BUYER_HOUSES = "buyer_houses", "查询名下房屋"
    VERIFY = "verify", "校验银行卡"
    PAY = "pay", "转账"
    QUERY = "query", "查询转账"
    SEND = "send", "发送短信"


OPERATIONS_BY_SYSTEM: dict[str, frozenset[str]] = {
    SimulatedSystem.REGISTRY: frozenset({Operation.LOOKUP, Operation.BUYER_HOUSES}),
    SimulatedSystem.BANK: frozenset({Operation.VERIFY, Operation.PAY, Operation.QUERY}),
    SimulatedSystem.SMS: frozenset({Operation.SEND}),
}


class FaultMode(models.TextChoices):
    ERROR = "error", "返回 HTTP 500"
    TIMEOUT = "timeout", "执行后迟迟不答复（长于调用方超时）"
    SLOW = "slow", "延迟后执行并答复"
    PROCESSING = "processing", "转账受理为处理中，稍后完成"
    DROP_RESPONSE = "drop_response", "执行但答复丢失（返回无法解析的内容）"
    REFUSE = "refuse", "拒绝请求（返回 HTTP 403，不执行）"
    DUPLICATE = "duplicate", "请求重复送达（执行两次，答复第二次的结果）"
    # Not a behaviour of its own: each hit call gets one of MIXED_MODES, see ``fault_take``.
    MIXED = "mixed", "随机故障（500、超时、答复丢失、重复送达、延迟结果）"


# What a "mixed" rule draws from. "processing" (a late result) only means something for a
# transfer, so other operations draw from the rest.
MIXED_MODES: tuple[str, ...] = (
    FaultMode.ERROR,
    FaultMode.TIMEOUT,
    FaultMode.DROP_RESPONSE,
    FaultMode.DUPLICATE,
    FaultMode.PROCESSING,
)


SHARE_SCALE = 1_000_000


class FaultRule(models.Model):
    """At most one rule per (system, operation): installing a rule replaces the previous one, so
    what a test set up is exactly what happens."""

    system = models.CharField("系统", max_length=16, choices=SimulatedSystem.choices)
    operation = models.CharField("操作", max_length=16, choices=Operation.choices)
    mode = models.CharField("故障方式", max_length=16, choices=FaultMode.choices)
    # The share of calls hit, in millionths: exact integer arithmetic keeps "every Nth call"
    # deterministic (a float 0.1 * 10 is not 1).
    share_ppm = models.PositiveIntegerField("命中比例（百万分之）", default=SHARE_SCALE)
    max_applications = models.PositiveIntegerField("最多生效次数", null=True, blank=True)
    delay_ms = models.PositiveIntegerField("延迟（毫秒）", default=0)
    calls_seen = models.PositiveIntegerField("已计调用次数", default=0)
    times_applied = models.PositiveIntegerField("已生效次数", default=0)
    # {concrete mode: times applied}: a "mixed" rule's run reports how many of each kind it got.
    applied_by_mode = models.JSONField("各故障方式生效次数", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "故障规则"
        constraints = (
            models.UniqueConstraint(fields=["system", "operation"], name="fault_rule_one_per_operation"),
            models.CheckConstraint(
                condition=Q(share_ppm__lte=SHARE_SCALE), name="fault_rule_share_at_most_one"
            ),
        )

    def __str__(self) -> str:
        return f"{self.system}.{self.operation}: {self.mode}"

    @property
    def share(self) -> float:
        return self.share_ppm / SHARE_SCALE

    @property
    def exhausted(self) -> bool:
        return self.max_applications is not None and self.times_applied >= self.max_applications
