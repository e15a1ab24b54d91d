"""Signal receivers (connected in gjj.preferences.apps)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gjj.identity.selectors import member_login_for_user
from gjj.preferences.selectors import forget_cached_elder_mode
from gjj.preferences.services import visitor_elder_mode_adopt


def adopt_visitor_choice_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A member's login (never a staff sign-in) takes over the mode chosen as a visitor."""
    if request is None or getattr(request, "session", None) is None:
        return
    member = member_login_for_user(user_id=user.pk)
    if member is None:
        return
    visitor_elder_mode_adopt(session=request.session, person=member.person)
    forget_cached_elder_mode(request)
