"""Django settings for Créneau.

Zero-configuration by default (SQLite, console e-mail and SMS, local signing key generated on
first run); production reads everything from the environment (see docs/production.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from creneau.env import envbool, envint, envlist, envstr

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(envstr("CRENEAU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into var/ (never in the repo)."""
    key = envstr("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "django_countries",
    "creneau.audit",
    "creneau.booking",
    "creneau.proofs",
    "creneau.notify",
    "creneau.www.public",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "creneau.accounts",
    "creneau.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "creneau.accounts.middleware.BackOfficeSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "creneau.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "creneau.www.context_processors.site",
            ],
            "string_if_invalid": envstr("TEMPLATE_STRING_IF_INVALID", ""),
        },
    }
]

WSGI_APPLICATION = "creneau.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'creneau.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo's web process and worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    # Parallel test workers each get their own Redis database, as they get their own SQL database:
    # a test that empties the cache must not erase another worker's rate-limit counters.
    REDIS_URL = f"{REDIS_URL.rsplit('/', 1)[0]}/{int(_XDIST_WORKER[2:]) + 1}"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The database cache is shared by all processes, so rate limits hold in the demo too.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creneau_cache"}
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "/static/"
STATICFILES_DIRS = [SRC_DIR / "static"]  # creneau/*.css, rtl.css, checkin.js
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production: STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage
        # after `manage.py collectstatic` (see docs/production.md).
        "BACKEND": envstr("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = not envbool("WHITENOISE_COLLECTED", False)
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Créneau <ne-pas-repondre@creneau.example>")

# SMS: "file" (demo: one file per message under var/outbox/sms), "console", or "http" (provider).
SMS_BACKEND = envstr("SMS_BACKEND", "file")
SMS_FILE_PATH = VAR_DIR / "outbox" / "sms"
SMS_HTTP_URL = envstr("SMS_HTTP_URL")
SMS_HTTP_TOKEN = envstr("SMS_HTTP_TOKEN")
SMS_SENDER = envstr("SMS_SENDER", "CRENEAU")

# Signing keys for receipts, convocations and attestations (Ed25519).
# CRENEAU_SIGNING_KEY may hold a PEM private key; otherwise one is generated under KEY_DIR.
CRENEAU_SIGNING_KEY = envstr("CRENEAU_SIGNING_KEY")
CRENEAU_KEY_DIR = Path(envstr("CRENEAU_KEY_DIR", str(VAR_DIR / "keys")))

# Contact verification codes.
CRENEAU_CODE_TTL_SECONDS = envint("CRENEAU_CODE_TTL_SECONDS", 600)
CRENEAU_CODE_MAX_TRIES = envint("CRENEAU_CODE_MAX_TRIES", 5)
CRENEAU_CODE_RESEND_SECONDS = envint("CRENEAU_CODE_RESEND_SECONDS", 60)
CRENEAU_CODE_MAX_SENDS = envint("CRENEAU_CODE_MAX_SENDS", 5)
CRENEAU_DRAFT_TTL_HOURS = envint("CRENEAU_DRAFT_TTL_HOURS", 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

DSFR_USE_INTEGRITY_CHECKSUMS = False
# Mark optional fields "(facultatif)" rather than starring required ones (DSFR guidance).
DSFR_MARK_OPTIONAL_FIELDS = True
SITE_NAME = _("Créneau")

# Back office (creneau.accounts): sessions, login throttling, second factor (see docs/backoffice.md).
LOGIN_URL = "backoffice:login"
CRENEAU_SESSION_IDLE_SECONDS = envint("CRENEAU_SESSION_IDLE_SECONDS", 30 * 60)
CRENEAU_SESSION_ABSOLUTE_SECONDS = envint("CRENEAU_SESSION_ABSOLUTE_SECONDS", 10 * 3600)
CRENEAU_LOGIN_WINDOW_SECONDS = envint("CRENEAU_LOGIN_WINDOW_SECONDS", 15 * 60)
CRENEAU_LOGIN_MAX_FAILURES_PER_ACCOUNT = envint("CRENEAU_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
CRENEAU_LOGIN_MAX_FAILURES_PER_ADDRESS = envint("CRENEAU_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
CRENEAU_SLOT_WEEKS_MAX = envint("CRENEAU_SLOT_WEEKS_MAX", 26)
OTP_TOTP_ISSUER = "Créneau"
# Common (French too) and breached passwords refused; the breach list is local (SHA-1 hashes, one a line).
AUTH_PASSWORD_VALIDATORS += [{"NAME": "creneau.accounts.passwords.KnownPasswordValidator"}]
CRENEAU_BREACHED_PASSWORDS_FILE = envstr("CRENEAU_BREACHED_PASSWORDS_FILE")
