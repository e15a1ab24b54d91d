"""ID-token verification by the member backend: the signature against the provider's JWKS, the
issuer, the audience, the expiry, the nonce, the algorithm. mozilla-django-oidc alone checks
neither the audience nor the issuer; gjj.identity.backends adds both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from django.core.exceptions import SuspiciousOperation

from gjj.identity.backends import MemberOIDCBackend
from tests.gjj.identity.fake_provider import CLIENT_ID, ISSUER, rsa_key, sign

NONCE = "n-0S6_WzA2Mj"


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "sub-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": NONCE}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.fixture
def backend(provider) -> MemberOIDCBackend:
    """The backend with the fake provider's JWKS behind OIDC_OP_JWKS_ENDPOINT."""
    return MemberOIDCBackend()


def test_a_token_signed_by_the_provider_for_this_client_is_accepted(backend, provider):
    payload = backend.verify_token(sign(_claims(), provider.signing_key), nonce=NONCE)

    assert payload["sub"] == "sub-1"


def test_get_payload_data_checks_the_signature_against_the_jwks_key(backend, provider):
    token = sign(_claims(), provider.signing_key)
    key = backend.retrieve_matching_jwk(token)

    assert backend.get_payload_data(token, key)["aud"] == CLIENT_ID
    forged = sign(_claims(), rsa_key("govsso-1"))
    with pytest.raises(SuspiciousOperation):
        backend.get_payload_data(forged, key)


def test_a_token_signed_with_another_key_under_the_same_kid_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(), rsa_key("govsso-1")), nonce=NONCE)


def test_a_token_signed_with_a_key_not_in_the_jwks_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(), rsa_key("attacker-1")), nonce=NONCE)


@pytest.mark.parametrize(
    "audience",
    ["another-client", ["another-client"], ["another-client", CLIENT_ID], "", None],
    ids=["other", "other-list", "several-without-azp", "empty", "missing"],
)
def test_a_token_for_another_audience_is_refused(backend, provider, audience):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(aud=audience), provider.signing_key), nonce=NONCE)


def test_a_token_for_several_audiences_is_accepted_when_issued_to_this_client(backend, provider):
    token = sign(_claims(aud=["another-client", CLIENT_ID], azp=CLIENT_ID), provider.signing_key)

    assert backend.verify_token(token, nonce=NONCE)["azp"] == CLIENT_ID


def test_a_token_issued_to_another_client_is_refused(backend, provider):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(azp="another-client"), provider.signing_key), nonce=NONCE)


@pytest.mark.parametrize("issuer", ["https://sso.evil.example/o", f"{ISSUER}/", None])
def test_a_token_from_another_issuer_is_refused(backend, provider, issuer):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(iss=issuer), provider.signing_key), nonce=NONCE)


def test_an_expired_token_is_refused(backend, provider):
    long_ago = int(time.time()) - 3600
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(
            sign(_claims(iat=long_ago - 300, exp=long_ago), provider.signing_key), nonce=NONCE
        )


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_a_token_without_a_required_claim_is_refused(backend, provider, claim):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(**{claim: None}), provider.signing_key), nonce=NONCE)


def test_a_token_with_another_nonce_is_refused(backend, provider):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(), provider.signing_key), nonce="another-nonce")


def _hs256_token(claims: dict[str, Any], secret: bytes) -> str:
    """Built by hand: PyJWT itself refuses to use a public key as an HMAC secret."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        f"{b64(json.dumps({'alg': 'HS256', 'kid': 'govsso-1'}).encode())}.{b64(json.dumps(claims).encode())}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def test_a_token_signed_with_hs256_using_the_public_key_as_secret_is_refused(backend, provider):
    token = _hs256_token(_claims(), provider.signing_key.export_to_pem())

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=NONCE)


def test_an_unsigned_token_is_refused(backend):
    token = jwt.encode(_claims(), None, algorithm="none", headers={"kid": "govsso-1"})
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=NONCE)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", ""])
def test_garbage_is_refused_not_a_crash(backend, token):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=NONCE)


def test_a_token_without_kid_is_refused(backend, provider):
    pem = provider.signing_key.export_to_pem(private_key=True, password=None)
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(jwt.encode(_claims(), pem, algorithm="RS256"), nonce=NONCE)


def test_the_verification_can_be_served_a_jwks_by_monkeypatch(monkeypatch, settings):
    """Without any HTTP: the JWKS of the test's own key through retrieve_matching_jwk."""
    key = rsa_key("k1")
    monkeypatch.setattr(
        MemberOIDCBackend,
        "retrieve_matching_jwk",
        lambda self, token: jwt.PyJWK(key.export_public(as_dict=True)),
    )
    backend = MemberOIDCBackend()

    assert backend.verify_token(sign(_claims(), key), nonce=NONCE)["iss"] == ISSUER
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(aud="another-client"), key), nonce=NONCE)
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(sign(_claims(), rsa_key("k1")), nonce=NONCE)


def test_the_jwks_is_fetched_once_for_many_logins(backend, provider):
    for _ in range(3):
        MemberOIDCBackend().verify_token(sign(_claims(), provider.signing_key), nonce=NONCE)

    assert provider.jwks_fetches == 1


def test_a_rotated_key_fetches_the_jwks_again_once(backend, provider, settings):
    settings.GJJ_OIDC_JWKS_REFETCH_SECONDS = 0  # no fetch counts as recent
    backend.verify_token(sign(_claims(), provider.signing_key), nonce=NONCE)
    provider.signing_key = rsa_key("govsso-2")  # the provider rotates its key

    assert backend.verify_token(sign(_claims(), provider.signing_key), nonce=NONCE)["sub"] == "sub-1"
    assert provider.jwks_fetches == 2


def test_tokens_naming_unknown_keys_do_not_make_the_hall_fetch_the_jwks_each_time(backend, provider):
    backend.verify_token(sign(_claims(), provider.signing_key), nonce=NONCE)

    for attempt in range(3):
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(sign(_claims(), rsa_key(f"attacker-{attempt}")), nonce=NONCE)

    assert provider.jwks_fetches == 1  # refetched at most once a minute
