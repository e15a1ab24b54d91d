from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gjj.audit"
    label = "audit"
    verbose_name = "审计日志"
