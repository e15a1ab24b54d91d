from django.urls import path

from sims.registry import views

app_name = "registry"
urlpatterns = [
    path("houses", views.house_lookup, name="house-lookup"),
]
