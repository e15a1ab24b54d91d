"""The WeChat official-account platform API (微信公众平台): access token, menu, template messages.

- ``GET {GJJ_WECHAT_API_URL}/cgi-bin/token?grant_type=client_credential&appid=&secret=``
  → ``{"access_token", "expires_in"}`` or ``{"errcode", "errmsg"}``
- ``POST {base}/cgi-bin/menu/create?access_token=`` ``{"button": [...]}`` → ``{"errcode": 0}``
- ``POST {base}/cgi-bin/message/template/send?access_token=``
  ``{"touser", "template_id", "url", "data"}`` → ``{"errcode": 0, "msgid"}``

The access token is cached (Django cache) until shortly before it expires, and fetched again once
when the platform says it is invalid or expired (errcode 40001 / 42001).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache

from gjj.clients.base import (
    HttpAnswer,
    JsonHttpClient,
    OutsideSystemUnavailable,
    TransportFailure,
    default_timeout,
    protocol_mismatch,
)

logger = logging.getLogger(__name__)

# errcodes of the platform that mean "fetch a new access token"
TOKEN_INVALID_CODES = frozenset({40001, 42001})
# The cached token is dropped this long before the platform says it expires.
TOKEN_EXPIRY_MARGIN_SECONDS = 300


class WechatUnavailable(OutsideSystemUnavailable):
    system_label = "微信公众平台"


class WechatRefused(WechatUnavailable):
    """The platform answered with a non-zero errcode (other than an invalid token)."""

    def __init__(self, *, errcode: int, errmsg: str) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"微信公众平台拒绝了请求（{errcode}：{errmsg}）")


class WechatClient(Protocol):
    def access_token(self) -> str:
        """A valid access token (cached). Raises ``WechatUnavailable``."""
        ...

    def menu_create(self, menu: dict[str, Any]) -> dict[str, Any]:
        """Publish the custom menu; returns the platform's answer. Raises ``WechatUnavailable``."""
        ...

    def template_send(
        self, *, openid: str, template_id: str, url: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Send one template message; returns the platform's answer (with ``msgid``).
        Raises ``WechatUnavailable`` (``WechatRefused`` for a non-zero errcode)."""
        ...


class HttpWechatClient:
    def __init__(self, *, base_url: str, appid: str, secret: str, timeout: float) -> None:
        self._http = JsonHttpClient(system="wechat", base_url=base_url, timeout=timeout)
        self.appid = appid
        self._secret = secret
        self._cache_key = f"gjj.wechat.access_token:{base_url.rstrip('/')}:{appid}"

    # Access token -----------------------------------------------------------------------------

    def access_token(self) -> str:
        token = cache.get(self._cache_key)
        if token:
            return token
        return self._fetch_token()

    def _fetch_token(self) -> str:
        try:
            answer = self._http.get(
                "cgi-bin/token",
                operation="access_token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self._secret},
            )
        except TransportFailure as exc:
            raise WechatUnavailable() from exc
        payload = _payload(answer, what="获取 access_token")
        if payload.get("errcode"):
            raise WechatRefused(errcode=int(payload["errcode"]), errmsg=str(payload.get("errmsg", "")))
        token, expires_in = payload.get("access_token"), payload.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise protocol_mismatch(WechatUnavailable, what="获取 access_token", answer=answer)
        cache.set(self._cache_key, token, timeout=max(expires_in - TOKEN_EXPIRY_MARGIN_SECONDS, 30))
        logger.info("已获取微信 access_token，有效期 %s 秒", expires_in)
        return token

    def forget_token(self) -> None:
        cache.delete(self._cache_key)

    # Calls with a token -----------------------------------------------------------------------

    def _call(self, path: str, *, operation: str, body: dict[str, Any], what: str) -> dict[str, Any]:
        for attempt in (1, 2):
            token = self.access_token()
            try:
                answer = self._http.request(
                    "POST", path, operation=operation, params={"access_token": token}, body=body
                )
            except TransportFailure as exc:
                raise WechatUnavailable() from exc
            payload = _payload(answer, what=what)
            errcode = payload.get("errcode", 0)
            if errcode in TOKEN_INVALID_CODES and attempt == 1:
                logger.info("微信 access_token 已失效（%s），重新获取", errcode)
                self.forget_token()
                continue
            if errcode:
                raise WechatRefused(errcode=int(errcode), errmsg=str(payload.get("errmsg", "")))
            return payload
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def menu_create(self, menu: dict[str, Any]) -> dict[str, Any]:
        return self._call("cgi-bin/menu/create", operation="menu_create", body=menu, what="创建自定义菜单")

    def template_send(
        self, *, openid: str, template_id: str, url: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        body = {"touser": openid, "template_id": template_id, "url": url, "data": data}
        return self._call(
            "cgi-bin/message/template/send", operation="template_send", body=body, what="发送模板消息"
        )


def _payload(answer: HttpAnswer, *, what: str) -> dict[str, Any]:
    if answer.status != 200 or not answer.decoded or not isinstance(answer.payload, dict):
        raise protocol_mismatch(WechatUnavailable, what=what, answer=answer)
    return answer.payload


# Embedded defaults: the simulator's credentials (sims.settings SIMS_WECHAT_APPID / _SECRET).
EMBEDDED_APPID = "wxgjjembedded0001"
EMBEDDED_SECRET = "embedded-wechat-secret-change-me"  # noqa: S105 - the simulator's, embedded only


def wechat_setting(name: str) -> str:
    """A ``GJJ_WECHAT_*`` setting: the Django setting when defined, else the environment variable
    of the same name, else the embedded default (the simulator on loopback)."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        sims = f"http://127.0.0.1:{getattr(settings, 'SIMS_PORT', 8002)}"
        value = {
            "GJJ_WECHAT_API_URL": f"{sims}/wechat",
            "GJJ_WECHAT_APPID": EMBEDDED_APPID,
            "GJJ_WECHAT_SECRET": EMBEDDED_SECRET,
            "GJJ_WECHAT_TEMPLATE_ID": "gjj-withdrawal-progress",
        }[name]
    return str(value)


def get_wechat_client() -> WechatClient:
    """The configured platform; settings are read at each call so tests can re-point it."""
    return HttpWechatClient(
        base_url=wechat_setting("GJJ_WECHAT_API_URL"),
        appid=wechat_setting("GJJ_WECHAT_APPID"),
        secret=wechat_setting("GJJ_WECHAT_SECRET"),
        timeout=default_timeout(),
    )
