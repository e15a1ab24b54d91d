from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "gjj.identity"
    label = "identity"
    verbose_name = "统一身份认证登录"
