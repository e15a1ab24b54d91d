"""【提取】 and the 购买商品住房提取 form, upload dialog and result page (desktop)."""

from django.urls import path

from gjj.hall import withdrawal_views as views

urlpatterns = [
    path("withdrawals/", views.withdrawal_kinds, name="withdrawal_kinds"),
    path("withdrawals/purchase/", views.withdrawal_purchase, name="withdrawal_purchase"),
    # htmx while the member types: the house echo, the card check, the draft.
    path("withdrawals/purchase/house/", views.withdrawal_house, name="withdrawal_house"),
    path("withdrawals/purchase/card/", views.withdrawal_card, name="withdrawal_card"),
    path("withdrawals/purchase/draft/", views.withdrawal_draft, name="withdrawal_draft"),
    # 影像上传 (the dialog; its page without JS), then the result.
    path("withdrawals/<str:business_no>/materials/", views.withdrawal_materials, name="withdrawal_materials"),
    path(
        "withdrawals/<str:business_no>/materials/<str:kind>/",
        views.withdrawal_material_upload,
        name="withdrawal_material_upload",
    ),
    path(
        "withdrawals/<str:business_no>/materials/<str:kind>/remove/",
        views.withdrawal_material_remove,
        name="withdrawal_material_remove",
    ),
    path(
        "withdrawals/<str:business_no>/materials/<str:kind>/file/",
        views.withdrawal_material_file,
        name="withdrawal_material_file",
    ),
    path(
        "withdrawals/<str:business_no>/submit/", views.withdrawal_final_submit, name="withdrawal_final_submit"
    ),
    path("withdrawals/<str:business_no>/result/", views.withdrawal_result, name="withdrawal_result"),
    path("withdrawals/<str:business_no>/status/", views.withdrawal_status, name="withdrawal_status"),
]
