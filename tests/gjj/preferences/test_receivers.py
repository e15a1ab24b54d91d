"""At login (through the SSO, the real callback) the mode a visitor chose just before becomes the
member's; without a choice the stored mode stands; logging out leaves the stored mode for the next
login."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from gjj.preferences.models import MemberPreference
from tests.gjj.preferences.support import is_elder, switch

pytestmark = pytest.mark.django_db


def test_a_visitor_s_choice_becomes_the_member_s_at_login(walk, client, zhang_wei):
    switch(client, "elder", next_path="/hall/")

    response = walk.login()

    assert response.status_code == 302 and response["Location"] == "/hall/home/"
    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is True
    assert "gjj_elder_mode" not in client.session  # from now on the stored choice counts
    assert is_elder(client.get("/hall/home/").content.decode())


def test_without_a_choice_as_visitor_the_stored_mode_stands_and_survives_logout(walk, client, zhang_wei):
    MemberPreference.objects.create(person=zhang_wei, elder_mode=True)

    walk.login()

    assert is_elder(client.get("/hall/home/").content.decode())
    assert client.post("/hall/logout/").status_code == 302
    # Logged out: the session is gone, and the visitor sees the standard mode ...
    assert not is_elder(client.get("/hall/").content.decode())
    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is True
    # ... until the member logs in again.
    walk.login(next_path="/m/")
    assert is_elder(client.get("/m/").content.decode())


def test_the_newest_choice_wins_at_login(walk, client, zhang_wei):
    MemberPreference.objects.create(person=zhang_wei, elder_mode=True)
    switch(client, "standard", next_path="/hall/")

    walk.login()

    assert MemberPreference.objects.get(person=zhang_wei).elder_mode is False
    assert not is_elder(client.get("/hall/home/").content.decode())


def test_a_staff_sign_in_stores_nothing():
    staff = get_user_model().objects.create_user(username="chushen", is_staff=True)
    request = RequestFactory().post("/backoffice/login/")
    request.session = SessionStore()
    request.session["gjj_elder_mode"] = True

    user_logged_in.send(sender=staff.__class__, request=request, user=staff)

    assert not MemberPreference.objects.exists()
    assert request.session["gjj_elder_mode"] is True
