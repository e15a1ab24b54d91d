"""The claims the hall needs from the SSO, read out of the verified ID token and userinfo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import SuspiciousOperation

from gjj.core.identity_numbers import id_number_normalize


class InvalidMemberClaims(SuspiciousOperation):
    """The provider's answer lacks what identifies a member, or contradicts itself."""


@dataclass(frozen=True)
class MemberClaims:
    issuer: str
    subject: str
    id_number: str
    name: str

    def __repr__(self) -> str:
        # Never print the ID number or the name, not even in a traceback.
        return f"MemberClaims(issuer={self.issuer!r}, subject={self.subject!r})"


def _normalized_id_number(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    # Providers differ in the case of the final check character (x / X); the centre stores X. The
    # number is not validated here: the provider vouches for the person, and an area code newer
    # than the centre's table must not lock a real member out.
    return id_number_normalize(value)


def member_claims_parse(
    *,
    id_token_claims: Mapping[str, Any],
    userinfo: Mapping[str, Any],
    id_number_claim: str,
    name_claim: str,
) -> MemberClaims:
    """Merge the verified ID token's claims with the userinfo answer.

    Providers put profile claims in one, the other or both; the userinfo answer wins because it is
    the newer. OpenID Connect Core §5.3.2: a userinfo answer about another subject is refused.
    """
    issuer = id_token_claims.get("iss")
    subject = id_token_claims.get("sub")
    if not isinstance(issuer, str) or not issuer or not isinstance(subject, str) or not subject:
        raise InvalidMemberClaims("ID token without issuer or subject")
    if userinfo and userinfo.get("sub") != subject:
        raise InvalidMemberClaims("userinfo answered for another subject than the ID token")

    merged = {**id_token_claims, **userinfo}
    id_number = _normalized_id_number(merged.get(id_number_claim))
    if not id_number:
        raise InvalidMemberClaims(
            f"claim {id_number_claim!r} (the ID number) is missing: is its scope among the requested scopes?"
        )
    name = merged.get(name_claim)
    return MemberClaims(
        issuer=issuer,
        subject=subject,
        id_number=id_number,
        name=name.strip() if isinstance(name, str) else "",
    )
