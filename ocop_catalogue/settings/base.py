"""Settings for the OCOP catalogue, driven by environment variables (README "Configuration").

Unset variables give a safe development set-up: SQLite under var/, local-memory cache, debug off
unless DJANGO_DEBUG is set. Production refuses to start without the secret key it needs.
"""

import ipaddress
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ocop_catalogue.log import formatter_config

from .replica import replica_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The test suite (settings/test.py) and the servers it starts: a throwaway key and plain static storage.
TESTING = env.bool("DJANGO_TESTING", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local development: export DJANGO_DEBUG=1, or use `make run`)."
        )
PRODUCTION = not (DEBUG or TESTING)
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deployment check asks the same: a short key can be guessed, and it signs sessions.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too short: use at least 50 random characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if (DEBUG or TESTING) else [],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off, e.g. DJANGO_ALLOWED_HOSTS=ocop.example.gov.vn"
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Database: DATABASE_URL means PostgreSQL, otherwise a SQLite file under var/ -------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
        # A database host that stops answering must fail fast (a 503 page), not hold a worker until
        # gunicorn's timeout; libpq's minimum is 2 s. A refused connection fails at once anyway.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3)
        )
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis", "psycopg2"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "csp",
    # --- Back-office (admin): the catalogue's own admin site, Vietnamese headers and the expiry panel.
    "ocop_catalogue.admin_site.CatalogueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    # --- Back-office: login throttling (django-axes). ---
    "axes",
    # --- Background work: django-tasks with its database backend, run by `manage.py db_worker`. ---
    "django_tasks",
    "ocop_catalogue.apps.BackgroundJobsConfig",  # django_tasks_db, named for the back-office
    # The catalogue's own apps; imports point one way: trade -> certifications -> products -> producers -> core
    # (docs/ARCHITECTURE.md).
    "core",
    "producers",
    "products",
    "certifications",
    "trade",
    # The project on top of them: site-wide template tags ({% load catalogue %}), demo and synthetic data.
    "ocop_catalogue.apps.CatalogueConfig",
]
if USING_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    # Outermost: the request id and the one log line per request see every response, 503s included.
    "ocop_catalogue.middleware.RequestLogMiddleware",
    # The security headers come next, outside everything that can fail, so that every response has them.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside sessions and auth, so that their database errors become the friendly 503 too.
    "ocop_catalogue.middleware.ServiceUnavailableMiddleware",
    # Outside sessions, the language and CSRF: it sees the cookies and Vary headers they add.
    "core.page_cache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ocop_catalogue.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # --- Back-office: django-axes must come last; it turns a flagged failed login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Read replica: DATABASE_REPLICA_URL adds the alias `replica` for public reads (settings/replica.py).
vars().update(replica_settings(env, DATABASES, MIDDLEWARE))

ROOT_URLCONF = "ocop_catalogue.urls"
WSGI_APPLICATION = "ocop_catalogue.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # `{% url %}` with its addresses remembered (core/links.py), for every template.
            "builtins": ["core.templatetags.links"],
        },
    }
]

# --- Cache: local memory unless CACHE_URL (redis://…) says otherwise ------------------------------
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
    if "redis" in CACHES["default"]["BACKEND"].lower():
        # Django's own Redis backend, whichever one django-environ names (it depends on what is
        # installed): no extra client library to configure. Ours only reuses its Redis client
        # (ocop_catalogue/redis_cache.py).
        CACHES["default"]["BACKEND"] = "core.redis_cache.RedisCache"
        # A Redis that is down or stops answering costs one request one timeout, then its circuit breaker
        # skips the cache for DJANGO_CACHE_BREAKER_SECONDS (core/redis_cache.py).
        CACHES["default"]["OPTIONS"] = {
            "socket_connect_timeout": env.float("DJANGO_CACHE_TIMEOUT", default=0.25),
            "socket_timeout": env.float("DJANGO_CACHE_TIMEOUT", default=0.25),
        }
    # Several app hosts share sessions through the database, with a copy in the cache that a Redis outage
    # or restart never needs (core/sessions.py): nobody is logged out, the back-office keeps working.
    SESSION_ENGINE = "core.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHE_BREAKER_SECONDS = env.float("DJANGO_CACHE_BREAKER_SECONDS", default=30.0)
SESSION_CACHE_SECONDS = env.int("DJANGO_SESSION_CACHE_SECONDS", default=300)
# Catalogue pages and fragments (ocop_catalogue/cache.py) must be shared by every worker and host,
# so without Redis they go in a database table rather than in one process's memory.
CACHES["catalogue"] = (
    {**CACHES["default"], "KEY_PREFIX": "ocop"}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "catalogue_cache"}
)

# --- Authentication -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# A staff session ends after this long without a request (ocop_catalogue.middleware.StaffIdleTimeoutMiddleware).
STAFF_IDLE_SECONDS = env.int("DJANGO_STAFF_IDLE_SECONDS", default=2 * 60 * 60)

# --- Back-office: admin login throttling with django-axes -------------------------------------------
# Five failed logins for one user name from one address lock that pair out for 15 minutes. The test client's
# login() calls authenticate() without a request, which axes refuses, so tests run with axes off and the
# lockout test switches it on (tests/producers/test_admin_login.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("DJANGO_AXES_ENABLED", default=not TESTING)
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DJANGO_AXES_COOLOFF_MINUTES", default=15) / 60  # hours
# The pair: five bad passwords lock that user name from that address only, so nobody can lock a staff
# member out from anywhere by guessing at their user name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ocop_catalogue.admin_site.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"

