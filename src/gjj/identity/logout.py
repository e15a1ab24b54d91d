"""退出 ends the SSO session too: OpenID Connect RP-Initiated Logout 1.0.

Named in settings.OIDC_OP_LOGOUT_URL_METHOD; mozilla-django-oidc's logout view calls it while the
hall session still exists (it holds the ID token), then ends the hall session.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

# Where mozilla-django-oidc stores the ID token (OIDC_STORE_ID_TOKEN): a key name, not a secret.
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105
# 退出 on the H5 posts channel=m; the provider hands it back as ``state`` (RP-Initiated Logout
# 1.0 §3) so that 您已安全退出 shows in the phone's layout. It selects a page, nothing more.
MOBILE_CHANNEL = "m"


def logged_out_path(*, mobile: bool) -> str:
    return str(resolve_url("mobile:logged_out" if mobile else settings.LOGOUT_REDIRECT_URL))


def provider_logout_url(request: HttpRequest) -> str:
    """The provider's end-session URL, which comes back to the hall's 您已安全退出 page.

    Without a stored ID token (a staff session) or without an end-session endpoint (a provider
    that does not support RP-initiated logout) there is no SSO session to end from here: the
    member goes straight to the hall's page.
    """
    mobile = request.POST.get("channel") == MOBILE_CHANNEL
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    end_session_endpoint = settings.OIDC_OP_END_SESSION_ENDPOINT
    if not id_token or not end_session_endpoint:
        return logged_out_path(mobile=mobile)
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": settings.GJJ_OIDC_POST_LOGOUT_REDIRECT_URI,
        "client_id": settings.OIDC_RP_CLIENT_ID,
    }
    if mobile:
        params["state"] = MOBILE_CHANNEL
    query = urlencode(params)
    separator = "&" if "?" in end_session_endpoint else "?"
    return f"{end_session_endpoint}{separator}{query}"
