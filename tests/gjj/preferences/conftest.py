from tests.gjj.identity.fixtures import (  # noqa: F401 - fixtures
    _oidc_settings,
    employer,
    person_without_account,
    provider,
    walk,
    zhang_wei,
)
