"""Provider views that differ from the toolkit's."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import ConnectDiscoveryInfoView, UserInfoView


class DiscoveryView(ConnectDiscoveryInfoView):
    """The toolkit advertises HS256 beside RS256 because it could sign with either per client;
    govsso registers its clients with RS256 only, so discovery says exactly that, and names the
    grants it actually serves."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        metadata = json.loads(response.content)
        metadata["id_token_signing_alg_values_supported"] = ["RS256"]
        metadata["grant_types_supported"] = ["authorization_code", "refresh_token"]
        metadata["claims_supported"] = sorted(metadata["claims_supported"])
        rewritten = JsonResponse(metadata)
        rewritten["Access-Control-Allow-Origin"] = "*"
        return rewritten


@method_decorator(csrf_exempt, name="dispatch")
class BearerHeaderUserInfoView(UserInfoView):
    """Userinfo that takes the access token from the Authorization header or a form body only:
    a token in the query string ends up in proxy and server logs (RFC 6750 §5.3, RFC 9700
    §4.3.2). The toolkit's RFC 9700 setting guards its protected resources, not this endpoint."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "access_token" in request.GET:
            refused = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "The access token must be sent in the Authorization header.",
                },
                status=400,
            )
            refused["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return refused
        return super().dispatch(request, *args, **kwargs)
