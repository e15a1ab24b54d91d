from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "gjj.hall"
    label = "hall"
    verbose_name = "个人网厅"