# --- Internationalisation: Vietnamese first, English under /en/ -----------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# --- Back-office: dates typed day first (dd/mm/yyyy) in Vietnamese forms; see ocop_catalogue/formats/vi. ---
FORMAT_MODULE_PATH = ["ocop_catalogue.formats"]

# --- Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "core.static_files.StaticFilesStorage"
        )
    },
}
# Development and tests look files up as they are asked for (no collected STATIC_ROOT to scan).
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------------
SECURE_SSL = env.bool("DJANGO_SECURE_SSL", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Strict CSP: no inline scripts or styles anywhere (JSON-LD and json_script blocks are data, not scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": SECURE_SSL,
    }
}
# The catalogue uses none of these browser features; nothing it embeds may either.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP inside the network; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Proxies whose X-Forwarded-For is believed (core/http.py client_ip): addresses or networks. Behind the TLS
# proxy the default is the local nginx; without it nobody's.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"] if SECURE_SSL else [])
try:
    [ipaddress.ip_network(proxy, strict=False) for proxy in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from error

# --- Back-office: django-import-export -------------------------------------------------------------
# Imports run in one transaction and roll back on any row error. Importing needs the model's "add"
# permission, exporting its "view" permission; every admin class also narrows rows to the user's provinces.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Rows one spreadsheet import may hold (core/admin/import_limits.py); more is refused with a clear message.
IMPORT_MAX_ROWS = env.int("DJANGO_IMPORT_MAX_ROWS", default=5000)
# Pixels an uploaded picture may have, checked from its header before any decoding (core/uploads.py).
MAX_IMAGE_PIXELS = env.int("DJANGO_MAX_IMAGE_PIXELS", default=25_000_000)

# --- Background work (certifications/tasks.py): jobs are rows in the database, run by `manage.py db_worker`
# (scripts/serve.sh starts one beside gunicorn). Renames touching more products than the threshold go there.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
COPIES_BACKGROUND_THRESHOLD = env.int("DJANGO_COPIES_BACKGROUND_THRESHOLD", default=2000)

# --- Email: console unless configured -------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="OCOP catalogue <no-reply@localhost>")

# --- Logging: errors go to the log with context, never to visitors ---------------------------------
# One line per request on stdout (RequestLogMiddleware), everything else on stderr; every line carries
# the request id. DJANGO_LOG_JSON=1 writes JSON lines for a log collector.
LOG_JSON = env.bool("DJANGO_LOG_JSON", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ocop_catalogue.log.RequestIdFilter"}},
    "formatters": {"default": formatter_config(LOG_JSON)},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]},
        "requests": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "default",
            "filters": ["request_id"],
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's "Not Found: /x" warnings would be a second line for the same request; errors stay.
        "django.request": {"level": "ERROR"},
        # Scanners probing by IP address get a 400 (in the access line); not an error report each.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
        "ocop_catalogue.request": {"handlers": ["requests"], "level": "INFO", "propagate": False},
    },
}

# --- Catalogue ---------------------------------------------------------------------------------
# Entries that expire within this many days are shown as "expiring".
OCOP_EXPIRING_DAYS = 90
OCOP_VALIDITY_MONTHS = 36
MARK_VALIDITY_YEARS = 10
SITE_NAME = "OCOP Việt Nam"
# Catalogue pages and fragments cached under the versions of what they show (core/cache.py). Off in
# tests, whose writes roll back without committing (so never bump a version); cache tests turn it on.
CATALOGUE_CACHE = env.bool("DJANGO_CATALOGUE_CACHE", default=not TESTING)
# Off: every public page is built for each request while the pieces pages share (facet cube and counts,
# the register's index) stay cached: for a CDN that keeps whole pages itself, and to measure pages uncached.
CATALOGUE_PAGE_CACHE = env.bool("DJANGO_CATALOGUE_PAGE_CACHE", default=True)
# Pages over the whole catalogue (home, national lists, searches, facets) follow writes within this many
# seconds; pages of one product, producer, province or certificate follow them at once.
CATALOGUE_NATIONAL_SECONDS = env.int("DJANGO_CATALOGUE_NATIONAL_SECONDS", default=30)
# Searches of the product list from the in-memory index (products/search_index.py); off: in the database.
SEARCH_INDEX = env.bool("DJANGO_SEARCH_INDEX", default=True)
# The public pages' fixed statements (core/prepared.py) also PREPAREd on PostgreSQL, once per connection:
# off behind a pooler in transaction mode (PgBouncer), which cannot keep a session's statements.
DB_PREPARED_STATEMENTS = env.bool("DJANGO_DB_PREPARED_STATEMENTS", default=True)
# Where a value kept in every process (the search index) too big for the cache is shared by the host's
# processes (core/process_copies.py).
PROCESS_COPY_DIR = env.path("DJANGO_PROCESS_COPY_DIR", default=VAR_DIR / "copies")
# HTTP caching of anonymous public pages (browsers, the nginx micro-cache, a CDN): max-age and
# stale-while-revalidate, in seconds, for pages of one object and for pages over the whole catalogue.
CATALOGUE_HTTP_MAX_AGE = env.int("DJANGO_CATALOGUE_HTTP_MAX_AGE", default=5)
CATALOGUE_HTTP_NATIONAL_MAX_AGE = env.int("DJANGO_CATALOGUE_HTTP_NATIONAL_MAX_AGE", default=20)
CATALOGUE_HTTP_STALE = env.int("DJANGO_CATALOGUE_HTTP_STALE", default=10)
# `make bench` mounts its floor views (ocop_catalogue/bench_views.py) only when this is set.
BENCH_FLOORS = env.bool("DJANGO_BENCH_FLOORS", default=False)
