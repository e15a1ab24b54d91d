"""The authentication backend for members: the government-service SSO vouches for a person through
OpenID Connect, and the ID-number claim finds their fund account here.

mozilla-django-oidc does the protocol (state, nonce, PKCE, the token request, the JWKS). Two of
its defaults are not good enough for a fund centre and are tightened here:

* it decodes the ID token with audience verification switched off and without checking the
  issuer or requiring an expiry — ``_verify_jws`` below checks ``iss``, ``aud`` (and ``azp``),
  ``exp`` and ``iat``, and accepts only the configured algorithm;
* it maps users by e-mail — members are mapped by (issuer, subject) and linked to the 缴存职工 of
  the ID-number claim (``gjj.identity.services.member_login_record``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from gjj.identity.claims import member_claims_parse
from gjj.identity.selectors import MEMBER_LOGIN_ATTRIBUTE, member_login_for_user, person_with_fund_account
from gjj.identity.services import MemberHasNoFundAccount, member_login_record

logger = logging.getLogger(__name__)

# Claims every ID token must carry (OpenID Connect Core §2).
_REQUIRED_ID_TOKEN_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


_JWKS_CACHE_KEY = "gjj-oidc-jwks"
_JWKS_REFETCHED_KEY = "gjj-oidc-jwks-refetched"


def _matching_jwk(jwks: Mapping[str, Any], header: Mapping[str, Any]) -> dict[str, Any] | None:
    """The key of the set with the token's ``kid`` (and ``alg``, when the key names one)."""
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") != header.get("kid"):
            continue
        if "alg" in jwk and jwk["alg"] != header.get("alg"):
            continue
        return dict(jwk)
    return None


class MemberOIDCBackend(OIDCAuthenticationBackend):
    def _verify_jws(self, payload: str | bytes, key: Any) -> dict[str, Any]:
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            # Never let the token choose its own algorithm (alg=none, HS256 with the public key).
            raise SuspiciousOperation("ID token signed with an algorithm other than the configured one")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.GJJ_OIDC_ISSUER,
                leeway=settings.GJJ_OIDC_CLOCK_SKEW_SECONDS,
                options={"require": _REQUIRED_ID_TOKEN_CLAIMS},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OpenID Connect Core §3.1.3.7: a token for several audiences names the one it was issued to.
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences without this client as azp")
        if "azp" in claims and claims["azp"] != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token issued to another client (azp)")
        return claims

    def retrieve_matching_jwk(self, token: str | bytes) -> Any:
        """The provider's signing key for this token from its JWKS, fetched once and kept in the
        cache (shared by the hall's processes) for GJJ_OIDC_JWKS_CACHE_SECONDS instead of on every
        login. A token naming a key the kept set lacks (the provider rotated its key) fetches the
        set again, at most once per GJJ_OIDC_JWKS_REFETCH_SECONDS."""
        header = jwt.get_unverified_header(token)
        jwks = cache.get(_JWKS_CACHE_KEY)
        key = _matching_jwk(jwks, header) if jwks else None
        if key is None and not (jwks and cache.get(_JWKS_REFETCHED_KEY)):
            jwks = self._jwks_fetch()
            key = _matching_jwk(jwks, header)
        if key is None:
            raise SuspiciousOperation("Could not find a valid JWKS.")
        return jwt.PyJWK(key)

    def _jwks_fetch(self) -> dict[str, Any]:
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        jwks: dict[str, Any] = response.json()
        cache.set(_JWKS_CACHE_KEY, jwks, settings.GJJ_OIDC_JWKS_CACHE_SECONDS)
        cache.set(_JWKS_REFETCHED_KEY, True, settings.GJJ_OIDC_JWKS_REFETCH_SECONDS)
        return jwks

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except (SuspiciousOperation, requests.RequestException):
            raise
        except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            # A malformed token (no kid, not a JWT, a JWKS that is not JSON) is a refused token,
            # not a server error.
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        # A provider that puts every claim in the ID token may run without a userinfo endpoint.
        if not self.OIDC_OP_USER_ENDPOINT:
            return {}
        userinfo: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        return userinfo

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: Mapping[str, Any]
    ) -> AbstractBaseUser:
        claims = member_claims_parse(
            id_token_claims=payload,
            userinfo=self.get_userinfo(access_token, id_token, payload),
            id_number_claim=settings.GJJ_OIDC_ID_NUMBER_CLAIM,
            name_claim=settings.GJJ_OIDC_NAME_CLAIM,
        )
        person = person_with_fund_account(id_number=claims.id_number)
        if person is None:
            logger.info("SSO login without a fund account here (subject %s)", claims.subject)
            raise MemberHasNoFundAccount
        return member_login_record(claims=claims, person=person)

    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        # A session opened by this backend stays a member session: if the user has since been
        # deactivated or made staff, the session no longer authenticates anybody.
        member = member_login_for_user(user_id=user_id)
        if member is None:
            return None
        user = member.user
        # The request's member (gjj.identity.selectors.member_for_request) without reading it again.
        setattr(user, MEMBER_LOGIN_ATTRIBUTE, member)
        return user
