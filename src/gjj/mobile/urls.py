from django.urls import path, re_path

from gjj.mobile import pwa, views, views_applications, views_withdrawal
from gjj.policy.reasons import REASON_KEYS

app_name = "mobile"

# A reason of the registry (purchase, rent, retirement): never a business number.
REASON = "(?P<reason>" + "|".join(REASON_KEYS) + ")"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("login/done/", views.login_done, name="login_done"),
    path("wechat/bind/", views.wechat_bind, name="wechat_bind"),
    path("wechat/binding/", views.wechat_binding, name="wechat_binding"),
    path("withdrawals/purchase/card-check/", views_withdrawal.card_check, name="card_check"),
    re_path(rf"^withdrawals/{REASON}/$", views_withdrawal.reason_start, name="reason"),
    re_path(rf"^withdrawals/{REASON}/(?P<step>[-a-zA-Z0-9_]+)/$", views_withdrawal.reason_step, name="step"),
    path("withdrawals/<str:business_no>/materials/", views_withdrawal.materials, name="materials"),
    path(
        "withdrawals/<str:business_no>/materials/<slug:kind>/",
        views_withdrawal.material_upload,
        name="upload",
    ),
    path("withdrawals/<str:business_no>/submit/", views_withdrawal.final_submit, name="final_submit"),
    path("withdrawals/<str:business_no>/result/", views_withdrawal.result, name="result"),
    path("applications/", views_applications.application_list, name="applications"),
    path("applications/<str:business_no>/", views_applications.application_detail, name="application_detail"),
    path(
        "applications/<str:business_no>/cancel/",
        views_applications.application_cancel,
        name="application_cancel",
    ),
    path(
        "applications/<str:business_no>/resubmit/",
        views_applications.application_resubmit,
        name="application_resubmit",
    ),
    path(
        "applications/<str:business_no>/card/",
        views_applications.application_change_card,
        name="application_card",
    ),
    path(
        "applications/<str:business_no>/receipt/",
        views_applications.application_receipt,
        name="application_receipt",
    ),
    path(
        "applications/<str:business_no>/receipt.pdf",
        views_applications.application_receipt_pdf,
        name="application_receipt_pdf",
    ),
    path("account/", views_applications.account_query, name="account"),
    path("logged-out/", views_applications.logged_out, name="logged_out"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("offline/", pwa.offline, name="offline"),
    path("icons/icon-<int:size>.png", pwa.icon, name="icon"),
]
