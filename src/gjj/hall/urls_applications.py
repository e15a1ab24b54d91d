"""我的业务 (the member's applications, timeline, 撤回, 退回补正, payout card change, 办理回执) and
账户查询 (account and ledger)."""

from django.urls import path

from gjj.hall import application_views as views

urlpatterns = [
    path("applications/", views.application_list, name="applications"),
    path("account/", views.account_query, name="account"),
]
