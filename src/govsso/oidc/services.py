"""Writes of the provider: registering relying parties (clients)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.db import transaction
from oauth2_provider.models import Application, get_application_model


@dataclass(frozen=True)
class ClientRegistration:
    application: Application
    created: bool


@transaction.atomic
def oidc_client_register(
    *,
    client_id: str,
    client_secret: str,
    name: str,
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str],
) -> ClientRegistration:
    """Create the client, or bring an existing one with this ``client_id`` to exactly these
    values: running it twice with the same arguments leaves the same client behind.

    The client is confidential, uses the authorization-code grant, gets RS256 ID tokens and no
    consent screen (a first-party client of the province). Its secret is stored hashed; the
    relying party keeps sending the plain secret. Raises ``django.core.exceptions.ValidationError``
    for an unacceptable redirect URI, and ``ValueError`` for an empty id or secret."""
    if not client_id.strip() or not client_secret:
        raise ValueError("client_id 与 client_secret 不能为空")
    if not redirect_uris:
        raise ValueError("至少需要一个 redirect_uri")
    model = get_application_model()
    application = model.objects.select_for_update().filter(client_id=client_id).first()
    created = application is None
    if application is None:
        application = model(client_id=client_id)
    application.name = name
    application.client_type = model.CLIENT_CONFIDENTIAL
    application.authorization_grant_type = model.GRANT_AUTHORIZATION_CODE
    application.algorithm = model.RS256_ALGORITHM
    application.skip_authorization = True
    application.hash_client_secret = True
    application.redirect_uris = " ".join(redirect_uris)
    application.post_logout_redirect_uris = " ".join(post_logout_redirect_uris)
    # Re-hashing an unchanged secret would only change its salt: keep the stored hash then.
    if created or not check_password(client_secret, application.client_secret):
        application.client_secret = client_secret
    application.full_clean()
    application.save()
    return ClientRegistration(application=application, created=created)
