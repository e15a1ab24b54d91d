"""Staff sessions end after 15 minutes without a request; members' sessions are not the back
office's business. The middleware's clock is moved, never slept on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from gjj.audit.models import AuditAction, AuditEntry
from gjj.backoffice import middleware
from gjj.staff.roles import StaffRole

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.at = timezone.now()

    def now(self) -> dt.datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch, settings) -> Clock:
    settings.GJJ_STAFF_IDLE_SECONDS = 15 * 60
    clock = Clock()
    # Only the middleware's view of time moves: the audit log and django-otp keep the real clock.
    monkeypatch.setattr(middleware, "timezone", SimpleNamespace(now=clock.now))
    return clock


@pytest.fixture
def finance_client(client, staff, sign_in, clock):
    sign_in(client, staff[StaffRole.FINANCE])
    assert client.get("/backoffice/payouts/").status_code == 200
    return client


def test_fifteen_minutes_and_a_second_of_silence_end_the_session(finance_client, clock, staff):
    clock.move(minutes=15, seconds=1)
    response = finance_client.get("/backoffice/payouts/")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/login/?next=%2Fbackoffice%2Fpayouts%2F&reason=idle"
    assert SESSION_KEY not in finance_client.session
    [entry] = AuditEntry.objects.filter(action=AuditAction.STAFF_SESSION_EXPIRED)
    assert entry.actor_id == staff[StaffRole.FINANCE].user.pk
    assert "15 分钟" in entry.summary
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_LOGOUT).exists()
    # The login page explains why, and the next request is a plain anonymous one.
    assert "超过 15 分钟未操作" in finance_client.get(response["Location"]).content.decode()
    again = finance_client.get("/backoffice/payouts/")
    assert again["Location"] == "/backoffice/login/?next=%2Fbackoffice%2Fpayouts%2F"
    assert AuditEntry.objects.filter(action=AuditAction.STAFF_SESSION_EXPIRED).count() == 1


def test_a_post_after_the_idle_limit_is_not_carried_out(finance_client, clock):
    clock.move(minutes=16)
    response = finance_client.post("/backoffice/payouts/NOPE/redrive/")
    assert response["Location"] == "/backoffice/login/?reason=idle"


def test_activity_within_the_limit_restarts_the_timer(finance_client, clock):
    for _ in range(3):
        clock.move(minutes=14, seconds=59)
        assert finance_client.get("/backoffice/payouts/").status_code == 200
        assert finance_client.session[middleware.LAST_SEEN_KEY] == clock.at.timestamp()
    # 44 minutes after sign-in, still in; exactly 15 minutes of silence is still within the limit.
    clock.move(minutes=15)
    assert finance_client.get("/backoffice/payouts/").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_SESSION_EXPIRED).exists()


def test_the_limit_comes_from_the_settings(finance_client, clock, settings):
    settings.GJJ_STAFF_IDLE_SECONDS = 60
    clock.move(seconds=61)
    assert finance_client.get("/backoffice/payouts/")["Location"].endswith("reason=idle")


def test_member_sessions_are_not_timed_by_the_back_office(member_client, clock):
    assert member_client.get("/hall/home/").status_code == 200
    clock.move(days=1)
    assert member_client.get("/hall/home/").status_code == 200
    assert SESSION_KEY in member_client.session
    assert middleware.LAST_SEEN_KEY not in member_client.session
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_SESSION_EXPIRED).exists()
