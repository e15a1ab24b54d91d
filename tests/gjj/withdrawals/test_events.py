"""Member events: announced by the domain in the state-changing transaction, sent by subscribers
after commit; the domain imports no channel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

import gjj.policy
import gjj.withdrawals
from gjj.wechat.models import WechatBinding, WechatNotification
from gjj.wechat.notifications import wechat_notify
from gjj.withdrawals import events, notifications
from gjj.withdrawals.actors import Actor
from gjj.withdrawals.events import MemberEvent, member_event_subscribe, member_event_subscribers
from gjj.withdrawals.lifecycle import State, application_transition
from gjj.withdrawals.models import Application, Channel, Notification, NotificationState
from tests.gjj.conftest import funded_member

CHANNEL_APPS = ("gjj.wechat", "gjj.hall", "gjj.mobile", "gjj.api", "gjj.backoffice", "gjj.portal")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", [gjj.withdrawals, gjj.policy], ids=["withdrawals", "policy"])
def test_the_domain_imports_no_channel(package):
    offending = {
        f"{path.relative_to(Path(package.__file__).parent)}: {name}"
        for path in Path(package.__file__).parent.rglob("*.py")
        for name in _imports(path)
        if any(name == app or name.startswith(f"{app}.") for app in CHANNEL_APPS)
    }
    assert not offending, sorted(offending)


def test_the_sms_and_wechat_senders_subscribe_at_start_up():
    subscribers = member_event_subscribers()
    assert notifications.notify in subscribers
    assert wechat_notify in subscribers
    # Subscribing again changes nothing (a second ready() must not send twice).
    member_event_subscribe(notifications.notify)
    assert member_event_subscribers() == subscribers


@pytest.fixture
def awaiting(db):
    person = funded_member()
    WechatBinding.objects.create(person=person, openid="o-zhangwei", linked_at=timezone.now())
    return Application.objects.create(
        person=person,
        account=person.account,
        channel=Channel.WEB,
        state=State.AWAITING_MATERIALS,
        business_no="TQ20261127000001",
        bank="CCB",
        card_no="6217001376212461799",
        amount_fen=5_000_000,
    )


def _submit(application: Application) -> None:
    application_transition(
        application=application,
        to_state=State.SUBMITTED,
        actor=Actor.member(application.person, channel=Channel.WEB),
        reason="影像材料已上传，提交申请",
    )


def test_a_third_sender_is_one_subscriber_and_every_sender_writes_in_the_transaction_and_sends_after_commit(
    awaiting, django_capture_on_commit_callbacks
):
    pushed: list[tuple[str, MemberEvent, bool]] = []

    def app_push(*, application: Application, event: MemberEvent) -> None:
        in_transaction = transaction.get_connection().in_atomic_block
        pushed.append((application.business_no or "", event, in_transaction))

    undo = member_event_subscribe(app_push)
    try:
        with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
            _submit(awaiting)
            # The outbox rows are written with the state change, nothing is sent yet.
            sms = Notification.objects.get(application=awaiting)
            template = WechatNotification.objects.get(application=awaiting, event="submitted")
            assert sms.state == template.state == NotificationState.PENDING
    finally:
        undo()
    assert pushed == [("TQ20261127000001", MemberEvent.SUBMITTED, True)]
    assert len(after_commit) == 2  # the SMS and the template message, sent by the worker
    assert "您的购房提取申请已提交，业务流水号TQ20261127000001" in sms.text
    assert app_push not in member_event_subscribers()


def test_a_change_that_rolls_back_leaves_no_message_and_sends_nothing(
    awaiting, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as after_commit,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _submit(awaiting)
        raise RuntimeError("the rest of the change failed")
    awaiting.refresh_from_db()
    assert awaiting.state == State.AWAITING_MATERIALS
    assert not Notification.objects.exists() and not WechatNotification.objects.exists()
    assert after_commit == []


def test_a_sender_that_fails_rolls_the_change_back(awaiting, monkeypatch):
    def broken(*, application: Application, event: MemberEvent) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(events, "_subscribers", [*events.member_event_subscribers(), broken])
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(awaiting)
    awaiting.refresh_from_db()
    assert awaiting.state == State.AWAITING_MATERIALS
    assert not awaiting.transitions.exists() and not Notification.objects.exists()
