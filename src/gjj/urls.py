from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from gjj.portal import views as portal_views


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "hall"})


urlpatterns = [
    path("health", health, name="health"),
    path("", portal_views.home, name="portal"),
    path("oidc/", include("gjj.identity.urls")),
    path("hall/", include("gjj.hall.urls")),
]
