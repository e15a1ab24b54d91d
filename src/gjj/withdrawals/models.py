"""Withdrawal applications (提取申请), their materials, transitions, review decisions and payouts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from gjj.core import glossary
from gjj.core.encrypted import EncryptedCharField

# The states, their groups and who moves them are the lifecycle's (re-exported for the models' readers).
from gjj.withdrawals.lifecycle import ACTIVE_STATES as ACTIVE_STATES
from gjj.withdrawals.lifecycle import CLAIMING_STATES as CLAIMING_STATES
from gjj.withdrawals.lifecycle import FINAL_STATES, ActorKind, State


class Channel(models.TextChoices):
    """Where an application, a transition or a material came from; the labels are the glossary's,
    the same on every page, the receipt, the API and the back office."""

    WEB = "web", glossary.CHANNEL_WEB
    WECHAT = "wechat", glossary.CHANNEL_WECHAT
    APP = "app", glossary.CHANNEL_APP
    API = "api", glossary.CHANNEL_API
    BACKOFFICE = "backoffice", glossary.CHANNEL_BACKOFFICE
    SYSTEM = "system", glossary.CHANNEL_SYSTEM


class HouseClaim(models.Model):
    """One row per house key, locked while an application's amount is reserved against the house
    price, so that two applicants on one house (two spouses) can never together exceed it."""

    key = models.CharField(max_length=64, unique=True)


class DailySequence(models.Model):
    """The daily counter behind business numbers (TQ + date + sequence), unique under concurrency."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class Application(models.Model):
    business_no = models.CharField("业务流水号", max_length=20, unique=True, null=True, blank=True)
    # No index of its own: application_member_newest (person, -created_at) leads with it.
    person = models.ForeignKey(
        "members.Person",
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,
    )
    account = models.ForeignKey(
        "members.FundAccount", verbose_name="个人账户", on_delete=models.PROTECT, related_name="applications"
    )
    # The reason's key in the registry (gjj.policy.reasons: purchase, rent, retirement) and its code
    # in the national list (01, 07, 03) as the policy named it when the draft began.
    reason = models.CharField("提取原因", max_length=16, default="purchase", db_index=True)
    reason_code = models.CharField("提取原因代码", max_length=2, default="01")
    channel = models.CharField("受理渠道", max_length=12, choices=Channel.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)

    lookup_field = models.CharField("房屋查询方式", max_length=12, blank=True)  # contract_no / archive_no
    house_key = models.CharField("备案合同号/房证新档案号", max_length=64, blank=True, db_index=True)
    house_snapshot = models.JSONField("房屋信息快照", null=True, blank=True)
    house_source = models.CharField("房屋信息来源", max_length=200, blank=True)
    house_looked_up_at = models.DateTimeField("房屋信息查询时间", null=True, blank=True)
    relation = models.CharField("与购房人关系", max_length=8, blank=True)  # buyer / spouse

    bank = models.CharField("收款银行", max_length=8, blank=True)
    card_no = EncryptedCharField("银行卡号码", max_length=19, blank=True)
    card_verification = models.JSONField("银行核验结果", null=True, blank=True)
    card_verified_at = models.DateTimeField("银行核验时间", null=True, blank=True)

    amount_fen = models.BigIntegerField("提取金额（分）", null=True, blank=True)

    declaration_version = models.CharField("承诺书版本", max_length=32, blank=True)
    declaration_accepted_at = models.DateTimeField("承诺时间", null=True, blank=True)
    declaration_client_ip = models.GenericIPAddressField("承诺时客户端地址", null=True, blank=True)
    declaration_user_agent = models.CharField("承诺时客户端", max_length=300, blank=True)

    rule_results = models.JSONField("规则核验结果", null=True, blank=True)
    evaluated_at = models.DateTimeField("核验时间", null=True, blank=True)
    machine_verified = models.BooleanField("全部由数据源核验", default=False)
    # What the stored evaluation was made on (``evaluated_inputs_record``): the house, the bank, a
    # keyed digest of the card and the amount, with the maximum the rules allowed then. Every
    # later state is checked against it (``gjj check-applications``).
    evaluated_inputs = models.JSONField("核验时的申请内容", null=True, blank=True)
    instant_approved = models.BooleanField("秒批", default=False)

    # The review: who holds the case now (one reviewer at a time), and which approval it awaits
    # (1 初审; 2 复审, after a first approval at or above the four-eyes threshold).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核领取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_applications",
    )
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    review_stage = models.PositiveSmallIntegerField("待审级次", default=1)

    what_to_fix = models.JSONField("退回补正内容", null=True, blank=True)
    decision_reason = models.CharField("审批意见", max_length=500, blank=True)

    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    materials_due_at = models.DateTimeField("材料上传截止时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    paid_at = models.DateTimeField("到账时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "提取申请"
        ordering = ["-created_at"]
        constraints = [
            # A member keeps at most one draft: every channel continues the same one.
            models.UniqueConstraint(
                fields=["person"], condition=Q(state="draft"), name="one_draft_per_member"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__isnull=True) | Q(amount_fen__gt=0), name="amount_positive"
            ),
        ]
        # Every list of applications reads a bounded slice through one of these, never all history.
        indexes = [
            # The review queue: only the cases waiting for a decision (the last days' arrivals), in
            # the queue's order; the stage is a key column too, so that the queue's stage filter and
            # its counts read the index alone.
            models.Index(
                fields=["submitted_at", "id", "review_stage"],
                condition=Q(state__in=["submitted", "under_review"]),
                name="application_waiting_queue",
            ),
            # The dashboard's window of days: arrivals by channel, decisions' and payments' durations.
            models.Index(fields=["submitted_at", "channel"], name="application_submitted_day"),
            models.Index(fields=["decided_at", "submitted_at"], name="application_decided_day"),
            models.Index(fields=["paid_at", "submitted_at"], name="application_paid_day"),
            # 我的业务: one member's applications, newest first.
            models.Index(fields=["person", "-created_at"], name="application_member_newest"),
        ]

    def __str__(self) -> str:
        return self.business_no or f"草稿#{self.pk}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class Transition(models.Model):
    """Every state change of an application: who, when, why and from which channel."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField("原状态", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices)
    actor_kind = models.CharField("操作人类型", max_length=8, choices=ActorKind.choices)
    actor_label = models.CharField("操作人", max_length=100)
    actor_person = models.ForeignKey(
        "members.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    reason = models.CharField("原因", max_length=500)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "状态变更"
        ordering = ["at", "id"]
        indexes = [
            # The dashboard's decision outcomes of a window of days.
            models.Index(
                fields=["at", "to_state", "application"],
                condition=Q(to_state__in=["approved", "rejected", "returned"]),
                name="transition_outcome_day",
            ),
        ]


class Material(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField("材料类型", max_length=32)
    file = models.FileField("文件", upload_to="materials/%Y/%m/")
    content_type = models.CharField("文件类型", max_length=32)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    is_current = models.BooleanField("当前有效", default=True)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_via = models.CharField("渠道", max_length=12, choices=Channel.choices)

    class Meta:
        verbose_name = "影像材料"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(is_current=True),
                name="one_current_material_per_kind",
            )
        ]


class Decision(models.TextChoices):
    APPROVE = "approve", "通过"
    REJECT = "reject", "不通过"
    RETURN = "return", "退回补正"


class ReviewDecision(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions"
    )
    stage = models.PositiveSmallIntegerField("审核级次")  # 1 初审, 2 复审
    decision = models.CharField("结论", max_length=8, choices=Decision.choices)
    reason = models.CharField("意见", max_length=500, blank=True)
    what_to_fix = models.JSONField("补正内容", null=True, blank=True)
    # Decisions of one review round; a returned application starts a new round.
    round = models.PositiveSmallIntegerField("审核轮次", default=1)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "审核意见"
        ordering = ["at", "id"]


class PayoutState(models.TextChoices):
    PENDING = "pending", "待支付"
    SENT = "sent", "已发送银行"
    PROCESSING = "processing", "银行处理中"
    UNKNOWN = "unknown", "结果待查询"
    DONE = "done", "支付成功"
    FAILED = "failed", "支付失败"


OPEN_PAYOUT_STATES = frozenset(
    {PayoutState.PENDING, PayoutState.SENT, PayoutState.PROCESSING, PayoutState.UNKNOWN}
)


class Payout(models.Model):
    """One transfer to the member's card. The serial is fixed before the first call to the bank and
    is the bank's idempotency key: a payout is never re-sent under a new serial."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payouts")
    serial = models.CharField("支付流水号", max_length=32, unique=True)
    bank = models.CharField("收款银行", max_length=8)
    card_no = EncryptedCharField("收款卡号", max_length=19)
    holder_name = models.CharField("户名", max_length=64)
    amount_fen = models.BigIntegerField("金额（分）")
    state = models.CharField("状态", max_length=12, choices=PayoutState.choices, default=PayoutState.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    bank_reference = models.CharField("银行流水号", max_length=64, blank=True)
    bank_message = models.CharField("银行返回信息", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    last_attempt_at = models.DateTimeField("最近发送时间", null=True, blank=True)
    send_lease_until = models.DateTimeField("发送占用至", null=True, blank=True)
    needs_manual = models.BooleanField("需人工处理", default=False)
    # Every send, answer and query, oldest first: {"at", "event", "message"} (for 财务).
    history = models.JSONField("处理记录", default=list, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "支付"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payout_amount_positive"),
            # At most one payout of an application is open at a time.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(state__in=["pending", "sent", "processing", "unknown"]),
                name="one_open_payout_per_application",
            ),
        ]
        indexes = [
            # The dashboard's amounts paid per day of a window.
            models.Index(
                fields=["completed_at", "amount_fen"],
                condition=Q(state="done"),
                name="payout_done_day",
            ),
        ]


class NotificationState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    """An SMS to a member, written in the same transaction as the state change it reports and sent
    by the worker after commit; the reconciler re-sends what is still pending."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notifications")
    phone = EncryptedCharField(max_length=11)
    text = models.CharField(max_length=500)
    state = models.CharField(
        max_length=8, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
