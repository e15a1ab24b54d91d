"""An OpenID Connect provider in the test process, for testing the hall's relying party without a
live govsso: it answers mozilla-django-oidc's HTTP calls (token, userinfo, JWKS) through a
patched ``requests`` and checks what a real provider checks (the code once, PKCE S256, the
client secret, the redirect_uri). Its RSA keys are made with jwcrypto.

The live end-to-end login against govsso is the browser tests' business.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from jwcrypto import jwk

ISSUER = "http://127.0.0.1:8001/o"
CLIENT_ID = "gjj-hall"
CLIENT_SECRET = "gjj-hall-embedded-secret-0123456789"
AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize/"
TOKEN_ENDPOINT = f"{ISSUER}/token/"
USERINFO_ENDPOINT = f"{ISSUER}/userinfo/"
JWKS_ENDPOINT = f"{ISSUER}/.well-known/jwks.json"
END_SESSION_ENDPOINT = f"{ISSUER}/logout/"
REDIRECT_URI = "http://testserver/oidc/callback/"


def rsa_key(kid: str) -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid=kid, alg="RS256", use="sig")


def sign(claims: dict[str, Any], key: jwk.JWK, *, alg: str = "RS256") -> str:
    pem = key.export_to_pem(private_key=True, password=None)
    return jwt.encode(claims, pem, algorithm=alg, headers={"kid": key.get("kid")})


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def json_response(url: str, body: Any, *, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = url
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str
    code_challenge: str
    code_challenge_method: str
    redirect_uri: str
    used: bool = False


@dataclass
class FakeProvider:
    signing_key: jwk.JWK = field(default_factory=lambda: rsa_key("govsso-1"))
    # What the next ID token looks like: tests change these to forge bad tokens.
    token_key: jwk.JWK | None = None
    token_overrides: dict[str, Any] = field(default_factory=dict)
    unreachable: bool = False
    grants: dict[str, Grant] = field(default_factory=dict)
    userinfo_by_access_token: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    jwks_fetches: int = 0

    # The authorization endpoint: what the browser would do at govsso -------------------------

    def approve(self, authorize_url: str, *, claims: dict[str, Any]) -> str:
        """The member logs in at the provider: the callback URL (path and query) it redirects to."""
        parts = urlsplit(authorize_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZATION_ENDPOINT
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert "openid" in query["scope"].split()
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            claims=claims,
            nonce=query["nonce"],
            code_challenge=query["code_challenge"],
            code_challenge_method=query["code_challenge_method"],
            redirect_uri=query["redirect_uri"],
        )
        # Like govsso (RFC 9207), the provider names itself in the authorization response.
        answer = {"code": code, "state": query["state"], "iss": ISSUER}
        return f"{urlsplit(query['redirect_uri']).path}?{urlencode(answer)}"

    # HTTP: the hall's back-channel calls ---------------------------------------------------------

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        if self.unreachable:
            raise requests.ConnectionError(f"connection refused: {url}")
        assert url == TOKEN_ENDPOINT, url
        data = dict(data or {})
        self.token_requests.append(data)
        grant = self.grants.get(data.get("code", ""))
        refusal = self._token_refusal(data, grant)
        if refusal:
            return json_response(url, {"error": refusal}, status=400)
        assert grant is not None
        grant.used = True
        access_token = secrets.token_urlsafe(24)
        self.userinfo_by_access_token[access_token] = dict(grant.claims)
        now = int(time.time())
        id_claims = {
            "iss": ISSUER,
            "sub": grant.claims["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": grant.nonce,
            **self.token_overrides,
        }
        id_token = sign(id_claims, self.token_key or self.signing_key)
        return json_response(
            url,
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token},
        )

    def _token_refusal(self, data: dict[str, Any], grant: Grant | None) -> str:
        if data.get("grant_type") != "authorization_code":
            return "unsupported_grant_type"
        if data.get("client_id") != CLIENT_ID or data.get("client_secret") != CLIENT_SECRET:
            return "invalid_client"
        if grant is None or grant.used:
            return "invalid_grant"
        if data.get("redirect_uri") != grant.redirect_uri:
            return "invalid_grant"
        if (
            grant.code_challenge_method != "S256"
            or s256(data.get("code_verifier", "")) != grant.code_challenge
        ):
            return "invalid_grant"
        return ""

    def get(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        if self.unreachable:
            raise requests.ConnectionError(f"connection refused: {url}")
        if url == JWKS_ENDPOINT:
            self.jwks_fetches += 1
            return json_response(url, {"keys": [self.signing_key.export_public(as_dict=True)]})
        if url == USERINFO_ENDPOINT:
            token = (headers or {}).get("Authorization", "").removeprefix("Bearer ")
            if token not in self.userinfo_by_access_token:
                return json_response(url, {"error": "invalid_token"}, status=401)
            return json_response(url, self.userinfo_by_access_token[token])
        raise AssertionError(f"unexpected GET {url}")
