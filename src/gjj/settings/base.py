"""Settings shared by every deployment of the hall. Everything deployment-specific is an
environment variable read here, so that pointing the hall at the real SSO, registry or bank is
configuration, not code."""

from __future__ import annotations

from gjj.core.env import (
    EMBEDDED_FIELD_KEYS,
    REPO_ROOT,
    database_from_env,
    env_bool,
    env_int,
    env_str,
    var_dir,
)
from gjj.core.throttle_rules import ThrottleRule

VAR_DIR = var_dir()
# Published embedded defaults: production refuses to start with any of them (settings.production).
EMBEDDED_SECRET_KEY = "embedded-only-secret-change-me-in-production-0123456789"  # noqa: S105
EMBEDDED_OIDC_CLIENT_SECRET = "gjj-hall-embedded-secret-0123456789"  # noqa: S105
SECRET_KEY = env_str("GJJ_SECRET_KEY", EMBEDDED_SECRET_KEY)
# 身份证号, phone and card numbers at rest (gjj.core.encrypted): "<key id>:<base64 of 64 bytes>",
# comma-separated, the current key first.
FIELD_ENCRYPTION_KEYS = env_str("GJJ_FIELD_KEYS", EMBEDDED_FIELD_KEYS)
DEBUG = env_bool("GJJ_DEBUG", False)
ALLOWED_HOSTS = env_str("GJJ_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

HALL_PORT = env_int("GJJ_HALL_PORT", 8000)
GOVSSO_PORT = env_int("GJJ_GOVSSO_PORT", 8001)
SIMS_PORT = env_int("GJJ_SIMS_PORT", 8002)

INSTALLED_APPS = [
    "gjj.backoffice.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "django_htmx",
    "gjj.core",
    "gjj.members",
    "gjj.policy",
    "gjj.withdrawals",
    "gjj.datasets",
    "gjj.identity",
    "gjj.preferences",
    "gjj.applications",
    "gjj.hall",
    "gjj.portal",
    "gjj.wechat",
    "gjj.mobile",
    "ninja",
    "gjj.api",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "gjj.staff",
    "gjj.audit",
    "gjj.reconciliation",
    "gjj.backoffice",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request id, and its time is measured.
    "gjj.core.request_id.RequestIdMiddleware",
    "gjj.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gjj.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gjj.core.sessions.SessionIdleExpiryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gjj.core.throttle.ThrottleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gjj.mobile.middleware.WechatLinkMiddleware",
    "gjj.backoffice.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gjj.urls"
WSGI_APPLICATION = "gjj.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gjj.hall.context_processors.hall_chrome",
                "gjj.preferences.context_processors.display_mode",
                "gjj.backoffice.context_processors.backoffice_chrome",
            ]
        },
    }
]

