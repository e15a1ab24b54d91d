from django.http import HttpRequest, JsonResponse
from django.urls import path


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "hall"})


urlpatterns = [
    path("health", health, name="health"),
]
