"""【提取】 and the 购买商品住房提取 form, upload dialog and result page (desktop)."""

from django.urls import path

from gjj.hall import withdrawal_views as views

urlpatterns = [
    path("withdrawals/", views.withdrawal_kinds, name="withdrawal_kinds"),
]
