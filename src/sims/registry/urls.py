from django.urls import path

from sims.registry import views

app_name = "registry"
urlpatterns = [
    path("houses", views.house_lookup, name="house-lookup"),
    path("houses/by-buyer", views.houses_by_buyer, name="houses-by-buyer"),
]
