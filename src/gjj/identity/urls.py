"""The OpenID Connect endpoints of the hall, mounted at /oidc/.

The route names are mozilla-django-oidc's: it reverses ``oidc_authentication_callback`` to build
the redirect_uri it sends to the provider.
"""

from django.urls import path

from gjj.identity.views import MemberLoginCallbackView, MemberLoginStartView

urlpatterns = [
    path("authenticate/", MemberLoginStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", MemberLoginCallbackView.as_view(), name="oidc_authentication_callback"),
]
