from django.apps import AppConfig


class MobileConfig(AppConfig):
    name = "gjj.mobile"
    label = "mobile"
    verbose_name = "手机 H5 与 APP"
