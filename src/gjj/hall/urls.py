from django.urls import path

from gjj.hall import views
from gjj.identity.views import MemberLogoutView

app_name = "hall"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("home/", views.member_home, name="home"),
    path("logout/", MemberLogoutView.as_view(), name="logout"),
    path("logged-out/", views.logged_out, name="logged_out"),
]
