"""Reads of the display mode: the member's stored choice, or a visitor's choice in their session."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from gjj.identity.selectors import member_for_request
from gjj.members.models import Person
from gjj.preferences.models import MemberPreference

# A visitor's (not logged-in) choice; taken over by the member at login (gjj.preferences.receivers).
VISITOR_ELDER_MODE_SESSION_KEY = "gjj_elder_mode"

_REQUEST_CACHE_ATTRIBUTE = "_gjj_elder_mode"


def elder_mode_of_person(*, person: Person) -> bool:
    """The member's stored choice; the standard mode until they chose."""
    return bool(MemberPreference.objects.filter(person=person).values_list("elder_mode", flat=True).first())


def visitor_elder_mode(*, session: SessionBase) -> bool | None:
    """A visitor's choice in this session, None when they made none."""
    chosen = session.get(VISITOR_ELDER_MODE_SESSION_KEY)
    return chosen if isinstance(chosen, bool) else None


def elder_mode_for_request(request: HttpRequest) -> bool:
    """The mode of this request's pages, read once per request: a logged-in member's stored choice
    (whatever their session says), else the visitor's choice in the session."""
    if not hasattr(request, _REQUEST_CACHE_ATTRIBUTE):
        member = member_for_request(request)
        if member is not None:
            elder = elder_mode_of_person(person=member.person)
        else:
            session = getattr(request, "session", None)
            elder = bool(session is not None and visitor_elder_mode(session=session))
        setattr(request, _REQUEST_CACHE_ATTRIBUTE, elder)
    return bool(getattr(request, _REQUEST_CACHE_ATTRIBUTE))


def forget_cached_elder_mode(request: HttpRequest) -> None:
    """After a change in this request, the next read asks again."""
    if hasattr(request, _REQUEST_CACHE_ATTRIBUTE):
        delattr(request, _REQUEST_CACHE_ATTRIBUTE)
