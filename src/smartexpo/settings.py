"""SmartExpo settings: everything comes from the environment, with safe defaults for the demo.

One typed settings file (the healthchecks way). The embedded default is SQLite in the data
directory; `DATABASE_URL` switches to PostgreSQL. `DEBUG` is off unless asked for.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("SMARTEXPO_DATA_DIR", "data")).resolve()


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data directory.

    A fixed fallback key in the source would let anyone forge sessions on a demo that was
    exposed to a network; a generated, persisted key keeps sessions valid across restarts.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("SMARTEXPO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SMARTEXPO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # its docs page then uses the Swagger UI files shipped in the wheel, not a CDN
    "smartexpo",  # the project-wide commands: serve, token
    "smartexpo.core",
    "smartexpo.venue",
    "smartexpo.devices",
    "smartexpo.exhibitors",
    "smartexpo.tickets",
    "smartexpo.programme",
    "smartexpo.leads",
    "smartexpo.checkin",
    "smartexpo.crowd",
    "smartexpo.streams",
    "smartexpo.recommend",
    "smartexpo.meetings",
    "smartexpo.deals",
    "smartexpo.planning",
    "smartexpo.privacy",
    "smartexpo.demo",
    "smartexpo.web",
    "smartexpo.portal",
    "smartexpo.reports",
]

MIDDLEWARE = [
    "smartexpo.core.middleware.ApiBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smartexpo.core.middleware.ApiErrorShapeMiddleware",
]

# What /api/ requests pass through (see wsgi.py): bearer-token JSON needs no session, messages,
# locale or CSRF middleware.
SMARTEXPO_API_MIDDLEWARE = [
    # Outermost, so that the refusals of the middleware below (a bad Host header is Django's
    # HTML 400) leave in the API's error shape too.
    "smartexpo.core.middleware.ApiErrorShapeMiddleware",
    "smartexpo.core.middleware.ApiBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

# Django warns of a fixed time default (fields.W161) when it starts within ten seconds of that
# time of day: an edition's 09:00 opening and 18:00 closing are meant as fixed defaults, and a
# server started at 17:59:55 must not log a warning that one started a minute later does not.
SILENCED_SYSTEM_CHECKS = ["fields.W161"]

ROOT_URLCONF = "smartexpo.urls"
WSGI_APPLICATION = "smartexpo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is tuned for a busy single-machine server: WAL lets readers run beside the writer,
# IMMEDIATE transactions take the write lock up front (no deadlock-prone lock upgrades), and
# the busy timeout makes concurrent writers queue instead of failing.
SQLITE_PATH = DATA_DIR / "smartexpo.sqlite3"
_default_db_url = f"sqlite:///{SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend plus a writer queue (see smartexpo/core/sqlite_backend).
    DATABASES["default"]["ENGINE"] = "smartexpo.core.sqlite_backend"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Keep each thread's connection: opening one runs the backend's PRAGMAs and registers Django's
    # SQL functions, which cost more than a registration's own statements.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    # Tests use a file, not shared-cache memory: concurrent clients against a live server then
    # meet SQLite's real locking (WAL, busy timeout) instead of "database table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-smartexpo.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SMARTEXPO_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The expo's own zone; each edition stores its zone too, this is only the default for new ones.
SMARTEXPO_DEFAULT_TIMEZONE = os.environ.get("SMARTEXPO_DEFAULT_TIMEZONE", "Asia/Shanghai")

# --- Static files -------------------------------------------------------------------------
# WhiteNoise serves static files from the app server itself (no CDN, no separate web server).
# With finders on, the files are served straight from the installed package, so a fresh
# install needs no collectstatic step; the set is small, so the start-up scan is cheap.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

# --- API and request limits ---------------------------------------------------------------
SMARTEXPO_MAX_BODY_BYTES = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = SMARTEXPO_MAX_BODY_BYTES
SMARTEXPO_PAGE_DEFAULT = 50
SMARTEXPO_PAGE_MAX = 200
# The edition the public home page shows; empty means the latest edition.
SMARTEXPO_DEFAULT_EXPO = os.environ.get("SMARTEXPO_DEFAULT_EXPO", "")
# Registrations per client address per minute; 0 turns the limit off (benchmarks do).
SMARTEXPO_RATE_LIMIT_REGISTRATIONS = int(os.environ.get("SMARTEXPO_RATE_LIMIT_REGISTRATIONS", "30"))
# The find-my-ticket page: requests per client address per minute and per hour, and emails per
# recipient address per minute and per hour (beyond them no email is sent, and the page says
# what it always says).
SMARTEXPO_RATE_LIMIT_TICKET_LINKS = int(os.environ.get("SMARTEXPO_RATE_LIMIT_TICKET_LINKS", "5"))
SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY = int(
    os.environ.get("SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY", "20")
)
SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS = int(
    os.environ.get("SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS", "1")
)
SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY = int(
    os.environ.get("SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY", "5")
)
# The exhibitor portal's emails (invitations, password resets): asks per client address, and
# invitations per signed-in person, per minute.
SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS = int(os.environ.get("SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS", "5"))
SMARTEXPO_RATE_LIMIT_INVITATIONS = int(os.environ.get("SMARTEXPO_RATE_LIMIT_INVITATIONS", "20"))
# Requests per second per client address, in each worker process, bursts of twice that; beyond,
# 429 before Django is involved (core.flood). 0 turns the guard off (benchmarks do).
SMARTEXPO_RATE_LIMIT_REQUESTS = float(os.environ.get("SMARTEXPO_RATE_LIMIT_REQUESTS", "100"))
# How long a freed place is held for the next person on the waiting list.
SMARTEXPO_WAITLIST_OFFER_HOURS = int(os.environ.get("SMARTEXPO_WAITLIST_OFFER_HOURS", "24"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed.
SMARTEXPO_TRUSTED_PROXIES = env_list("SMARTEXPO_TRUSTED_PROXIES")

LOGIN_URL = "admin:login"

# Where visitors reach this server; used for links in emails.
SMARTEXPO_BASE_URL = os.environ.get("SMARTEXPO_BASE_URL", "http://127.0.0.1:8000")

# --- Email --------------------------------------------------------------------------------
# The console backend prints emails (the demo); set EMAIL_HOST to send through SMTP.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SmartExpo <tickets@smartexpo.local>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get(
        "SMARTEXPO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("SMARTEXPO_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SMARTEXPO_LOG_LEVEL", "WARNING")},
}
