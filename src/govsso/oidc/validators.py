"""The OAuth2 validator of the provider: which claims each scope releases, and the subject."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

ID_CARD_NUMBER_CLAIM = "id_card_number"
ID_CARD_SCOPE = "id_card"
# Released by userinfo only, never in the ID token: the ID token travels again as the
# id_token_hint of RP-initiated logout, in a URL that browsers keep in their history and
# servers write to access logs.
USERINFO_ONLY_CLAIMS = frozenset({ID_CARD_NUMBER_CLAIM, "phone_number"})


# Client secrets are stored hashed (PBKDF2: about 0.2 s of CPU each check). A relying party
# authenticates on every token request and every introspection, so a secret once verified against
# its stored hash is remembered in this process, by a digest of both (never the secret itself): a
# rotated secret has another stored hash, and a wrong secret is never remembered.
_VERIFIED_SECRETS: OrderedDict[str, None] = OrderedDict()
_VERIFIED_SECRETS_KEPT = 64


def _verified_key(provided_secret: str, stored_secret: str) -> str:
    return hashlib.sha256(f"{stored_secret}\0{provided_secret}".encode()).hexdigest()


class GovssoOAuth2Validator(OAuth2Validator):
    """Claims as documented in ``govsso.oidc``: ``sub`` is the account's opaque ``subject``
    UUID, not the row id the toolkit would use (a row id leaks the number of accounts and changes
    when accounts are moved between databases); ``name`` needs ``profile``, ``phone_number``
    needs ``phone`` and ``id_card_number`` needs ``id_card``; the last two come from userinfo
    only."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        ID_CARD_NUMBER_CLAIM: ID_CARD_SCOPE,
    }

    # No request parameter: the toolkit then lists these claims in discovery's claims_supported
    # and calls each value with the oauthlib request of the token or userinfo call.
    def get_additional_claims(self) -> dict[str, Callable[[Any], str]]:  # type: ignore[override]
        return {
            "name": lambda request: request.user.name,
            "phone_number": lambda request: request.user.phone,
            ID_CARD_NUMBER_CLAIM: lambda request: request.user.id_number,
        }

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        kept = {name: value for name, value in claims.items() if name not in USERINFO_ONLY_CLAIMS}
        return kept, expiration_time

    def _check_secret(self, provided_secret: str, stored_secret: str) -> bool:
        key = _verified_key(provided_secret, stored_secret)
        if key in _VERIFIED_SECRETS:
            _VERIFIED_SECRETS.move_to_end(key)
            return True
        verified = bool(super()._check_secret(provided_secret, stored_secret))
        if verified:
            _VERIFIED_SECRETS[key] = None
            while len(_VERIFIED_SECRETS) > _VERIFIED_SECRETS_KEPT:
                _VERIFIED_SECRETS.popitem(last=False)
        return verified

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        claims = super().get_claim_dict(request)
        claims["sub"] = lambda oauthlib_request: str(oauthlib_request.user.subject)
        return claims
