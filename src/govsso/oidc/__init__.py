"""govsso's OpenID Connect provider: the contract the hall (or any relying party) relies on.

Issuer ``GOVSSO_ISSUER`` (default ``http://127.0.0.1:8001/o``); every endpoint is below it:

- discovery ``{issuer}/.well-known/openid-configuration``
- JWKS ``{issuer}/.well-known/jwks.json`` (RS256 keys, ``kid`` = the key's JWK thumbprint)
- authorization ``{issuer}/authorize/``: ``response_type=code`` only, PKCE required with
  ``code_challenge_method=S256`` (a request without a challenge, or with ``plain``, is refused);
  the response carries ``code``, ``state`` and ``iss`` (RFC 9207)
- token ``{issuer}/token/``: ``client_secret_basic`` or ``client_secret_post``; returns an
  RS256-signed ID token, an access token and a refresh token
- userinfo ``{issuer}/userinfo/`` (``Authorization: Bearer <access token>``)
- RP-initiated logout ``{issuer}/logout/`` with ``id_token_hint``, ``post_logout_redirect_uri``
  (only a URI registered for the client) and optionally ``client_id`` and ``state``; it ends the
  govsso session.

Scopes and the claims they release (in the ID token and from userinfo alike):

====================  =====================================================================
scope                 claims
====================  =====================================================================
``openid``            ``sub``: stable, opaque UUID of the account (never the 身份证号 or a row id)
``profile``           ``name``: 姓名
``phone``             ``phone_number``: 手机号, 11 digits as registered (e.g. ``13804001001``)
``id_card``           ``id_card_number``: 身份证号, 18 characters, final ``X`` upper-case
====================  =====================================================================

Clients are registered with ``python -m django register_client --settings=govsso.settings``
(see that command); the hall is a first-party, confidential client with no consent screen.
"""
