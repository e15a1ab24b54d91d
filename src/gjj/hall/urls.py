from django.urls import include, path

from gjj.hall import views
from gjj.identity.views import MemberLogoutView

app_name = "hall"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("home/", views.member_home, name="home"),
    path("logout/", MemberLogoutView.as_view(), name="logout"),
    path("logged-out/", views.logged_out, name="logged_out"),
    path("", include("gjj.hall.urls_withdrawal")),
    path("", include("gjj.hall.urls_applications")),
]
