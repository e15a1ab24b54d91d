from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "govsso.verification"
    label = "verification"
    verbose_name = "短信验证码"
