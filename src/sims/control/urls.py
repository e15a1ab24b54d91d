from django.urls import path

from sims.control import views

app_name = "control"
urlpatterns = [
    path("faults", views.faults, name="faults"),
    path("reset", views.reset, name="reset"),
    path("dataset", views.dataset, name="dataset"),
]
