"""The oauthlib server of the provider, with PKCE narrowed to S256."""

from __future__ import annotations

from typing import Any

from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.openid import Server


class S256OnlyServer(Server):
    """oauthlib accepts ``plain`` challenges, and takes a challenge sent without a method as
    ``plain``. The toolkit's RFC 9700 setting only refuses them when the code is about to be
    issued; removing ``plain`` from the grants refuses them while the request is validated, with
    the standard ``invalid_request`` answer, whether or not the member is signed in yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        s256_only = {"S256": code_challenge_method_s256}
        # The OIDC grant delegates to an OAuth 2 grant of its own (proxy_target).
        for grant in (self.auth_grant, self.openid_connect_auth.proxy_target):
            grant._code_challenge_methods = s256_only
