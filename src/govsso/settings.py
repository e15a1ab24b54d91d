"""Settings of the govsso process. Like every process of the project it is configured by
environment variables only; the defaults give the embedded set-up (SQLite under ``var/``).

Environment variables read here:

- ``GOVSSO_SECRET_KEY``, ``GOVSSO_DEBUG``, ``GOVSSO_ALLOWED_HOSTS``, ``GOVSSO_LOG_LEVEL``
- ``GOVSSO_DATABASE_URL`` (default: ``var/govsso.sqlite3``)
- ``GJJ_GOVSSO_PORT`` (8001) and ``GJJ_SIMS_PORT`` (8002), for the defaults below
- ``GOVSSO_ISSUER``: the OpenID Connect issuer (default ``http://127.0.0.1:{GJJ_GOVSSO_PORT}/o``)
- ``GOVSSO_OIDC_RSA_PRIVATE_KEY``: the PEM of the ID-token signing key (default: a key generated
  once into ``var/govsso-oidc-key.pem``)
- ``GOVSSO_SMS_URL``: the SMS gateway (default ``http://127.0.0.1:{GJJ_SIMS_PORT}/sms``) and
  ``GOVSSO_SMS_TIMEOUT_SECONDS`` (5)
- ``GOVSSO_SECURE_COOKIES``: send cookies over HTTPS only (off on the loopback set-up)
- ``GOVSSO_STATIC_FROM_FINDERS``: serve static files straight from the apps (on by default, so
  pages render without ``collectstatic``; turn off in production after ``collectstatic``)
"""

from __future__ import annotations

from datetime import timedelta

from gjj.core.env import EMBEDDED_FIELD_KEYS, database_from_env, env_bool, env_int, env_str, var_dir
from gjj.core.throttle_rules import ThrottleRule
from govsso.oidc.keys import oidc_private_key_pem

VAR_DIR = var_dir()
SECRET_KEY = env_str("GOVSSO_SECRET_KEY", "embedded-only-govsso-secret-change-me-0123456789abcdef")
DEBUG = env_bool("GOVSSO_DEBUG", False)
ALLOWED_HOSTS = env_str("GOVSSO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

GOVSSO_PORT = env_int("GJJ_GOVSSO_PORT", 8001)
SIMS_PORT = env_int("GJJ_SIMS_PORT", 8002)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "govsso.accounts",
    "govsso.verification",
    # Before oauth2_provider, so that its Chinese templates replace the toolkit's English ones.
    "govsso.oidc",
    "oauth2_provider",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gjj.core.throttle.ThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a login attempt that axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govsso.urls"
WSGI_APPLICATION = "govsso.wsgi.application"

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
                "govsso.accounts.context_processors.site",
            ]
        },
    }
]

DATABASES = {"default": database_from_env("GOVSSO_DATABASE_URL", "govsso.sqlite3")}
# 身份证号 and phone numbers at rest (gjj.core.encrypted), as in the hall but with keys of its own.
FIELD_ENCRYPTION_KEYS = env_str("GOVSSO_FIELD_KEYS", EMBEDDED_FIELD_KEYS)

# Shared by every govsso process (rate limits): the database cache, its table created after migrate.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "govsso_cache"}}

