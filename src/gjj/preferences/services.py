"""Writes of the display mode."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import SessionBase

from gjj.members.models import Person
from gjj.preferences.models import MemberPreference
from gjj.preferences.selectors import VISITOR_ELDER_MODE_SESSION_KEY, visitor_elder_mode

logger = logging.getLogger(__name__)


def member_preference_save(*, person: Person, elder_mode: bool) -> MemberPreference:
    """Store the member's mode: every channel and every later login shows it."""
    preference, _ = MemberPreference.objects.update_or_create(
        person=person, defaults={"elder_mode": elder_mode}
    )
    return preference


def visitor_elder_mode_remember(*, session: SessionBase, elder_mode: bool) -> None:
    """A visitor's mode, for the rest of this session (until they log in or the session ends)."""
    session[VISITOR_ELDER_MODE_SESSION_KEY] = elder_mode


def visitor_elder_mode_adopt(*, session: SessionBase, person: Person) -> None:
    """At login: a mode the visitor chose just before becomes the member's stored one (it is the
    newest choice, made on the screen in front of them); without one the stored mode stands."""
    chosen = visitor_elder_mode(session=session)
    session.pop(VISITOR_ELDER_MODE_SESSION_KEY, None)
    if chosen is None:
        return
    member_preference_save(person=person, elder_mode=chosen)
    logger.info("elder mode %s taken over at login for person %s", "on" if chosen else "off", person.pk)
