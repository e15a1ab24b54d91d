from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "gjj.backoffice"
    label = "backoffice"
    verbose_name = "后台管理"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from gjj.backoffice.signals import admin_change_audited

        post_save.connect(admin_change_audited, sender=LogEntry, dispatch_uid="gjj-admin-audited")
