from django.http import HttpRequest, JsonResponse
from django.urls import path


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "govsso"})


urlpatterns = [
    path("health", health, name="health"),
]
