from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gjj.portal"
    verbose_name = "门户网站"
