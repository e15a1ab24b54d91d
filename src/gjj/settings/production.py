"""Production: PostgreSQL (GJJ_DATABASE_URL), Redis (GJJ_REDIS_URL), S3-compatible storage.

Start-up fails, naming the variable, when a secret is missing, short, or one of the embedded
defaults published in this repository (GJJ_SECRET_KEY signs sessions, the receipt 校验码 and the
WeChat link tokens). Behind a TLS-terminating proxy that sets X-Forwarded-Proto: HTTPS only, HSTS
for a year (subdomains and preload included), secure cookies; `gjj check --deploy` is clean.
"""

from gjj.clients.wechat import EMBEDDED_SECRET as EMBEDDED_WECHAT_SECRET
from gjj.core.env import (
    EMBEDDED_FIELD_KEYS,
    env_bool,
    env_int,
    env_production_secret,
    env_str,
)
from gjj.settings.base import *  # noqa: F403
from gjj.settings.base import EMBEDDED_OIDC_CLIENT_SECRET, EMBEDDED_SECRET_KEY
from gjj.wechat.conf import EMBEDDED_TOKEN as EMBEDDED_WECHAT_TOKEN

DEBUG = False
SECRET_KEY = env_production_secret("GJJ_SECRET_KEY", embedded=EMBEDDED_SECRET_KEY, min_length=50)
OIDC_RP_CLIENT_SECRET = env_production_secret("GJJ_OIDC_CLIENT_SECRET", embedded=EMBEDDED_OIDC_CLIENT_SECRET)
GJJ_WECHAT_TOKEN = env_production_secret("GJJ_WECHAT_TOKEN", embedded=EMBEDDED_WECHAT_TOKEN, min_length=16)
GJJ_WECHAT_SECRET = env_production_secret("GJJ_WECHAT_SECRET", embedded=EMBEDDED_WECHAT_SECRET, min_length=16)
# The published key's material, under whatever key id and beside whatever other key.
FIELD_ENCRYPTION_KEYS = env_production_secret(
    "GJJ_FIELD_KEYS", embedded=EMBEDDED_FIELD_KEYS.split(":", 1)[1], min_length=40
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("GJJ_SECURE_SSL_REDIRECT", True)
# The load balancer's health checks come over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("GJJ_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

if env_str("GJJ_S3_BUCKET", ""):
    from botocore.config import Config as BotocoreConfig

    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("GJJ_S3_BUCKET", ""),
                "endpoint_url": env_str("GJJ_S3_ENDPOINT_URL", "") or None,
                # Empty: boto3's own chain (an instance role, AWS_* variables).
                "access_key": env_str("GJJ_S3_ACCESS_KEY_ID", "") or None,
                "secret_key": env_str("GJJ_S3_SECRET_ACCESS_KEY", "") or None,
                "region_name": env_str("GJJ_S3_REGION", "") or None,
                # Private objects only: every download goes through the hall, which checks who
                # asks; a name is never reused for other bytes.
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                # Path-style addressing unless told otherwise (an endpoint on an address, as moto's or
                # MinIO's); a storage that hangs fails an upload (and /health/ready) within seconds,
                # not after botocore's minute and its retries.
                "client_config": BotocoreConfig(
                    s3={"addressing_style": env_str("GJJ_S3_ADDRESSING_STYLE", "path")},
                    signature_version="s3v4",
                    connect_timeout=env_int("GJJ_S3_CONNECT_TIMEOUT_SECONDS", 3),
                    read_timeout=env_int("GJJ_S3_READ_TIMEOUT_SECONDS", 20),
                    retries={"max_attempts": 2, "mode": "standard"},
                ),
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
