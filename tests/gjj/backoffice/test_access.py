"""The role matrix: every back-office URL refuses every role that should not reach it.

The table below is checked against ``gjj.backoffice.urls.urlpatterns`` itself, so a URL added there
without a row here fails the suite until someone decides who may open it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from gjj.backoffice.urls import urlpatterns
from gjj.staff.roles import StaffRole

pytestmark = pytest.mark.django_db

ALL = frozenset(StaffRole)
REVIEWERS = frozenset({StaffRole.FIRST_REVIEWER, StaffRole.SECOND_REVIEWER})
CASE_READERS = REVIEWERS | {StaffRole.AUDITOR}
FINANCE = frozenset({StaffRole.FINANCE})
FINANCE_READERS = FINANCE | {StaffRole.AUDITOR}
AUDITORS = frozenset({StaffRole.AUDITOR})
PUBLIC = None


@dataclass(frozen=True)
class Rule:
    method: str
    roles: frozenset[StaffRole] | None  # None: public (the sign-in pages)


# Written from the requirements, not copied from access.py: a view wrapped in the wrong role set
# must fail here.
MATRIX: dict[str, Rule] = {
    "home": Rule("GET", ALL),
    "login": Rule("GET", PUBLIC),
    "logout": Rule("POST", PUBLIC),
    "dashboard": Rule("GET", ALL),
    "queue": Rule("GET", REVIEWERS),
    "case": Rule("GET", CASE_READERS),
    "claim": Rule("POST", REVIEWERS),
    "release": Rule("POST", REVIEWERS),
    "approve": Rule("POST", REVIEWERS),
    "reject": Rule("POST", REVIEWERS),
    "return": Rule("POST", REVIEWERS),
    "material": Rule("GET", CASE_READERS),
    "payouts": Rule("GET", FINANCE_READERS),
    "redrive": Rule("POST", FINANCE),
    "reconciliation": Rule("GET", FINANCE_READERS),
    "statement_import": Rule("POST", FINANCE),
    "statement_report": Rule("GET", FINANCE_READERS),
    "statement_export": Rule("GET", FINANCE_READERS),
    "audit": Rule("GET", AUDITORS),
    "audit_export": Rule("GET", AUDITORS),
}

# Made-up business numbers: the access check comes before any lookup, so 404 is a fine answer for
# an allowed role; what matters is that a refused role never gets that far.
_MADE_UP = {"int": 987654, "str": "NOPE20260101"}


def _patterns() -> list[URLPattern]:
    return [p for p in urlpatterns if isinstance(p, URLPattern)]


def _url(pattern: URLPattern) -> str:
    kwargs = {
        name: _MADE_UP["int" if type(converter).__name__ == "IntConverter" else "str"]
        for name, converter in pattern.pattern.converters.items()
    }
    return reverse(f"backoffice:{pattern.name}", kwargs=kwargs)


def _request(client: Client, method: str, url: str):  # type: ignore[no-untyped-def]
    return client.post(url) if method == "POST" else client.get(url)


def _is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"].startswith("/backoffice/login/")


@pytest.fixture
def role_clients(staff, sign_in) -> dict[StaffRole, Client]:
    clients = {}
    for role in StaffRole:
        client = Client()
        sign_in(client, staff[role])
        clients[role] = client
    return clients


def test_every_url_pattern_has_a_row_in_the_matrix():
    names = [p.name for p in _patterns()]
    assert len(names) == len(urlpatterns), "an include() in backoffice.urls: extend this test"
    assert sorted(n for n in names if n) == sorted(MATRIX), "backoffice.urls and MATRIX differ"


PROTECTED = [p for p in _patterns() if MATRIX.get(str(p.name), Rule("GET", ALL)).roles is not PUBLIC]


@pytest.mark.parametrize("pattern", PROTECTED, ids=lambda p: str(p.name))
def test_each_role_reaches_exactly_the_urls_of_its_role(pattern, role_clients):
    rule = MATRIX[str(pattern.name)]
    assert rule.roles is not None
    url = _url(pattern)
    for role, client in role_clients.items():
        response = _request(client, rule.method, url)
        if role in rule.roles:
            assert response.status_code != 403, (url, role)
            assert not _is_login_redirect(response), (url, role)
            assert response.status_code in (200, 302, 400, 404), (url, role, response.status_code)
        else:
            assert response.status_code == 403, (url, role, response.status_code)
            page = response.content.decode()
            assert "无权访问" in page, (url, role)
            assert f"您的岗位（{role.label}）" in page, (url, role)


@pytest.mark.parametrize("pattern", PROTECTED, ids=lambda p: str(p.name))
def test_anonymous_visitors_go_to_the_staff_login(pattern, client):
    response = _request(client, MATRIX[str(pattern.name)].method, _url(pattern))
    assert _is_login_redirect(response), response.status_code


@pytest.mark.parametrize("pattern", PROTECTED, ids=lambda p: str(p.name))
def test_a_member_session_goes_to_the_staff_login(pattern, member_client):
    response = _request(member_client, MATRIX[str(pattern.name)].method, _url(pattern))
    assert _is_login_redirect(response), response.status_code


@pytest.mark.parametrize("pattern", PROTECTED, ids=lambda p: str(p.name))
def test_password_without_the_second_factor_goes_to_the_staff_login(pattern, staff):
    """force_login is what a password-only session looks like: django-otp never verified a device."""
    for role in StaffRole:
        client = Client()
        client.force_login(staff[role].user, backend="django.contrib.auth.backends.ModelBackend")
        response = _request(client, MATRIX[str(pattern.name)].method, _url(pattern))
        assert _is_login_redirect(response), (role, response.status_code)


def test_login_redirect_keeps_the_page_asked_for(client):
    response = client.get("/backoffice/audit/?action=staff_login")
    assert response["Location"] == "/backoffice/login/?next=%2Fbackoffice%2Faudit%2F%3Faction%3Dstaff_login"


def test_the_public_pages_are_open(client, member_client):
    assert client.get("/backoffice/login/").status_code == 200
    assert member_client.get("/backoffice/login/").status_code == 200
    response = client.post("/backoffice/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/login/?reason=signed_out"


def test_only_the_administrator_opens_the_admin_site(role_clients):
    for role, client in role_clients.items():
        response = client.get("/backoffice/admin/")
        if role is StaffRole.ADMIN:
            assert response.status_code == 200
            assert "系统管理" in response.content.decode()
        else:
            assert response.status_code == 403, role
            assert f"您的岗位（{role.label}）" in response.content.decode()


def test_the_admin_site_sends_everyone_else_to_the_staff_login(client, member_client, staff):
    password_only = Client()
    password_only.force_login(
        staff[StaffRole.ADMIN].user, backend="django.contrib.auth.backends.ModelBackend"
    )
    for visitor in (client, member_client, password_only):
        response = visitor.get("/backoffice/admin/", follow=True)
        assert response.redirect_chain, "expected a redirect"
        assert response.redirect_chain[-1][0].startswith("/backoffice/login/")
        assert response.status_code == 200
        assert "动态口令" in response.content.decode()
