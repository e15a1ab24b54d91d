"""Background work (Huey): thin wrappers around services. Tasks are enqueued after commit; the
periodic reconciler heals anything an enqueue lost."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gjj.withdrawals import notifications, payouts, services
from gjj.withdrawals.models import Notification, NotificationState


@db_task(retries=3, retry_delay=10)
def execute_payout(payout_id: int) -> None:
    payouts.payout_execute(payout_id=payout_id)


@db_task(retries=5, retry_delay=30)
def send_notification(notification_id: int) -> None:
    notifications.notification_send(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def reconcile() -> None:
    payouts.payouts_reconcile()
    services.applications_expire()
    cutoff = timezone.now() - dt.timedelta(seconds=settings.GJJ_RECONCILE_AFTER_SECONDS)
    pending = Notification.objects.filter(state=NotificationState.PENDING, created_at__lt=cutoff)
    for notification_id in pending.values_list("pk", flat=True)[:500]:
        notifications.notification_send(notification_id=notification_id)
