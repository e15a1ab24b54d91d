"""Background work of the official account (Huey): thin wrappers around services."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gjj.wechat import callback, notifications


@db_task(retries=5, retry_delay=30)
def send_wechat_notification(notification_id: int) -> None:
    notifications.wechat_notification_send(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def reconcile_wechat_notifications() -> None:
    notifications.wechat_notifications_reconcile(older_than_seconds=settings.GJJ_RECONCILE_AFTER_SECONDS)
    callback.deliveries_forget()
