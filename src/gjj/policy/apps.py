from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class PolicyConfig(AppConfig):
    name = "gjj.policy"
    label = "policy"
    verbose_name = "提取政策"

    def ready(self) -> None:
        # A bad policy file stops start-up with a message that names every problem.
        from gjj.policy.active import active_policy
        from gjj.policy.schema import PolicyError

        try:
            active_policy()
        except PolicyError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