DATABASES = {"default": database_from_env("GJJ_DATABASE_URL", "hall.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_ROOT.mkdir(exist_ok=True)  # /health/ready wants it there before the first upload

# Two local sites on 127.0.0.1 share cookies across ports: each has its own names.
SESSION_COOKIE_NAME = "gjj_hall_session"
CSRF_COOKIE_NAME = "gjj_hall_csrftoken"
CSRF_FAILURE_VIEW = "gjj.core.errors.csrf_failure"
# Idle sessions end 30 minutes after the last request (gjj.core.sessions pushes the end back at
# most once a minute instead of writing the session on every request).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
GJJ_SESSION_REFRESH_SECONDS = env_int("GJJ_SESSION_REFRESH_SECONDS", 60)
SESSION_COOKIE_HTTPONLY = True

# Identity: members log in at the government-service SSO through OpenID Connect (authorization
# code + PKCE S256, RS256 ID tokens; mozilla-django-oidc configured in gjj.identity); staff log in
# with a password (ModelBackend). Pointing the hall at another provider is these variables only.
AUTHENTICATION_BACKENDS = [
    "gjj.identity.backends.MemberOIDCBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Only staff have passwords in the hall (members come through the SSO); the TOTP code and the
# lockout stand beside these rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "hall:notice"
LOGIN_REDIRECT_URL = "hall:home"
LOGOUT_REDIRECT_URL = "hall:logged_out"

# The `iss` every ID token must carry, exactly; the endpoints default to the provider's paths under it.
GJJ_OIDC_ISSUER = env_str("GJJ_OIDC_ISSUER", f"http://127.0.0.1:{GOVSSO_PORT}/o")
_OIDC_BASE = GJJ_OIDC_ISSUER.rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("GJJ_OIDC_AUTHORIZATION_ENDPOINT", f"{_OIDC_BASE}/authorize/")
OIDC_OP_TOKEN_ENDPOINT = env_str("GJJ_OIDC_TOKEN_ENDPOINT", f"{_OIDC_BASE}/token/")
# RFC 7662: the JSON API asks the provider whether a bearer token is active and which client it
# was issued to (the hall authenticates with its own client credentials).
OIDC_OP_INTROSPECTION_ENDPOINT = env_str("GJJ_OIDC_INTROSPECTION_ENDPOINT", f"{_OIDC_BASE}/introspect/")
# Empty: the provider has no userinfo endpoint and every claim comes in the ID token.
OIDC_OP_USER_ENDPOINT = env_str("GJJ_OIDC_USERINFO_ENDPOINT", f"{_OIDC_BASE}/userinfo/")
OIDC_OP_JWKS_ENDPOINT = env_str("GJJ_OIDC_JWKS_ENDPOINT", f"{_OIDC_BASE}/.well-known/jwks.json")
# The provider's signing keys are fetched once an hour, and again when a token names a new key.
GJJ_OIDC_JWKS_CACHE_SECONDS = env_int("GJJ_OIDC_JWKS_CACHE_SECONDS", 3600)
GJJ_OIDC_JWKS_REFETCH_SECONDS = env_int("GJJ_OIDC_JWKS_REFETCH_SECONDS", 60)
# Empty: the provider has no RP-initiated logout and 退出 ends the hall session only.
OIDC_OP_END_SESSION_ENDPOINT = env_str("GJJ_OIDC_END_SESSION_ENDPOINT", f"{_OIDC_BASE}/logout/")
GJJ_OIDC_DISCOVERY_URL = env_str("GJJ_OIDC_DISCOVERY_URL", f"{_OIDC_BASE}/.well-known/openid-configuration")

OIDC_RP_CLIENT_ID = env_str("GJJ_OIDC_CLIENT_ID", "gjj-hall")
OIDC_RP_CLIENT_SECRET = env_str("GJJ_OIDC_CLIENT_SECRET", EMBEDDED_OIDC_CLIENT_SECRET)
# The clients whose access tokens the JSON API accepts: the centre's own app (and the hall's client,
# whose tokens the embedded tools and tests use). A token another site obtained is refused.
GJJ_API_CLIENT_IDS = frozenset(
    client.strip()
    for client in env_str("GJJ_API_CLIENT_IDS", f"{OIDC_RP_CLIENT_ID},gjj-app").split(",")
    if client.strip()
)
# How long the API trusts a token the provider confirmed (a revoked token is refused at most this
# long after), and how long it remembers a refusal.
GJJ_API_TOKEN_CACHE_SECONDS = env_int("GJJ_API_TOKEN_CACHE_SECONDS", 60)
GJJ_API_TOKEN_REFUSAL_CACHE_SECONDS = env_int("GJJ_API_TOKEN_REFUSAL_CACHE_SECONDS", 15)
# client_secret_post by default; some providers accept only client_secret_basic.
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("GJJ_OIDC_TOKEN_USE_BASIC_AUTH", False)
OIDC_RP_SIGN_ALGO = env_str("GJJ_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("GJJ_OIDC_SCOPES", "openid profile phone id_card")
GJJ_OIDC_ID_NUMBER_CLAIM = env_str("GJJ_OIDC_ID_NUMBER_CLAIM", "id_card_number")
GJJ_OIDC_NAME_CLAIM = env_str("GJJ_OIDC_NAME_CLAIM", "name")
# Registered with the provider; the callback's redirect_uri is built from the request's host
# (http://<host>/oidc/callback/), so the hall must be reached under its registered host name.
GJJ_OIDC_POST_LOGOUT_REDIRECT_URI = env_str(
    "GJJ_OIDC_POST_LOGOUT_REDIRECT_URI", f"http://127.0.0.1:{HALL_PORT}/hall/logged-out/"
)
GJJ_OIDC_CLOCK_SKEW_SECONDS = env_int("GJJ_OIDC_CLOCK_SKEW_SECONDS", 60)
OIDC_TIMEOUT = float(env_str("GJJ_OIDC_TIMEOUT_SECONDS", "10"))

OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of 退出
OIDC_STORE_ACCESS_TOKEN = False
OIDC_OP_LOGOUT_URL_METHOD = "gjj.identity.logout.provider_logout_url"
ALLOW_LOGOUT_GET_METHOD = False

# The withdrawal policy: a documented default ships with the project; the centre points this at
# its own file. It is loaded and validated at start-up (gjj.policy.apps).
GJJ_POLICY_FILE = env_str(
    "GJJ_POLICY_FILE", str(REPO_ROOT / "src" / "gjj" / "policy" / "default_policy.toml")
)

# Outside systems. The embedded default is the simulator process on loopback.
_SIMS = f"http://127.0.0.1:{SIMS_PORT}"
GJJ_REGISTRY_URL = env_str("GJJ_REGISTRY_URL", f"{_SIMS}/registry")
GJJ_BANK_URL = env_str("GJJ_BANK_URL", f"{_SIMS}/bank")
GJJ_SMS_URL = env_str("GJJ_SMS_URL", f"{_SIMS}/sms")
GJJ_CLIENT_TIMEOUT_SECONDS = float(env_str("GJJ_CLIENT_TIMEOUT_SECONDS", "5"))
GJJ_BANK_PAY_TIMEOUT_SECONDS = float(env_str("GJJ_BANK_PAY_TIMEOUT_SECONDS", "10"))
# A submission decides on the registry's echo of the house and the bank's check of the card when
# they are at most this old (gjj.withdrawals.eligibility.kept_answers), instead of asking again.
GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS = env_int("GJJ_OUTSIDE_ANSWERS_REUSE_SECONDS", 600)

# Huey, the cache and sessions: Redis when set (and /health/ready checks it), else SQLite and the
# database.
GJJ_REDIS_URL = env_str("GJJ_REDIS_URL", "")

# The cache (API token checks, rate limits) is shared by every hall process: Redis when set, else
# the database (the table is created after every migrate, gjj.core.apps).
if GJJ_REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": GJJ_REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gjj_cache"}}
# With Redis, a page reads the session from it (written through to the database); the database
# cache would only move that read to another table.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if GJJ_REDIS_URL else "django.contrib.sessions.backends.db"
)

# Rate limits (gjj.core.throttle): per signed-in member or API token, per client address, overall.
THROTTLE_RULES = (
    ThrottleRule(
        scope="house_lookup",
        label="查询房屋信息",
        window_seconds=3600,
        per_user=env_int("GJJ_THROTTLE_HOUSE_PER_MEMBER", 30),
        per_address=env_int("GJJ_THROTTLE_HOUSE_PER_ADDRESS", 300),
        matches=frozenset({"hall:withdrawal_house", "mobile:step?step=house", "/api/v1/houses/lookup"}),
    ),
    ThrottleRule(
        scope="card_check",
        label="核验银行卡",
        window_seconds=3600,
        per_user=env_int("GJJ_THROTTLE_CARD_PER_MEMBER", 30),
        per_address=env_int("GJJ_THROTTLE_CARD_PER_ADDRESS", 300),
        matches=frozenset(
            {"hall:withdrawal_card", "hall:application_card", "mobile:card_check", "/api/v1/cards/check"}
        ),
    ),
    ThrottleRule(
        scope="api",
        label="调用接口",
        window_seconds=60,
        per_user=env_int("GJJ_THROTTLE_API_PER_TOKEN", 120),
        per_address=env_int("GJJ_THROTTLE_API_PER_ADDRESS", 600),
        methods=frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"}),
        matches=frozenset({"/api/"}),
    ),
    ThrottleRule(
        scope="receipt_verify",
        label="核验回执",
        window_seconds=3600,
        per_address=env_int("GJJ_THROTTLE_RECEIPT_VERIFY_PER_ADDRESS", 120),
        methods=frozenset({"GET"}),
        matches=frozenset({"receipt_verify"}),
    ),
    ThrottleRule(
        scope="staff_login",
        label="登录",
        window_seconds=900,
        per_address=env_int("GJJ_THROTTLE_STAFF_LOGIN_PER_ADDRESS", 30),
        matches=frozenset({"backoffice:login"}),
    ),
)
THROTTLE_JSON_PREFIXES = ("/api/",)
THROTTLE_PAGE_PATH = "/too-many-requests/"

if GJJ_REDIS_URL:
    HUEY = {
        # gjj.core.task_queue: a task runs under the id of the request that enqueued it.
        "huey_class": "gjj.core.task_queue.RequestIdRedisHuey",
        "name": "gjj",
        "url": GJJ_REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("GJJ_WORKER_THREADS", 4), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "gjj.core.task_queue.RequestIdSqliteHuey",
        "name": "gjj",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("GJJ_WORKER_THREADS", 2), "worker_type": "thread"},
    }