# Rate limits per client address and overall (gjj.core.throttle), beside the per-phone code limits
# and the per-account login lockout: nobody floods phones with codes or tries passwords at scale.
_HOUR = 3600
THROTTLE_RULES = (
    ThrottleRule(
        scope="sms_code",
        label="获取验证码",
        window_seconds=_HOUR,
        per_address=env_int("GOVSSO_THROTTLE_CODES_PER_ADDRESS", 20),
        overall=env_int("GOVSSO_THROTTLE_CODES_OVERALL", 3000),
        matches=frozenset(
            {
                "accounts:register-natural-code",
                "accounts:password-forgot-natural",
                "accounts:password-forgot-code",
            }
        ),
    ),
    ThrottleRule(
        scope="login",
        label="登录",
        window_seconds=15 * 60,
        per_address=env_int("GOVSSO_THROTTLE_LOGINS_PER_ADDRESS", 60),
        matches=frozenset({"accounts:login"}),
    ),
    ThrottleRule(
        scope="register",
        label="注册",
        window_seconds=_HOUR,
        per_address=env_int("GOVSSO_THROTTLE_REGISTRATIONS_PER_ADDRESS", 30),
        matches=frozenset({"accounts:register-natural"}),
    ),
)
THROTTLE_JSON_PREFIXES: tuple[str, ...] = ()
THROTTLE_PAGE_PATH = "/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The natural person (自然人) is the user: signed in by 身份证号 or 手机号, and the OIDC subject.
AUTH_USER_MODEL = "accounts.NaturalPerson"
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "govsso.accounts.backends.IdNumberOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "govsso.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_length": 8, "max_length": 64, "min_classes": 3},
    },
    {"NAME": "govsso.accounts.passwords.NoPersonalNumbersValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static-govsso"
# WhiteNoise warns at every start when the directory is missing (before any collectstatic).
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = env_bool("GOVSSO_STATIC_FROM_FINDERS", True)

# Several local sites on 127.0.0.1 share cookies across ports: each has its own names.
SESSION_COOKIE_NAME = "govsso_session"
CSRF_COOKIE_NAME = "govsso_csrftoken"
SESSION_COOKIE_HTTPONLY = True
# 30 minutes without a request end the session (every request pushes the expiry forward).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("GOVSSO_SECURE_COOKIES", False)
# Lax, not Strict: the hall sends the member here by a top-level navigation (the authorization
# request, the logout request), and the govsso session must come along with it.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "govsso.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# The SMS gateway (in the embedded set-up, the simulator process).
GOVSSO_SMS_URL = env_str("GOVSSO_SMS_URL", f"http://127.0.0.1:{SIMS_PORT}/sms")
GOVSSO_SMS_TIMEOUT_SECONDS = env_int("GOVSSO_SMS_TIMEOUT_SECONDS", 5)

# Login lockout (django-axes): 5 failures lock the account for 15 minutes. The key is the
# account, whichever of 身份证号 or 手机号 was typed (see AXES_USERNAME_CALLABLE).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "govsso.accounts.lockout.lockout_key"
AXES_LOCKOUT_CALLABLE = "govsso.accounts.views.login_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# A successful login forgets earlier failures: only 5 failures in a row lock the account.
AXES_RESET_ON_SUCCESS = True
# Tries during the lockout do not push its end further: the page promises 15 minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
# axes warns that a lockout keyed on the username alone can be dodged by changing user agents;
# it sums the failures of all records of a username, though, and the lockout is meant to protect
# the account (keyed on IP it would lock out a whole office behind one NAT).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The OpenID Connect provider (django-oauth-toolkit); the contract is in govsso/oidc/__init__.py.
GOVSSO_ISSUER = env_str("GOVSSO_ISSUER", f"http://127.0.0.1:{GOVSSO_PORT}/o").rstrip("/")
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": GOVSSO_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": oidc_private_key_pem(var_dir=VAR_DIR),
    "OIDC_SERVER_CLASS": "govsso.oidc.server.S256OnlyServer",
    "OAUTH2_VALIDATOR_CLASS": "govsso.oidc.validators.GovssoOAuth2Validator",
    "SCOPES": {
        "openid": "登录身份（OpenID）",
        "profile": "姓名",
        "phone": "手机号",
        "id_card": "身份证号",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 30 * 60,
    "ID_TOKEN_EXPIRE_SECONDS": 30 * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 60 * 60,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # The hall sends id_token_hint: a member who signs out of the hall is signed out here at
    # once, without a second question (the spec asks only when the hint does not match).
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # RFC 9700 (OAuth 2.0 Security BCP): refuse PKCE "plain", implicit and password grants and
    # access tokens in query strings; keep only hashes of tokens; send "iss" with the code.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "gjj.core.masking.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("GOVSSO_LOG_LEVEL", "INFO")},
}
