"""The provider's endpoints, mounted at ``/o/``. Only what the contract in ``govsso.oidc`` names
is routed: the toolkit's application-management and device-flow pages are left out, since any
signed-in member could otherwise register clients."""

from django.urls import path, re_path
from oauth2_provider import views as toolkit

from govsso.oidc.views import BearerHeaderUserInfoView, DiscoveryView

# The toolkit reverses its own URL names in this namespace (discovery builds endpoint URLs so).
app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", toolkit.AuthorizationView.as_view(), name="authorize"),
    path("token/", toolkit.TokenView.as_view(), name="token"),
    path("revoke_token/", toolkit.RevokeTokenView.as_view(), name="revoke-token"),
    # RFC 7662, for registered confidential clients (HTTP Basic with their credentials).
    path("introspect/", toolkit.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$", DiscoveryView.as_view(), name="oidc-connect-discovery-info"
    ),
    path(".well-known/jwks.json", toolkit.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", BearerHeaderUserInfoView.as_view(), name="user-info"),
    path("logout/", toolkit.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
]
