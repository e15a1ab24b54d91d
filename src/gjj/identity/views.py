"""The hall's side of the OpenID Connect login: start, callback, 退出.

The callback never answers with a server error. A callback that cannot complete — the back button,
a second tab, an old link, a code used twice, an error from the provider, a token that fails
verification — shows 请重新登录 with a button that starts a fresh login.

Those pages (and 未查询到您的公积金账户信息) come in the layout of the channel the login was for: the
H5's when the login was to return to the H5 (the next path the login start kept in the session
begins with ``/m/``) or the page is open inside WeChat, and then 重新登录 returns to the H5; the
desktop hall's otherwise.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from gjj.core.origin import inside_wechat
from gjj.identity.redirects import default_after_login_path, safe_next_path
from gjj.identity.selectors import member_for_request
from gjj.identity.services import MemberHasNoFundAccount

logger = logging.getLogger(__name__)

LOGIN_NEXT_SESSION_KEY = "oidc_login_next"  # mozilla-django-oidc's key
H5_PREFIX = "/m/"


def login_start_url(*, next_path: str) -> str:
    """Where 立即登录 points: the start of the code flow, returning to ``next_path``."""
    return f"{reverse('oidc_authentication_init')}?{urlencode({'next': next_path})}"


def _provider_refused(exc: requests.RequestException) -> bool:
    """A 4xx answer is the provider saying no to this request; anything else is an outage."""
    return exc.response is not None and 400 <= exc.response.status_code < 500


class MemberLoginStartView(OIDCAuthenticationRequestView):
    """立即登录: redirect to the provider's authorization endpoint (state, nonce, PKCE S256)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        next_path = safe_next_path(request, request.GET.get("next"))
        if member_for_request(request) is not None:
            # Already logged in (the back button to the notice page): no new round trip.
            return redirect(next_path)
        response: HttpResponse = super().get(request)
        # The library accepts absolute URLs to this host too; the hall keeps to its own paths.
        request.session[LOGIN_NEXT_SESSION_KEY] = next_path
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        """A login that returns to the H5 asks the provider for its touch page (OpenID Connect
        Core §3.1.2.1 ``display``): the WeChat/APP login page, without 注册 or 忘记密码."""
        params: dict[str, str] = dict(super().get_extra_params(request))
        if safe_next_path(request, request.GET.get("next")).startswith("/m/"):
            params["display"] = "touch"
        return params


def login_was_for_h5(request: HttpRequest) -> bool:
    """The login under way returns to the H5, or the page is open in WeChat's own browser."""
    next_path = request.session.get(LOGIN_NEXT_SESSION_KEY)
    if isinstance(next_path, str) and next_path.startswith(H5_PREFIX):
        return True
    return inside_wechat(request)


class MemberLoginCallbackView(OIDCAuthenticationCallbackView):
    h5 = False

    def get(self, request: HttpRequest) -> HttpResponse:
        # Read before anything else: a failed login may end the session that says where it was going.
        self.h5 = login_was_for_h5(request)
        # RFC 9207: a provider that names itself in the authorization response (govsso does) must
        # name the configured issuer; another one means the answer is not from our provider.
        returned_issuer = request.GET.get("iss")
        if returned_issuer is not None and returned_issuer != settings.GJJ_OIDC_ISSUER:
            logger.warning("login callback refused: authorization response from another issuer")
            return self.login_failure()
        try:
            response: HttpResponse = super().get(request)
        except MemberHasNoFundAccount:
            # Authenticated at the SSO, but nobody to serve here: no session at all (this also
            # drops the ID token the library stored before the member lookup).
            auth.logout(request)
            return render(request, self._template("no_account"))
        except SuspiciousOperation as exc:
            logger.warning("login callback refused: %s", exc)
            return self.login_failure()
        except requests.RequestException as exc:
            if _provider_refused(exc):
                # invalid_grant and friends: a code used twice, a wrong PKCE verifier, an expired code.
                logger.warning("login callback: the identity provider refused the code: %s", exc.response)
                return self.login_failure()
            logger.error("login callback: the identity provider did not answer: %s", type(exc).__name__)
            return render(
                request,
                self._template("relogin"),
                {"provider_unavailable": True, "login_url": self._fresh_login_url()},
                status=503,
            )
        return response

    @property
    def success_url(self) -> str:
        # Checked again on the way out: whatever is in the session, only a path of the hall.
        return safe_next_path(self.request, self.request.session.get(LOGIN_NEXT_SESSION_KEY))

    def login_failure(self) -> HttpResponse:
        return render(
            self.request,
            self._template("relogin"),
            {"provider_unavailable": False, "login_url": self._fresh_login_url()},
            status=400,
        )

    def _template(self, name: str) -> str:
        return f"identity/{name}_h5.html" if self.h5 else f"identity/{name}.html"

    def _fresh_login_url(self) -> str:
        if self.h5:
            # Through the H5's login end (it offers a pending WeChat binding) to 业务办理.
            done = reverse("mobile:login_done")
            return login_start_url(next_path=f"{done}?{urlencode({'next': reverse('mobile:home')})}")
        return login_start_url(next_path=default_after_login_path())


class MemberLogoutView(OIDCLogoutView):
    """退出 (POST only, with the CSRF token): ends the hall session, then the SSO session through
    the provider's end-session endpoint (settings.OIDC_OP_LOGOUT_URL_METHOD)."""

    http_method_names = ["post"]
