from django.urls import path
from floorapp import views

urlpatterns = [
    path("insert/", views.insert, name="insert"),
    path("read/", views.read, name="read"),
    path("ping/", views.ping, name="ping"),
    path("health", views.ping, name="health"),
]
