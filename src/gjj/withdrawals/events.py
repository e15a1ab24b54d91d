"""What members are told about their application, announced by the domain; the channels subscribe.

``member_event_announce`` runs in the transaction that changes the state (the lifecycle's table
says which transitions announce which event). Each subscriber writes its own outbox row there and
has the worker send it after commit (``transaction.on_commit``); its reconciler re-sends what is
still pending. So a state change and its notifications commit together or not at all, and nothing
is sent for a change that rolled back.

The senders subscribe at start-up, in their apps' ``AppConfig.ready``: the SMS sender
(``gjj.withdrawals.notifications``) and the WeChat template messages (``gjj.wechat.notifications``).
The domain imports no channel; another sender (an APP push) is one more subscriber."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from django.db import models, transaction

if TYPE_CHECKING:
    from gjj.withdrawals.models import Application


class MemberEvent(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "审批通过"
    PAID = "paid", "已到账"
    REJECTED = "rejected", "未通过"
    RETURNED = "returned", "退回补正"
    PAYOUT_FAILED = "payout_failed", "支付失败"


class MemberEventSubscriber(Protocol):
    def __call__(self, *, application: Application, event: MemberEvent) -> object: ...


_subscribers: list[MemberEventSubscriber] = []


def member_event_subscribe(subscriber: MemberEventSubscriber) -> Callable[[], None]:
    """Call ``subscriber(application=..., event=...)`` at every member event, after the ones
    subscribed before it. Subscribing the same callable again changes nothing. Returns the undo."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return lambda: member_event_unsubscribe(subscriber)


def member_event_unsubscribe(subscriber: MemberEventSubscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def member_event_subscribers() -> tuple[MemberEventSubscriber, ...]:
    return tuple(_subscribers)


def member_event_announce(*, application: Application, event: MemberEvent) -> None:
    """Tell every subscriber, inside the state-changing transaction: a subscriber that fails rolls
    the change back with it (its outbox row is part of the change)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("member events are announced in the transaction that changes the state")
    for subscriber in tuple(_subscribers):
        subscriber(application=application, event=MemberEvent(event))
