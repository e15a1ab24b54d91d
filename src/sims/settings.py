"""Settings of the simulator process. Like every process of the project it is configured by
environment variables only; the defaults give the embedded set-up (SQLite under ``var/``)."""

from __future__ import annotations

from gjj.core.env import database_from_env, env_bool, env_int, env_str, var_dir

VAR_DIR = var_dir()
SECRET_KEY = env_str("SIMS_SECRET_KEY", "embedded-only-sims-secret-change-me-0123456789abcdef")
DEBUG = env_bool("SIMS_DEBUG", False)
ALLOWED_HOSTS = env_str("SIMS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

# Where the launcher binds this process (the hall derives its default client URLs from the same
# variable): ``gunicorn -b 127.0.0.1:$GJJ_SIMS_PORT sims.wsgi:application``.
SIMS_PORT = env_int("GJJ_SIMS_PORT", 8002)

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "sims.control",
    "sims.registry",
    "sims.bank",
    "sims.sms",
    "sims.wechat",
]

# The WeChat platform stand-in's one official account (the hall's GJJ_WECHAT_APPID / _SECRET).
SIMS_WECHAT_APPID = env_str("SIMS_WECHAT_APPID", "wxgjjembedded0001")
SIMS_WECHAT_SECRET = env_str("SIMS_WECHAT_SECRET", "embedded-wechat-secret-change-me")
SIMS_WECHAT_ACCOUNT_NAME = env_str("SIMS_WECHAT_ACCOUNT_NAME", "辽宁省直公积金")
SIMS_WECHAT_ORIGINAL_ID = env_str("SIMS_WECHAT_ORIGINAL_ID", "gh_gjjembedded01")
# The account's 服务器配置 (the platform console's server URL and token): where the platform posts
# the followers' events and messages, signed with the token. The launcher sets both from the hall's
# own port and GJJ_WECHAT_TOKEN; ``POST /wechat/_server_config`` changes them at run time, as the
# console does.
SIMS_WECHAT_CALLBACK_URL = env_str(
    "SIMS_WECHAT_CALLBACK_URL", f"http://127.0.0.1:{env_int('GJJ_HALL_PORT', 8000)}/wechat/callback/"
)
SIMS_WECHAT_TOKEN = env_str("SIMS_WECHAT_TOKEN", "gjj-embedded-wechat-token")
# The platform waits this long for the account's server to answer (the real one: 5 seconds).
SIMS_WECHAT_CALLBACK_TIMEOUT_SECONDS = float(env_str("SIMS_WECHAT_CALLBACK_TIMEOUT_SECONDS", "5"))

# Mostly machine-to-machine JSON. The one page for people is the WeChat stand-in's 关注 page (a
# follower's chat with the official account): its visitor is told apart by a signed cookie, not a
# session. The CSRF middleware protects its form; the JSON endpoints opt out.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static-sims"
# WhiteNoise warns at every start when the directory is missing (before any collectstatic).
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "sims.urls"
WSGI_APPLICATION = "sims.wsgi.application"
# The protocol's paths have no trailing slash; a redirect would turn a POST into a GET.
APPEND_SLASH = False

DATABASES = {"default": database_from_env("SIMS_DATABASE_URL", "sims.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Several local sites on 127.0.0.1 share cookies across ports: each has its own names.
SESSION_COOKIE_NAME = "gjj_sims_session"
CSRF_COOKIE_NAME = "gjj_sims_csrftoken"

# A dataset of ~100,000 people is posted to /_control/dataset in one body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SIMS_MAX_BODY_BYTES", 512 * 1024 * 1024)

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
    "root": {"handlers": ["console"], "level": env_str("SIMS_LOG_LEVEL", "INFO")},
}
