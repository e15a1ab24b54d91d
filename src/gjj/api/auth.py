"""Bearer authentication of the JSON API: the token is the government SSO's OIDC access token.

The hall asks the provider's introspection endpoint (RFC 7662, authenticated with the hall's own
client credentials) whether the token is active and which client it was issued to: only tokens of
``GJJ_API_CLIENT_IDS`` are accepted, so a token some other site obtained from the same SSO opens
nothing here. The member comes from the userinfo endpoint (OpenID Connect Core §5.3): its ID-number
claim maps to a 缴存职工 with a fund account. A confirmed token is remembered for
``GJJ_API_TOKEN_CACHE_SECONDS`` (a revoked token is refused at most that long after) and a refusal
for ``GJJ_API_TOKEN_REFUSAL_CACHE_SECONDS``, in Django's cache under the sha256 of the token (never
the token itself).
"""

from __future__ import annotations

import hashlib
import logging
import time
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

NO_ACCOUNT_MESSAGE = "未查询到您的公积金账户信息"


class NoAccount(Exception):
    """The token is valid but its person has no fund account at this centre."""


class ProviderUnavailable(Exception):
    """The SSO's userinfo endpoint could not be reached."""


def token_cache_key(token: str) -> str:
    return "gjj-api-token:" + hashlib.sha256(token.encode()).hexdigest()


def _refusal_cache_key(token: str) -> str:
    return "gjj-api-token-refused:" + hashlib.sha256(token.encode()).hexdigest()


def remember_token(token: str, person: Person, seconds: int | None = None) -> None:
    cache.set(token_cache_key(token), person.pk, seconds or settings.GJJ_API_TOKEN_CACHE_SECONDS)


def token_introspect(token: str) -> dict[str, Any] | None:
    """The provider's introspection answer for an active token; None for one it says is not."""
    try:
        response = requests.post(
            settings.OIDC_OP_INTROSPECTION_ENDPOINT,
            data={"token": token, "token_type_hint": "access_token"},
            auth=(settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET),
            timeout=settings.OIDC_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable from exc
    if response.status_code != 200:
        # Our own credentials refused, or the provider failing: nobody can be let in meanwhile.
        logger.error("令牌核验接口答复 HTTP %s", response.status_code)
        raise ProviderUnavailable
    try:
        body = response.json()
    except ValueError as exc:
        raise ProviderUnavailable from exc
    return body if isinstance(body, dict) and body.get("active") is True else None


def _refuse(token: str, why: str) -> None:
    logger.info("API 令牌被拒绝：%s", why)
    cache.set(_refusal_cache_key(token), True, settings.GJJ_API_TOKEN_REFUSAL_CACHE_SECONDS)


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
    if cache.get(_refusal_cache_key(token)):
        return None
    introspection = token_introspect(token)
    if introspection is None:
        _refuse(token, "提供方答复令牌无效或已撤销")
        return None
    if introspection.get("client_id") not in settings.GJJ_API_CLIENT_IDS:
        _refuse(token, f"令牌签发给客户端 {introspection.get('client_id')!r}，不是本中心的应用")
        return None
    userinfo = userinfo_fetch(token)
    if not userinfo or not isinstance(userinfo.get("sub"), str):
        _refuse(token, "用户信息接口不认可该令牌")
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
    expires_in = (
        introspection.get("exp", 0) - time.time() if isinstance(introspection.get("exp"), int) else None
    )
    seconds = settings.GJJ_API_TOKEN_CACHE_SECONDS
    if expires_in is not None:
        seconds = max(1, min(seconds, int(expires_in)))
    remember_token(token, person, seconds)
    return person


class MemberBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        token = token.strip()
        if not token or len(token) > 4096:
            return None
        return person_for_token(token)