# The back office: staff sessions end after this many idle seconds (the member hall's own limit is
# SESSION_COOKIE_AGE). The demo tools (published TOTP secrets, `gjj staff-otp-code`) are for the
# embedded default only.
GJJ_STAFF_IDLE_SECONDS = env_int("GJJ_STAFF_IDLE_SECONDS", 15 * 60)
# After this many failed staff sign-ins of one user name within the window, sign-in is refused
# until the window has passed (counted from the audit log).
GJJ_STAFF_LOCKOUT_FAILURES = env_int("GJJ_STAFF_LOCKOUT_FAILURES", 5)
GJJ_STAFF_LOCKOUT_SECONDS = env_int("GJJ_STAFF_LOCKOUT_SECONDS", 15 * 60)
GJJ_DEMO_TOOLS = env_bool("GJJ_DEMO_TOOLS", False)
# Behind a reverse proxy that sets X-Forwarded-For, the audit log takes the client's address from it.
GJJ_TRUST_X_FORWARDED_FOR = env_bool("GJJ_TRUST_X_FORWARDED_FOR", False)

# The payout reconciler re-drives work stuck between states (a crash between commit and enqueue,
# a bank answer of "processing", a timeout). How old a payout must be before it is re-driven:
GJJ_RECONCILE_AFTER_SECONDS = env_int("GJJ_RECONCILE_AFTER_SECONDS", 60)
# The centre's figures on /metrics are counted at most this often, for every instance together.
GJJ_METRICS_BUSINESS_CACHE_SECONDS = env_int("GJJ_METRICS_BUSINESS_CACHE_SECONDS", 15)
# A payout being sent is leased to its sender for this long (longer than the bank's pay time-out):
# no other worker, reconciler round or 重新驱动 sends it meanwhile.
GJJ_PAYOUT_LEASE_SECONDS = env_int("GJJ_PAYOUT_LEASE_SECONDS", int(GJJ_BANK_PAY_TIMEOUT_SECONDS) * 3)
# Sends of one payout before it stops being re-sent by itself and shows as 需人工处理 to 财务.
GJJ_PAYOUT_MAX_ATTEMPTS = env_int("GJJ_PAYOUT_MAX_ATTEMPTS", 5)

