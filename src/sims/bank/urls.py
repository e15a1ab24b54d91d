from django.urls import path

from sims.bank import views

app_name = "bank"
urlpatterns = [
    path("cards/verify", views.card_verify, name="card-verify"),
    path("cards/<str:card_no>", views.card_detail, name="card-detail"),
    path("transfers", views.transfers, name="transfers"),
    path("transfers/<str:serial>", views.transfer_status, name="transfer-status"),
    path("statements/<str:day>", views.statement, name="statement"),
]
