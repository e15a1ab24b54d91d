"""Helpers of the display-mode tests."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

from gjj.identity.models import MemberLogin
from gjj.members.models import Person

SWITCH = "/preferences/elder-mode/"


def force_member_login(client: Client, person: Person, *, subject: str = "sub-elder") -> None:
    """A member logged in as the SSO would leave them (no OIDC round trip)."""
    login = MemberLogin.objects.filter(person=person, subject=subject).select_related("user").first()
    if login is None:
        user = get_user_model().objects.create_user(username=f"member-{subject}", first_name=person.name)
        login = MemberLogin.objects.create(
            user=user, person=person, issuer="http://govsso.test/o", subject=subject
        )
    client.force_login(login.user, backend="django.contrib.auth.backends.ModelBackend")


def html_tag(page: str) -> str:
    match = re.search(r"<html\b[^>]*>", page)
    assert match, "no <html> tag"
    return match.group(0)


def is_elder(page: str) -> bool:
    """The page is in the 长辈版: the class on <html>, and the switch offers the way back."""
    elder = 'class="elder"' in html_tag(page)
    assert ("返回标准版" in page) == elder, "the switch does not match the mode"
    return elder


def switch(client: Client, mode: str, *, next_path: str | None = "/hall/"):
    data = {"mode": mode}
    if next_path is not None:
        data["next"] = next_path
    return client.post(SWITCH, data)
