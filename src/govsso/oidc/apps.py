from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "govsso.oidc"
    label = "govsso_oidc"
    verbose_name = "OpenID Connect 身份提供方"
