from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "gjj.preferences"
    label = "preferences"
    verbose_name = "个人显示设置"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from gjj.preferences.receivers import adopt_visitor_choice_at_login

        user_logged_in.connect(adopt_visitor_choice_at_login, dispatch_uid="gjj.preferences.adopt_at_login")
