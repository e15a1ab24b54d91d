"""The simulator's URLs: one prefix per simulated system, plus health and the control endpoints."""

from django.urls import include, path

from sims.control import views as control_views

urlpatterns = [
    path("health", control_views.health, name="health"),
    path("_control/", include("sims.control.urls")),
    path("registry/", include("sims.registry.urls")),
    path("bank/", include("sims.bank.urls")),
    path("sms/", include("sims.sms.urls")),
    path("wechat/", include("sims.wechat.urls")),
]

handler404 = "sims.control.views.page_not_found"
handler500 = "sims.control.views.server_error"
