"""Template messages to members who linked WeChat, at the same state changes as the SMS
(submitted, approved, paid, rejected, returned, payout_failed).

``wechat_notify`` subscribes to the domain's member events (``gjj.withdrawals.events``, in
``WechatConfig.ready``), so it runs inside the transaction that changes the state: it writes a
``WechatNotification`` row (nothing when the member has not linked WeChat) and has the worker send
it after commit; the reconciler re-sends any still pending."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from gjj.clients.wechat import WechatRefused, WechatUnavailable, get_wechat_client
from gjj.core.member_links import h5_application_path
from gjj.core.money import format_yuan
from gjj.policy.active import active_policy
from gjj.policy.rules import reason_short_name
from gjj.wechat import conf
from gjj.wechat.links import h5_url
from gjj.wechat.models import WechatBinding, WechatNotification
from gjj.withdrawals.events import MemberEvent
from gjj.withdrawals.models import Application, NotificationState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# errcodes after which sending again is pointless: the user unfollowed / refused / bad openid.
_PERMANENT_ERRCODES = frozenset({40003, 43004, 43101})

_STATUS = {
    "submitted": "已提交，待审核",
    "approved": "审批通过",
    "paid": "已到账",
    "rejected": "未通过审核",
    "returned": "退回补正",
    "payout_failed": "转账未成功",
}


def _value(text: str) -> dict[str, str]:
    return {"value": text}


def template_data(application: Application, event: str) -> dict[str, Any]:
    policy = active_policy()
    amount = format_yuan(application.amount_fen or 0)
    remarks = {
        "submitted": f"提取金额{amount}，请留意审核结果。",
        "approved": f"{amount}将转入您的{policy.bank_name(application.bank)}账户。",
        "paid": f"{amount}已转入您的{policy.bank_name(application.bank)}账户。",
        "rejected": f"原因：{application.decision_reason}。",
        "returned": f"需补正：{application.decision_reason}。请点击详情，修改并重新提交。",
        "payout_failed": "资金已退回公积金账户，请点击详情，更换收款银行卡。",
    }
    return {
        "first": _value(f"您的{reason_short_name(policy, application.reason)}申请有新进展"),
        "keyword1": _value(application.business_no or ""),
        "keyword2": _value(_STATUS[event]),
        "remark": _value(f"{remarks[event]}如有疑问请致电{policy.hotline}。"),
    }


def wechat_notify(*, application: Application, event: MemberEvent) -> WechatNotification | None:
    openid = (
        WechatBinding.objects.filter(person_id=application.person_id).values_list("openid", flat=True).first()
    )
    if not openid:
        return None
    notification = WechatNotification.objects.create(
        application=application,
        openid=openid,
        event=event,
        data=template_data(application, event),
        created_at=timezone.now(),
    )
    from gjj.wechat import tasks

    transaction.on_commit(lambda: tasks.send_wechat_notification(notification.pk))
    return notification


def wechat_notification_send(*, notification_id: int) -> bool:
    """Send one pending template message; True when it went out. Safe to call twice."""
    with transaction.atomic():
        notification = (
            WechatNotification.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=notification_id)
        )
        if notification.state != NotificationState.PENDING:
            return notification.state == NotificationState.SENT
        notification.attempts += 1
        try:
            answer = get_wechat_client().template_send(
                openid=notification.openid,
                template_id=conf.template_id(),
                # built now, so that the link's wx token is fresh when the member gets it
                url=h5_url(
                    h5_application_path(notification.application.business_no or ""),
                    openid=notification.openid,
                ),
                data=notification.data,
            )
        except WechatUnavailable as exc:
            permanent = isinstance(exc, WechatRefused) and exc.errcode in _PERMANENT_ERRCODES
            logger.warning(
                "微信模板消息发送失败%s：通知 %s", "" if permanent else "，稍后重试", notification.pk
            )
            if permanent or notification.attempts >= MAX_ATTEMPTS:
                notification.state = NotificationState.FAILED
            notification.save(update_fields=["attempts", "state"])
            return False
        notification.state, notification.sent_at = NotificationState.SENT, timezone.now()
        notification.msgid = str(answer.get("msgid", ""))[:40]
        notification.save(update_fields=["attempts", "state", "sent_at", "msgid"])
        return True


def wechat_notifications_reconcile(*, older_than_seconds: int, limit: int = 500) -> int:
    """Send again what is still pending after ``older_than_seconds``; the number sent."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    pending = WechatNotification.objects.filter(state=NotificationState.PENDING, created_at__lt=cutoff)
    sent = 0
    for notification_id in pending.order_by("created_at").values_list("pk", flat=True)[:limit]:
        sent += wechat_notification_send(notification_id=notification_id)
    return sent
