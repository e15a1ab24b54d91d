"""The OpenID Connect provider as the hall uses it: discovery, PKCE with S256 only, RS256 ID
tokens verified with the published keys, the claims per scope, userinfo and RP-initiated logout."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from jwcrypto import jwk, jwt

from govsso.accounts.models import NaturalPerson
from tests.govsso.support import (
    HALL_CLIENT_ID,
    HALL_CLIENT_SECRET,
    HALL_LOGGED_OUT_URI,
    HALL_REDIRECT_URI,
    page_text,
)

pytestmark = pytest.mark.django_db

ISSUER = settings.GOVSSO_ISSUER
ALL_SCOPES = "openid profile phone id_card"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client: Client, **overrides: str) -> Any:
    params = {
        "response_type": "code",
        "client_id": HALL_CLIENT_ID,
        "redirect_uri": HALL_REDIRECT_URI,
        "scope": ALL_SCOPES,
        "state": "state-123",
        "nonce": "nonce-456",
    }
    params.update(overrides)
    return client.get("/o/authorize/", {key: value for key, value in params.items() if value is not None})


def redirect_query(response: Any) -> dict[str, str]:
    assert response.status_code == 302, page_text(response)
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == HALL_REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def basic_auth(client_id: str = HALL_CLIENT_ID, secret: str = HALL_CLIENT_SECRET) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def exchange(client: Client, code: str, verifier: str, **extra: str) -> Any:
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": HALL_REDIRECT_URI}
    if verifier:
        body["code_verifier"] = verifier
    body.update(extra)
    return client.post(
        "/o/token/",
        data=urlencode(body),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic_auth(),
    )


def verified_claims(client: Client, id_token: str) -> dict[str, Any]:
    """Verify like a relying party: signature with the published JWKS, RS256 only, issuer and
    audience."""
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    token = jwt.JWT(
        jwt=id_token,
        key=keys,
        algs=["RS256"],
        check_claims={"iss": ISSUER, "aud": HALL_CLIENT_ID, "exp": None},
    )
    return json.loads(token.claims)


@pytest.fixture
def person(make_person: Any) -> NaturalPerson:
    return make_person()


@pytest.fixture
def member(signed_in: Any, person: NaturalPerson, hall_client: Any) -> Client:
    """A browser signed in at govsso, the hall registered."""
    return signed_in(person)


def code_flow(client: Client, scope: str = ALL_SCOPES) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    query = redirect_query(
        authorize(client, scope=scope, code_challenge=challenge, code_challenge_method="S256")
    )
    answer = exchange(client, query["code"], verifier)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_discovery_describes_the_contract(client: Client) -> None:
    metadata = client.get("/o/.well-known/openid-configuration").json()

    assert metadata["issuer"] == ISSUER
    assert metadata["authorization_endpoint"] == f"{ISSUER}/authorize/"
    assert metadata["token_endpoint"] == f"{ISSUER}/token/"
    assert metadata["userinfo_endpoint"] == f"{ISSUER}/userinfo/"
    assert metadata["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert metadata["end_session_endpoint"] == f"{ISSUER}/logout/"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert metadata["response_types_supported"] == ["code"]
    assert set(metadata["scopes_supported"]) == {"openid", "profile", "phone", "id_card"}
    assert {"sub", "name", "phone_number", "id_card_number"} <= set(metadata["claims_supported"])


def test_the_jwks_publishes_one_rs256_signing_key(client: Client) -> None:
    [key] = client.get("/o/.well-known/jwks.json").json()["keys"]

    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # public part only


def test_a_member_not_signed_in_is_sent_to_the_login_page(client: Client, hall_client: Any) -> None:
    _, challenge = pkce_pair()

    answer = authorize(client, code_challenge=challenge, code_challenge_method="S256")

    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"][0].startswith("/o/authorize/?")


def test_the_full_code_flow_gives_an_rs256_id_token_without_personal_numbers(
    member: Client, person: NaturalPerson
) -> None:
    verifier, challenge = pkce_pair()

    query = redirect_query(authorize(member, code_challenge=challenge, code_challenge_method="S256"))

    assert query["state"] == "state-123"
    assert query["iss"] == ISSUER
    tokens = exchange(member, query["code"], verifier).json()
    assert tokens["token_type"] == "Bearer"
    header = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    claims = verified_claims(member, tokens["id_token"])
    assert claims["sub"] == str(person.subject)
    assert claims["sub"] != str(person.pk)
    assert claims["name"] == "王小明"
    # The ID number and phone come from userinfo only: the ID token is sent again in the
    # logout URL (id_token_hint), which ends up in browser history and access logs.
    assert "phone_number" not in claims and "id_card_number" not in claims
    assert claims["nonce"] == "nonce-456"


def test_the_id_card_number_needs_its_scope(member: Client) -> None:
    tokens = code_flow(member, scope="openid profile")

    answer = member.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert "id_card_number" not in answer.json()
    assert "phone_number" not in answer.json()
    assert answer.json()["name"] == "王小明"


def test_the_subject_is_stable_across_logins(member: Client, person: NaturalPerson) -> None:
    first = verified_claims(member, code_flow(member)["id_token"])["sub"]
    second = verified_claims(member, code_flow(member)["id_token"])["sub"]

    assert first == second == str(person.subject)


def test_userinfo_returns_the_claims(member: Client, person: NaturalPerson) -> None:
    tokens = code_flow(member)

    answer = member.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")

    assert answer.status_code == 200
    assert answer.json() == {
        "sub": str(person.subject),
        "name": "王小明",
        "phone_number": "13904001234",
        "id_card_number": "210102199003071233",
    }


def test_userinfo_refuses_a_token_in_the_query_string(member: Client) -> None:
    tokens = code_flow(member)

    answer = member.get("/o/userinfo/", {"access_token": tokens["access_token"]})

    assert answer.status_code in (400, 401, 403)


def test_an_authorization_request_without_code_challenge_is_refused(member: Client) -> None:
    query = redirect_query(authorize(member))

    assert query["error"] == "invalid_request"
    assert "code" not in query


@pytest.mark.parametrize("method", ["plain", None])
def test_a_plain_code_challenge_is_refused(member: Client, method: str | None) -> None:
    """``plain``, also when implied by a challenge sent without a method."""
    verifier, _ = pkce_pair()

    query = redirect_query(authorize(member, code_challenge=verifier, code_challenge_method=method))

    assert query["error"] == "invalid_request"
    assert "code" not in query


def test_a_wrong_code_verifier_is_refused(member: Client) -> None:
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    query = redirect_query(authorize(member, code_challenge=challenge, code_challenge_method="S256"))

    answer = exchange(member, query["code"], other_verifier)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert "id_token" not in answer.json()


def test_a_missing_code_verifier_is_refused(member: Client) -> None:
    _, challenge = pkce_pair()
    query = redirect_query(authorize(member, code_challenge=challenge, code_challenge_method="S256"))

    answer = exchange(member, query["code"], "")

    assert answer.status_code == 400
    assert "id_token" not in answer.json()


def test_a_code_is_exchanged_once(member: Client) -> None:
    verifier, challenge = pkce_pair()
    query = redirect_query(authorize(member, code_challenge=challenge, code_challenge_method="S256"))
    assert exchange(member, query["code"], verifier).status_code == 200

    again = exchange(member, query["code"], verifier)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(member: Client) -> None:
    verifier, challenge = pkce_pair()
    query = redirect_query(authorize(member, code_challenge=challenge, code_challenge_method="S256"))

    answer = member.post(
        "/o/token/",
        data=urlencode(
            {
                "grant_type": "authorization_code",
                "code": query["code"],
                "redirect_uri": HALL_REDIRECT_URI,
                "code_verifier": verifier,
            }
        ),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic_auth(secret="not-the-secret"),
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(member: Client) -> None:
    _, challenge = pkce_pair()

    answer = authorize(
        member,
        redirect_uri="http://evil.example/callback/",
        code_challenge=challenge,
        code_challenge_method="S256",
    )

    assert answer.status_code == 400
    assert "登录请求无效" in page_text(answer)
    assert "evil.example" not in answer.get("Location", "")


def test_an_unknown_client_is_refused(member: Client) -> None:
    _, challenge = pkce_pair()

    answer = authorize(
        member, client_id="someone-else", code_challenge=challenge, code_challenge_method="S256"
    )

    assert answer.status_code == 400
    assert "登录请求无效" in page_text(answer)


def test_the_hall_gets_no_consent_screen(member: Client) -> None:
    _, challenge = pkce_pair()

    answer = authorize(member, code_challenge=challenge, code_challenge_method="S256")

    assert answer.status_code == 302
    assert "code" in redirect_query(answer)


def test_rp_initiated_logout_ends_the_session_and_returns_to_the_hall(member: Client) -> None:
    tokens = code_flow(member)

    answer = member.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": HALL_LOGGED_OUT_URI,
            "state": "bye",
        },
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"{HALL_LOGGED_OUT_URI}?state=bye"
    assert "_auth_user_id" not in member.session
    # The access token of that login is revoked with it.
    assert (
        member.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401
    )


def test_rp_initiated_logout_refuses_an_unregistered_redirect(member: Client) -> None:
    tokens = code_flow(member)

    answer = member.get(
        "/o/logout/",
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://evil.example/"},
    )

    assert answer.status_code == 400
    assert "退出请求无效" in page_text(answer)
    assert "Location" not in answer


def test_rp_initiated_logout_refuses_a_forged_id_token_hint(member: Client) -> None:
    tokens = code_flow(member)
    header, payload, signature = tokens["id_token"].split(".")
    forged = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])

    answer = member.get(
        "/o/logout/", {"id_token_hint": forged, "post_logout_redirect_uri": HALL_LOGGED_OUT_URI}
    )

    assert answer.status_code == 400
    assert "_auth_user_id" in member.session


def test_the_issuer_defaults_to_the_govsso_port() -> None:
    assert settings.OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] == settings.GOVSSO_ISSUER
    if not os.environ.get("GOVSSO_ISSUER"):
        default = f"http://127.0.0.1:{settings.GOVSSO_PORT}/o"
        assert default == settings.GOVSSO_ISSUER


def test_a_refresh_token_gives_a_new_access_token(member: Client, person: NaturalPerson) -> None:
    tokens = code_flow(member)

    refreshed = member.post(
        "/o/token/",
        data=urlencode({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=basic_auth(),
    )

    assert refreshed.status_code == 200, refreshed.content
    new_access = refreshed.json()["access_token"]
    assert new_access != tokens["access_token"]
    userinfo = member.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {new_access}").json()
    assert userinfo["sub"] == str(person.subject)
