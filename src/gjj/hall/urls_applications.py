"""我的业务 (the member's applications, timeline, 撤回, 退回补正, payout card change, 办理回执) and
账户查询 (account and ledger)."""

from django.urls import path

from gjj.hall import application_views as views

urlpatterns = [
    path("applications/", views.application_list, name="applications"),
    path("applications/<str:business_no>/", views.application_detail, name="application_detail"),
    path("applications/<str:business_no>/cancel/", views.application_cancel, name="application_cancel"),
    path("applications/<str:business_no>/resubmit/", views.application_resubmit, name="application_resubmit"),
    path(
        "applications/<str:business_no>/materials/",
        views.application_materials,
        name="application_materials",
    ),
    path(
        "applications/<str:business_no>/submit/",
        views.application_final_submit,
        name="application_final_submit",
    ),
    path("applications/<str:business_no>/card/", views.application_change_card, name="application_card"),
    path("applications/<str:business_no>/receipt.pdf", views.application_receipt, name="application_receipt"),
    path("account/", views.account_query, name="account"),
]
