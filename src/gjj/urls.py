from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from gjj.api.api import api as api_v1
from gjj.core.health import health_live, health_ready
from gjj.core.metrics import metrics_view
from gjj.core.throttle import throttled_page
from gjj.mobile import pwa as mobile_pwa
from gjj.portal import views as portal_views


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": "hall"})


urlpatterns = [
    path("health", health, name="health"),
    # Probes and the scrape: no login, no session, no rate limit (no throttle rule names them).
    path("health/live", health_live, name="health_live"),
    path("health/ready", health_ready, name="health_ready"),
    path("metrics", metrics_view, name="metrics"),
    path("too-many-requests/", throttled_page, name="throttled"),
    path("", portal_views.home, name="portal"),
    path("receipts/verify/", portal_views.receipt_verify, name="receipt_verify"),
    path("oidc/", include("gjj.identity.urls")),
    path("hall/", include("gjj.hall.urls")),
    path("wechat/", include("gjj.wechat.urls")),
    path("m/", include("gjj.mobile.urls")),
    path("preferences/", include("gjj.preferences.urls")),
    path("app/", mobile_pwa.app_install, name="app_install"),
    path("api/v1/", api_v1.urls),
    path("backoffice/admin/", admin.site.urls),
    path("backoffice/", include("gjj.backoffice.urls")),
]

# Chinese error pages in the channel's layout (gjj.core.errors).
handler400 = "gjj.core.errors.bad_request"
handler403 = "gjj.core.errors.permission_denied"
handler404 = "gjj.core.errors.page_not_found"
handler500 = "gjj.core.errors.server_error"
