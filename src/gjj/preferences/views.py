"""The 长辈版 / 标准版 switch in the header of every page of the desktop hall and the H5."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_POST

from gjj.identity.redirects import safe_next_path
from gjj.identity.selectors import member_for_request
from gjj.preferences.services import member_preference_save, visitor_elder_mode_remember

MODES = {"elder": True, "standard": False}


@require_POST
def elder_mode_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Switch to the mode the button names (``mode``: elder or standard, so that pressing twice or
    resending changes nothing further) and return to the page it was pressed on. Works without
    JavaScript; the CSRF token is checked like every other form."""
    mode = request.POST.get("mode")
    if mode not in MODES:
        raise BadRequest("unknown display mode")
    member = member_for_request(request)
    if member is not None:
        member_preference_save(person=member.person, elder_mode=MODES[mode])
    else:
        visitor_elder_mode_remember(session=request.session, elder_mode=MODES[mode])
    return HttpResponseRedirect(safe_next_path(request, request.POST.get("next")))
