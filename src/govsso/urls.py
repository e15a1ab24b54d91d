from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "govsso"})


urlpatterns = [
    path("health", health, name="health"),
    path("o/", include("govsso.oidc.urls")),
    path("", include("govsso.accounts.urls")),
]
