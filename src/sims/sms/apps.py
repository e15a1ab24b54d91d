from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sims.sms"
    label = "sms"
    verbose_name = "短信平台（模拟）"
