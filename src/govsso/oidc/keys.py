"""The RSA key that signs ID tokens. Read by settings, so this module must not import Django.

``GOVSSO_OIDC_RSA_PRIVATE_KEY`` (a PEM) wins. Without it, the embedded set-up generates a key
once into ``var/govsso-oidc-key.pem`` and reuses it on every start: a key that changed at each
restart would make every ID token a relying party holds unverifiable, logouts included.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE_NAME = "govsso-oidc-key.pem"
KEY_SIZE_BITS = 2048


def oidc_private_key_pem(*, var_dir: Path) -> str:
    configured = os.environ.get("GOVSSO_OIDC_RSA_PRIVATE_KEY", "").strip()
    if configured:
        return configured
    key_file = var_dir / KEY_FILE_NAME
    if not key_file.exists():
        _generate_key_file(key_file)
    return key_file.read_text(encoding="ascii")


def _generate_key_file(key_file: Path) -> None:
    """Write a new key so that two processes starting at once end up with the same one: each
    writes its own temporary file and links it into place, and only the first link wins."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE_BITS)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = key_file.with_name(f".{key_file.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
    finally:
        temporary.unlink(missing_ok=True)
