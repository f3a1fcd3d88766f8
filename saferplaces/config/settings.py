"""Django settings for saferplaces, read from the environment.

Two modes:

* ``embedded`` (the default): a SQLite file under ``SAFERPLACES_DATA_DIR``,
  e-mail printed to the console, a secret key generated once and kept in the
  data directory. What ``make demo`` runs.
* ``production``: PostgreSQL via ``DATABASE_URL``, a secret key and allowed
  hosts that must be given, HTTPS-only cookies and HSTS. ``manage.py check
  --deploy`` is clean in this mode.

Every variable is documented in docs/configuration.md; an unknown
``SAFERPLACES_*`` variable stops start-up.
"""

from __future__ import annotations

import secrets
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
from csp.constants import NONE, SELF

from saferplaces import __version__
from saferplaces.analytics.perturbation import (
    PTableError,
    default_ptable,
    ptable_from_csv,
)
from saferplaces.config.env import Env, SettingError

# Lets admin and queryset classes take type arguments at run time, as mypy wants.
django_stubs_ext.monkeypatch()

env = Env()

MODE = env.choice("SAFERPLACES_MODE", ("embedded", "production"), "embedded")
PRODUCTION = MODE == "production"
DATA_DIR = env.path("SAFERPLACES_DATA_DIR", Path("var"))


