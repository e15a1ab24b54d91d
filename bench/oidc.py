"""Members log in as they do for real, over HTTP: at the government SSO stand-in with their 身份证号
and password, then the authorization-code flow with PKCE (S256) — for the JSON API, the app's token
exchange; for the pages, the hall's own ``/oidc/authenticate/`` → login form → callback, keeping the
member's cookies."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TypeVar
from urllib.parse import parse_qs, urlparse

import httpx

from bench.load import JobFailed, client, expect, source_for

CLIENT_ID = os.environ.get("GJJ_OIDC_CLIENT_ID", "gjj-hall")
CLIENT_SECRET = os.environ.get("GJJ_OIDC_CLIENT_SECRET", "gjj-hall-embedded-secret-0123456789")
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')

T = TypeVar("T")
R = TypeVar("R")


def client_secret(env: Mapping[str, str]) -> str:
    """The hall's client secret in a set-up's environment (the production topology's generated one)."""
    return env.get("GJJ_OIDC_CLIENT_SECRET", CLIENT_SECRET)


async def _sso_login(
    http: httpx.AsyncClient, login_page: httpx.Response, username: str, password: str
) -> httpx.Response:
    """Fill in and post the SSO's login form shown in ``login_page``."""
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(login_page.text)}
    if "csrfmiddlewaretoken" not in fields:
        raise JobFailed(f"no login form at {login_page.url}: {login_page.text[:200]}")
    return await http.post(
        str(login_page.url.copy_with(query=None)),
        data={**fields, "username": username, "password": password},
        headers={"Referer": str(login_page.url)},
    )


async def api_token(
    govsso: str,
    hall: str,
    username: str,
    password: str,
    *,
    client_secret: str = CLIENT_SECRET,
) -> str:
    """An access token of the hall's OIDC client for this member (what the app holds)."""
    async with client(follow_redirects=False, source=source_for(username)) as http:
        page = expect(await http.get(f"{govsso}/login/"))
        logged_in = await _sso_login(http, page, username, password)
        if logged_in.status_code not in (200, 302, 303):
            raise JobFailed(f"SSO login → {logged_in.status_code}: {logged_in.text[:300]}")
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        redirect_uri = f"{hall}/oidc/callback/"
        authorized = await http.get(
            f"{govsso}/o/authorize/",
            params={
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": "openid profile phone id_card",
                "state": secrets.token_urlsafe(8),
                "nonce": secrets.token_urlsafe(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        if authorized.status_code not in (301, 302, 303):
            raise JobFailed(f"authorize → {authorized.status_code}: {authorized.text[:300]}")
        code = parse_qs(urlparse(authorized.headers["Location"]).query)["code"][0]
        token = expect(
            await http.post(
                f"{govsso}/o/token/",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "client_id": CLIENT_ID,
                    "client_secret": client_secret,
                    "code_verifier": verifier,
                },
            )
        )
        return str(token.json()["access_token"])


async def hall_session(
    hall: str, username: str, password: str, *, next_path: str = "/hall/home/"
) -> httpx.AsyncClient:
    """A client logged in to the hall's pages (立即登录 → SSO login → callback), its cookies kept."""
    http = client(follow_redirects=True, source=source_for(username))
    try:
        page = expect(await http.get(f"{hall}/oidc/authenticate/", params={"next": next_path}))
        landed = expect(await _sso_login(http, page, username, password))
        if urlparse(str(landed.url)).path != next_path:
            raise JobFailed(f"login ended at {landed.url}, not {next_path}")
    except BaseException:
        await http.aclose()
        raise
    return http


async def bounded(fn: Callable[[T], Awaitable[R]], items: Iterable[T], concurrency: int) -> list[R]:
    """``fn`` over ``items``, at most ``concurrency`` at a time, results in order."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(item: T) -> R:
        async with semaphore:
            return await fn(item)

    return list(await asyncio.gather(*(one(item) for item in items)))
