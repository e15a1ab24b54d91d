from django.urls import path

from sims.sms import views

app_name = "sms"
urlpatterns = [
    path("send", views.send, name="send"),
    path("outbox", views.outbox_list, name="outbox"),
]