def _embedded_secret_key(data_dir: Path) -> str:
    """Generate the key once and keep it, so sessions survive a restart."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.text("SAFERPLACES_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise SettingError(
            "SAFERPLACES_SECRET_KEY must be at least 50 random characters; "
            "make one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'"
        )
    ALLOWED_HOSTS = env.items("SAFERPLACES_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise SettingError(
            "SAFERPLACES_ALLOWED_HOSTS must list the host names this site is "
            "served on (comma-separated) in production mode."
        )
    DATABASES = {"default": env.database("DATABASE_URL", "")}
    DEBUG = False
else:
    SECRET_KEY = env.optional_text("SAFERPLACES_SECRET_KEY") or _embedded_secret_key(
        DATA_DIR
    )
    ALLOWED_HOSTS = env.items(
        "SAFERPLACES_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]
    )
    DATABASES = {
        "default": env.database(
            "DATABASE_URL", f"sqlite:///{DATA_DIR / 'saferplaces.sqlite3'}"
        )
    }
    DEBUG = env.flag("SAFERPLACES_DEBUG", False)

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The directory must exist before SQLite can create its file.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web app read while a command writes.
    # synchronous=NORMAL is SQLite's advice for WAL: a commit no longer waits
    # for the disk, yet the database cannot be corrupted; only a power cut
    # or operating-system crash can lose the last commits (not a killed
    # process). Each signed-in read writes an audit entry, so this is most
    # of a page's write cost (bench/web.py). PostgreSQL is for production.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# Keep each worker's connection between requests: opening one (and, for
# SQLite, setting WAL again) on every request was a measurable share of a
# page's time (bench/web.py).
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A partnership's public name, purpose and example place are its record's
# (saferplaces/partnership/models.py). These name the installation where a
# reader is in no one partnership (a visitor's list of several, or before the
# first is set up), and give a purpose to a partnership that states none.
PARTNERSHIP_NAME = env.text("SAFERPLACES_PARTNERSHIP_NAME", "")
PARTNERSHIP_PURPOSE = env.text(
    "SAFERPLACES_PARTNERSHIP_PURPOSE",
    "Police, council, fire, health, probation, housing and voluntary groups "
    "working together to prevent crime and disorder and to make our "
    "neighbourhoods safer.",
)

INSTALLED_APPS = [
    "saferplaces.accounts.admin_config.SaferplacesAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "saferplaces.lib",
    "saferplaces.accounts",
    "saferplaces.web",
    "saferplaces.api",
    "saferplaces.partnership",
    "saferplaces.dashboard",
    "saferplaces.tasking",
    "saferplaces.cases",
]

# The JSON API (saferplaces.api): JSON only (the browsable pages would need
# inline script and style, which the CSP forbids), read-only, signed-in
# partners by their session; anonymous callers get published figures.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Counted per client address as the server sees it (TRUSTED_PROXY_COUNT)
    # in the "limits" cache every worker shares.
    "DEFAULT_THROTTLE_CLASSES": ["saferplaces.api.throttling.AnonymousByAddress"],
    # Every error as {"detail": ...} (with "fields" for a bad query).
    "EXCEPTION_HANDLER": "saferplaces.api.errors.exception_handler",
}
# Requests an anonymous caller may make, per client address.
API_ANONYMOUS_RATE = env.text("SAFERPLACES_API_ANONYMOUS_RATE", "600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "saferplaces API",
    "DESCRIPTION": "Community safety outcome measures by area and period. "
    "Callers not signed in get published figures: small counts withheld.",
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
}

MIDDLEWARE = [
    # The security headers first, so every answer from further in carries
    # them: static files (WhiteNoise), every refusal and error page
    # (saferplaces/web/headers.py).
    "saferplaces.web.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Too large a body is refused before anything reads it.
    "saferplaces.lib.limits.RequestBodyLimitMiddleware",
    "saferplaces.lib.limits.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A method the view does not answer is 405 before anything else looks
    # at the request (saferplaces/lib/methods.py).
    "saferplaces.lib.methods.MethodAllowListMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A change and its audit entry commit together (all below, in one
    # transaction for any method that may change something).
    "saferplaces.accounts.audit.ChangeWithItsAuditMiddleware",
    # A limit reached (django-ratelimit) answers 429 (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Who made each change to the plan (django-simple-history's records).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every signed-in read of non-public data leaves an audit entry.
    "saferplaces.accounts.read_audit.ReadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Axes must come last so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "saferplaces.config.urls"
WSGI_APPLICATION = "saferplaces.config.wsgi.application"

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
                "saferplaces.web.context_processors.shell",
            ],
        },
    },
]

# Forms draw themselves as GOV.UK components (saferplaces/lib/renderers.py).
FORM_RENDERER = "saferplaces.lib.renderers.GovUKRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Repeated failed logins lock the username from that address for a while.
AXES_FAILURE_LIMIT = env.integer("SAFERPLACES_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.integer("SAFERPLACES_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "saferplaces.accounts.audit.client_ip"
AXES_VERBOSE = False
# Proxies in front of the app that append to X-Forwarded-For; 0 means trust
# only the socket address, so a client cannot forge its IP in the audit log.
TRUSTED_PROXY_COUNT = env.integer("SAFERPLACES_TRUSTED_PROXY_COUNT", 0, minimum=0)
# How long audit entries are kept: `saferplaces audit prune` removes older
# ones. Never less than a year: the database refuses to delete younger
# entries whatever this says (accounts migration 0007).
AUDIT_RETENTION_DAYS = env.integer(
    "SAFERPLACES_AUDIT_RETENTION_DAYS", 6 * 365, minimum=365
)
# Signed-in reads are audited in batches written this often (milliseconds);
# 0 writes each at once. docs/operations.md says what a batch may lose.
AUDIT_READ_BATCH_SECONDS = (
    env.integer("SAFERPLACES_AUDIT_READ_BATCH_MS", 500, minimum=0) / 1000
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded evidence. Never served as static files: only through the view
# that checks permission and sends it as a download.
MEDIA_ROOT = DATA_DIR / "uploads"

# The partnership plan: an action with no update for this long is stale;
# evidence files are limited in size and type.
PLAN_STALE_AFTER_WEEKS = env.integer(
    "SAFERPLACES_PLAN_STALE_AFTER_WEEKS", 6, minimum=1, maximum=52
)
EVIDENCE_MAX_MEGABYTES = env.integer(
    "SAFERPLACES_EVIDENCE_MAX_MEGABYTES", 10, minimum=1, maximum=100
)
FILE_UPLOAD_PERMISSIONS = 0o600
# The largest request body accepted, in megabytes: a larger one is refused
# with 413 before anything reads it (saferplaces.lib.limits, in front of
# Django under `saferplaces serve` and first in Django's middleware). It
# must leave room for the largest evidence file and its form.
MAX_REQUEST_MEGABYTES = env.integer(
    "SAFERPLACES_MAX_REQUEST_MEGABYTES",
    EVIDENCE_MAX_MEGABYTES + 1,
    minimum=EVIDENCE_MAX_MEGABYTES + 1,
    maximum=200,
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: form fields, not files

# Abuse limits (the API's anonymous rate, password resets, sign-in lockout
# by django-axes) are counted where every worker sees them: Redis when
# SAFERPLACES_REDIS_URL is set, which production should use; otherwise a
# file cache in the data folder that the workers of one machine share.
REDIS_URL = env.optional_text("SAFERPLACES_REDIS_URL")
CACHES: dict[str, dict[str, Any]] = {
    # Kept pages and answers (saferplaces/lib/pagecache.py), where every
    # worker finds them: a load builds the dashboards there as it ends
    # (saferplaces/dashboard/warming.py), so no reader waits for the first.
    # Keyed by the store's version, so none outlives the data it shows.
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "saferplaces-kept",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "kept"),
            "OPTIONS": {"MAX_ENTRIES": 5_000},
        }
    ),
    "limits": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Ours alone, so a restore forgets them and nobody else's.
            "KEY_PREFIX": "saferplaces",
        }
        if REDIS_URL
        else {
            # Django's file cache, its counts raised under a file lock.
            "BACKEND": "saferplaces.lib.limits.LockedFileBasedCache",
            "LOCATION": str(DATA_DIR / "limits"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
}
# What of the reader a kept page depends on (saferplaces/lib/pagecache.py):
# the navigation they see and the partnership they are in. Named here so
# the toolbox never imports an app.
PAGE_CACHE_READER = "saferplaces.partnership.scope.page_reader"
RATELIMIT_USE_CACHE = "limits"
RATELIMIT_IP_META_KEY = "saferplaces.accounts.audit.client_ip"
RATELIMIT_VIEW = "saferplaces.web.views.too_many_requests"
# Password reset requests: per address asking, and per account asked about.
PASSWORD_RESET_RATE_PER_ADDRESS = env.text(
    "SAFERPLACES_PASSWORD_RESET_RATE_PER_ADDRESS", "10/h"
)
PASSWORD_RESET_RATE_PER_ACCOUNT = env.text(
    "SAFERPLACES_PASSWORD_RESET_RATE_PER_ACCOUNT", "3/h"
)
# Each duplicate-person check says whether someone is recorded, even in
# cases the worker cannot see: limited per person (issue 27, finding 6).
DUPLICATE_CHECK_RATE = env.text("SAFERPLACES_DUPLICATE_CHECK_RATE", "30/h")

# An optional base map under the interactive map, e.g.
# https://tile.example.org/{z}/{x}/{y}.png (its host is added to img-src).
MAP_TILE_URL = env.text("SAFERPLACES_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env.text("SAFERPLACES_MAP_TILE_ATTRIBUTION", "")

# Published figures (docs/publication.md): cell key perturbation with a
# perturbation table, a threshold under which counts are withheld and the
# range of cell keys. Read here so a bad table stops start-up.
PUBLICATION_THRESHOLD = env.integer(
    "SAFERPLACES_PUBLICATION_THRESHOLD", 10, minimum=1, maximum=100
)
_KEY_RANGE = env.integer("SAFERPLACES_CELL_KEY_RANGE", 256, minimum=2, maximum=65536)
_PTABLE_FILE = env.optional_text("SAFERPLACES_PTABLE")
try:
    PUBLICATION_PTABLE = (
        ptable_from_csv(Path(_PTABLE_FILE), PUBLICATION_THRESHOLD)
        if _PTABLE_FILE
        else default_ptable(PUBLICATION_THRESHOLD, _KEY_RANGE)
    )
except PTableError as error:
    raise SettingError(
        f"SAFERPLACES_PTABLE / SAFERPLACES_CELL_KEY_RANGE: {error}"
    ) from None
if _PTABLE_FILE and PUBLICATION_PTABLE.key_range != _KEY_RANGE:
    raise SettingError(
        f"SAFERPLACES_CELL_KEY_RANGE is {_KEY_RANGE} but the ptable in "
        f"SAFERPLACES_PTABLE has cell keys 0 to {PUBLICATION_PTABLE.key_range - 1}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers on every response. No inline script or style anywhere:
# GOV.UK Frontend's "js-enabled" snippet lives in a static file instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if MAP_TILE_URL:
    _tiles = urllib.parse.urlsplit(MAP_TILE_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = (
    env.integer("SAFERPLACES_SESSION_HOURS", 8, minimum=1, maximum=24 * 14) * 3600
)

# A load balancer's health check speaks plain HTTP to the server itself: an
# HTTPS redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.flag("SAFERPLACES_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.integer("SAFERPLACES_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.flag("SAFERPLACES_HSTS_PRELOAD", True)
    if env.flag("SAFERPLACES_BEHIND_HTTPS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.text("SAFERPLACES_EMAIL_HOST", "localhost")
    EMAIL_PORT = env.integer("SAFERPLACES_EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env.text("SAFERPLACES_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env.text("SAFERPLACES_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env.flag("SAFERPLACES_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.text("SAFERPLACES_FROM_EMAIL", "saferplaces@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice(
            "SAFERPLACES_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"
        ).upper(),
    },
}

env.refuse_unknown()
