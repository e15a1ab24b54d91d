from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "hall"})


urlpatterns = [
    path("health", health, name="health"),
    # Until the portal home page exists (issue 4), the site's root is the 个人网厅 notice page.
    path("", RedirectView.as_view(pattern_name="hall:notice", permanent=False), name="portal"),
    path("oidc/", include("gjj.identity.urls")),
    path("hall/", include("gjj.hall.urls")),
]
