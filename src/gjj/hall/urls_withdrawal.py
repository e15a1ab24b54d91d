"""【提取】, the form of each withdrawal reason, the upload dialog and the result page (desktop).

购买商品住房提取 keeps /withdrawals/purchase/ with its house echo; every other reason of the registry
(gjj.policy.reasons) has /withdrawals/<key>/ (``hall:withdrawal_<key>``), and every reason's form has
the same card check and draft helpers (``hall:withdrawal_card``, ``hall:withdrawal_draft`` with the
reason), so that a new reason needs no line here and the card check's rate limit covers each."""

from django.urls import path, re_path

from gjj.hall import withdrawal_views as views
from gjj.policy.reasons import REASON_KEYS, REASONS, SUBJECT_HOUSE

# A reason of the registry (purchase, rent, retirement): never a business number.
REASON = "(?P<reason>" + "|".join(REASON_KEYS) + ")"

urlpatterns = [
    path("withdrawals/", views.withdrawal_kinds, name="withdrawal_kinds"),
    path("withdrawals/purchase/", views.withdrawal_purchase, name="withdrawal_purchase"),
    # htmx while the member types: the house echo, the card check, the draft.
    path("withdrawals/purchase/house/", views.withdrawal_house, name="withdrawal_house"),
    re_path(rf"^withdrawals/{REASON}/card/$", views.withdrawal_card, name="withdrawal_card"),
    re_path(rf"^withdrawals/{REASON}/draft/$", views.withdrawal_draft, name="withdrawal_draft"),
]

# The reasons without a house (租房提取, 离退休提取, …).
urlpatterns += [
    path(f"withdrawals/{key}/", views.withdrawal_reason, {"reason": key}, name=f"withdrawal_{key}")
    for key, reason in REASONS.items()
    if reason.subject != SUBJECT_HOUSE
]

urlpatterns += [
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
