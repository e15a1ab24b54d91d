from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "gjj.staff"
    label = "staff"
    verbose_name = "工作人员与岗位"
