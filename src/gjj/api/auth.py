"""Bearer authentication of the JSON API: the token is the government SSO's OIDC access token.

The hall validates it by asking the provider's userinfo endpoint (OpenID Connect Core §5.3) and
maps the ID-number claim to a 缴存职工 with a fund account here. A validated token is remembered
for ``TOKEN_CACHE_SECONDS`` in Django's cache under the sha256 of the token (never the token
itself), so that a burst of calls from the app asks the provider once.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from gjj.identity.claims import InvalidMemberClaims, member_claims_parse
from gjj.identity.selectors import person_with_fund_account
from gjj.members.models import Person

logger = logging.getLogger(__name__)

TOKEN_CACHE_SECONDS = 60
NO_ACCOUNT_MESSAGE = "未查询到您的公积金账户信息"


class NoAccount(Exception):
    """The token is valid but its person has no fund account at this centre."""


class ProviderUnavailable(Exception):
    """The SSO's userinfo endpoint could not be reached."""


def token_cache_key(token: str) -> str:
    return "gjj-api-token:" + hashlib.sha256(token.encode()).hexdigest()


def remember_token(token: str, person: Person, seconds: int = TOKEN_CACHE_SECONDS) -> None:
    cache.set(token_cache_key(token), person.pk, seconds)


def userinfo_fetch(token: str) -> dict[str, Any] | None:
    """The provider's userinfo answer for this access token; None when the provider refuses it."""
    try:
        response = requests.get(
            settings.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {token}"},
            timeout=settings.OIDC_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable from exc
    if response.status_code in (400, 401, 403):
        return None
    if response.status_code != 200:
        raise ProviderUnavailable
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def person_for_token(token: str) -> Person | None:
    """The member behind an access token; None for a token the provider refuses.
    Raises NoAccount for a valid token of someone without a fund account here."""
    key = token_cache_key(token)
    cached = cache.get(key)
    if cached is not None:
        person = Person.objects.select_related("account", "spouse").filter(pk=cached).first()
        if person is not None and getattr(person, "account", None) is not None:
            return person
        cache.delete(key)
    userinfo = userinfo_fetch(token)
    if not userinfo or not isinstance(userinfo.get("sub"), str):
        return None
    try:
        claims = member_claims_parse(
            id_token_claims={"iss": settings.GJJ_OIDC_ISSUER, "sub": userinfo["sub"]},
            userinfo=userinfo,
            id_number_claim=settings.GJJ_OIDC_ID_NUMBER_CLAIM,
            name_claim=settings.GJJ_OIDC_NAME_CLAIM,
        )
    except InvalidMemberClaims:
        logger.info("API token without the ID-number claim (subject %s)", userinfo.get("sub"))
        raise NoAccount from None
    person = person_with_fund_account(id_number=claims.id_number)
    if person is None:
        raise NoAccount
    cache.set(key, person.pk, TOKEN_CACHE_SECONDS)
    return person


class MemberBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        token = token.strip()
        if not token or len(token) > 4096:
            return None
        return person_for_token(token)