# Operations (gjj.core.health, gjj.core.metrics): /metrics answers these client addresses only
# (anything else is a 404); the readiness checks of Redis and the file storage wait this long.
GJJ_METRICS_ALLOWED_ADDRESSES = env_str("GJJ_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
GJJ_HEALTH_CHECK_TIMEOUT_SECONDS = float(env_str("GJJ_HEALTH_CHECK_TIMEOUT_SECONDS", "3"))

# "plain" lines for people at a terminal, "json" (one object per line) for a log collector. Every
# handler takes both filters: the request id on each record, and personal data masked.
GJJ_LOG_FORMAT = env_str("GJJ_LOG_FORMAT", "plain")
if GJJ_LOG_FORMAT not in ("plain", "json"):
    raise RuntimeError(f"环境变量 GJJ_LOG_FORMAT 应为 plain 或 json，实际为 {GJJ_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "gjj.core.request_id.RequestIdFilter"},
        "mask_personal_data": {"()": "gjj.core.masking.MaskPersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "gjj.core.json_logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": GJJ_LOG_FORMAT,
            "filters": ["request_id", "mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("GJJ_LOG_LEVEL", "INFO")},
    # Configured here, so that the worker's run_huey does not add a second handler of its own.
    "loggers": {
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Announces its C++ log bridge at every start-up: only its warnings matter.
        "pikepdf": {"level": "WARNING"},
    },
}
