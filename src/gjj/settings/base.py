"""Settings shared by every deployment of the hall. Everything deployment-specific is an
environment variable read here, so that pointing the hall at the real SSO, registry or bank is
configuration, not code."""

from __future__ import annotations

from gjj.core.env import REPO_ROOT, database_from_env, env_bool, env_int, env_str, var_dir

VAR_DIR = var_dir()
SECRET_KEY = env_str("GJJ_SECRET_KEY", "embedded-only-secret-change-me-in-production-0123456789")
DEBUG = env_bool("GJJ_DEBUG", False)
ALLOWED_HOSTS = env_str("GJJ_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

HALL_PORT = env_int("GJJ_HALL_PORT", 8000)
GOVSSO_PORT = env_int("GJJ_GOVSSO_PORT", 8001)
SIMS_PORT = env_int("GJJ_SIMS_PORT", 8002)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "gjj.core",
    "gjj.members",
    "gjj.policy",
    "gjj.withdrawals",
    "gjj.datasets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# Two local sites on 127.0.0.1 share cookies across ports: each has its own names.
SESSION_COOKIE_NAME = "gjj_hall_session"
CSRF_COOKIE_NAME = "gjj_hall_csrftoken"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

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

# Huey: SQLite storage embedded, Redis when GJJ_REDIS_URL is set.
_REDIS_URL = env_str("GJJ_REDIS_URL", "")
if _REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "gjj",
        "url": _REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("GJJ_WORKER_THREADS", 4), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gjj",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("GJJ_WORKER_THREADS", 2), "worker_type": "thread"},
    }

# The payout reconciler re-drives work stuck between states (a crash between commit and enqueue,
# a bank answer of "processing", a timeout). How old a payout must be before it is re-driven:
GJJ_RECONCILE_AFTER_SECONDS = env_int("GJJ_RECONCILE_AFTER_SECONDS", 60)

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
    "root": {"handlers": ["console"], "level": env_str("GJJ_LOG_LEVEL", "INFO")},
    # Configured here, so that the worker's run_huey does not add a second handler of its own.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
