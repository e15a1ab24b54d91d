from django.urls import path

from gjj.preferences import views

app_name = "preferences"

urlpatterns = [
    path("elder-mode/", views.elder_mode_switch, name="elder_mode"),
]
