"""SMS to the member at each member event (submitted, approved, paid, rejected, returned,
payout_failed): ``notify`` subscribes to ``gjj.withdrawals.events`` (``WithdrawalsConfig.ready``).

The message row is written in the transaction that changes the state; the worker sends it after
commit, and the reconciler re-sends any still pending, so a crash loses no notification."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from gjj.clients.sms import SmsUnavailable, get_sms_client
from gjj.core.masking import mask_card_number
from gjj.core.member_links import h5_application_path, public_url
from gjj.core.money import format_yuan
from gjj.members.models import AccountStatus, FundAccount
from gjj.policy.active import active_policy
from gjj.policy.reasons import reason_for
from gjj.policy.rules import reason_short_name
from gjj.withdrawals.events import MemberEvent
from gjj.withdrawals.models import Application, Notification, NotificationState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def _text(application: Application, event: MemberEvent) -> str:
    policy = active_policy()
    no = application.business_no
    amount = format_yuan(application.amount_fen or 0)
    card = mask_card_number(application.card_no)
    bank = policy.bank_name(application.bank)
    # The phone's page of this application: the member logs in there and lands on it.
    link = public_url(h5_application_path(no or ""))
    what = reason_short_name(policy, application.reason)
    texts: dict[str, str] = {
        MemberEvent.SUBMITTED: f"您的{what}申请已提交，业务流水号{no}，提取金额{amount}，请留意审核结果。",
        MemberEvent.APPROVED: f"您的{what}申请（业务流水号{no}）已审批通过，{amount}将转入您尾号{card[-4:]}的{bank}账户。",
        MemberEvent.PAID: f"您的{what}款{amount}已转入{bank}账户（{card}），业务流水号{no}。",
        MemberEvent.REJECTED: f"您的{what}申请（业务流水号{no}）未通过审核：{application.decision_reason}。",
        MemberEvent.RETURNED: (
            f"您的{what}申请（业务流水号{no}）需补正：{application.decision_reason}。"
            f"请在个人网厅“我的业务”或手机打开 {link} 修改并重新提交。"
        ),
        MemberEvent.PAYOUT_FAILED: (
            f"您的{what}款（业务流水号{no}）转账未成功，资金已退回公积金账户。"
            f"请在个人网厅“我的业务”或手机打开 {link} 更换收款银行卡。"
        ),
    }
    text = texts[event]
    if (
        event == MemberEvent.PAID
        and reason_for(application.reason).closes_account
        and _account_closed(application)
    ):
        text += "您的住房公积金个人账户已销户。"
    return f"【{policy.centre_name}】{text}如有疑问请致电{policy.hotline}。"


def _account_closed(application: Application) -> bool:
    return FundAccount.objects.filter(pk=application.account_id, status=AccountStatus.CLOSED).exists()


def notify(*, application: Application, event: MemberEvent) -> Notification:
    """The SMS for ``event``: its row now, in the state-changing transaction; sent after commit."""
    notification = Notification.objects.create(
        application=application,
        phone=application.person.phone,
        text=_text(application, event),
        created_at=timezone.now(),
    )
    from gjj.withdrawals import tasks

    transaction.on_commit(lambda: tasks.send_notification(notification.pk))
    return notification


def notification_send(*, notification_id: int) -> bool:
    """Send one pending SMS; True when it went out. Safe to call twice (a sent one is skipped)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.state != NotificationState.PENDING:
            return notification.state == NotificationState.SENT
        notification.attempts += 1
        try:
            get_sms_client().send(phone=notification.phone, text=notification.text)
        except SmsUnavailable:
            logger.warning("短信发送失败，稍后重试：通知 %s", notification.pk)
            if notification.attempts >= MAX_ATTEMPTS:
                notification.state = NotificationState.FAILED
            notification.save(update_fields=["attempts", "state"])
            return False
        notification.state, notification.sent_at = NotificationState.SENT, timezone.now()
        notification.save(update_fields=["attempts", "state", "sent_at"])
        return True
