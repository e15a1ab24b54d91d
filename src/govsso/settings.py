"""Settings of the govsso process. Like every process of the project it is configured by
environment variables only; the defaults give the embedded set-up (SQLite under ``var/``)."""

from __future__ import annotations

from gjj.core.env import database_from_env, env_bool, env_int, env_str, var_dir

VAR_DIR = var_dir()
SECRET_KEY = env_str("GOVSSO_SECRET_KEY", "embedded-only-govsso-secret-change-me-0123456789abcdef")
DEBUG = env_bool("GOVSSO_DEBUG", False)
ALLOWED_HOSTS = env_str("GOVSSO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

GOVSSO_PORT = env_int("GJJ_GOVSSO_PORT", 8001)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "govsso.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ]
        },
    }
]

DATABASES = {"default": database_from_env("GOVSSO_DATABASE_URL", "govsso.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The natural person (自然人) is the user: signed in by 身份证号, later the OIDC provider's subject.
AUTH_USER_MODEL = "accounts.NaturalPerson"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "govsso-static"

# Several local sites on 127.0.0.1 share cookies across ports: each has its own names.
SESSION_COOKIE_NAME = "govsso_session"
CSRF_COOKIE_NAME = "govsso_csrftoken"
SESSION_COOKIE_HTTPONLY = True

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
