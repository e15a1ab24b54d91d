from django.urls import path

from gjj.backoffice import views, views_audit, views_payouts, views_reconciliation, views_review

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("queue/", views_review.queue, name="queue"),
    path("cases/<str:business_no>/", views_review.case, name="case"),
    path("cases/<str:business_no>/claim/", views_review.claim, name="claim"),
    path("cases/<str:business_no>/release/", views_review.release, name="release"),
    path("cases/<str:business_no>/approve/", views_review.approve, name="approve"),
    path("cases/<str:business_no>/reject/", views_review.reject, name="reject"),
    path("cases/<str:business_no>/return/", views_review.return_for_correction, name="return"),
    path(
        "cases/<str:business_no>/materials/<int:material_id>/",
        views_review.material_file,
        name="material",
    ),
    path("payouts/", views_payouts.payouts, name="payouts"),
    path("payouts/<str:serial>/redrive/", views_payouts.redrive, name="redrive"),
    path("reconciliation/", views_reconciliation.statements, name="reconciliation"),
    path("reconciliation/import/", views_reconciliation.statement_import_view, name="statement_import"),
    path("reconciliation/<int:import_id>/", views_reconciliation.report, name="statement_report"),
    path("reconciliation/<int:import_id>/export.csv", views_reconciliation.export, name="statement_export"),
    path("audit/", views_audit.audit_log, name="audit"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
]
