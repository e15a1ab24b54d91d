"""Production: PostgreSQL (GJJ_DATABASE_URL), Redis (GJJ_REDIS_URL), S3-compatible storage."""

from gjj.core.env import env_str
from gjj.settings.base import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if env_str("GJJ_S3_BUCKET", ""):
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("GJJ_S3_BUCKET", ""),
                "endpoint_url": env_str("GJJ_S3_ENDPOINT_URL", "") or None,
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
