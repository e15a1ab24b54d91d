from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "gjj.reconciliation"
    label = "reconciliation"
    verbose_name = "银行对账"
