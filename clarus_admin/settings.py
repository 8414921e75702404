"""Settings for the Clarus Order Desk.

Every setting that differs between a developer's machine and production comes from an environment
variable; the defaults are safe for development only (DEBUG on, a throwaway secret key, SQLite).
"""

import base64
import hashlib
import ipaddress
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Lets the typed generics of django-stubs (ModelAdmin[Order], …) be used at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
# Fernet keys for secrets at rest, newest first (orders/crypto.py). Development derives one from
# SECRET_KEY; production must set its own.
DESK_ENCRYPTION_KEYS = env_list("DESK_ENCRYPTION_KEYS", "")
if not DESK_ENCRYPTION_KEYS:
    if not DEBUG:
        raise RuntimeError("DESK_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off.")
    _digest = hashlib.sha256(f"clarus-desk-encryption:{SECRET_KEY}".encode()).digest()
    DESK_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_digest).decode()]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its runserver command takes the place of staticfiles' one.
    "clarus_admin",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "orders",
]
# The Clarus stand-in: on by default in development and tests, off in production.
DESK_SANDBOX = env_bool("DESK_SANDBOX", DEBUG)
if DESK_SANDBOX:
    INSTALLED_APPS.append("sandbox")

MIDDLEWARE = [
    # First, so it times and logs every request, a redirect or a static file included, and its
    # request id is known to everything below (clarus_admin/request_log.py).
    "clarus_admin.request_log.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers, before sessions or the database: WhiteNoise
    # answers /static/ itself, with far-future cache headers on the hashed names collectstatic
    # wrote (docs/deploy.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle sign-out starts again with a request, written at most once a minute.
    "clarus_admin.middleware.session_renewal",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user's memberships read in the same statement as the user.
    "clarus_admin.authentication.DeskAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Every desk response is no-store, private: pages show callers' personal data.
    "clarus_admin.middleware.private_pages",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clarus_admin.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "orders.context_processors.desk",
            ],
        },
    },
]

# Widgets are written by Django's templates, but the everyday ones in Python: the same markup at a
# fraction of the cost (clarus_admin/form_renderer.py).
FORM_RENDERER = "clarus_admin.form_renderer.DeskFormRenderer"

WSGI_APPLICATION = "clarus_admin.wsgi.application"

# SQLite is the embedded default; production sets DATABASE_URL=postgres://…
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
# Behind PgBouncer in transaction mode (docs/deploy.md): a server-side cursor must not outlive
# its transaction, so Django's are turned off. The desk's own pages never use one.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (desk and sandbox in one server) write at once: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    # Write-ahead logging: readers never wait for the writer, and a commit appends to one file
    # instead of creating and deleting a rollback journal (about a third of a millisecond of the
    # desk's CPU per commit, two commits per order sent). Every commit is still synced to disk
    # (``synchronous`` stays FULL): an order marked "sending" before Clarus is called must
    # survive a power cut. WAL needs the database on a local disk, not a network share.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username from an address after 5 failed logins in a row, for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("DESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DESK_LOGIN_LOCKOUT_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this long without a request: a request renews them, writing the session at
# most once a minute (clarus_admin.middleware.session_renewal), not on every request.
# Django's database sessions, read with one statement written as SQL (clarus_admin/sessions.py).
SESSION_ENGINE = "clarus_admin.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("DESK_SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The desk's time zone: dispatch dates are keyed in it and sent to Clarus with its offset.
TIME_ZONE = os.environ.get("DESK_TIME_ZONE", "Europe/London")
# The dispatch time a date typed without one takes (docs/keying.md), HH:MM in TIME_ZONE.
DESK_DISPATCH_DEFAULT_TIME = os.environ.get("DESK_DISPATCH_DEFAULT_TIME", "17:00")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `manage.py collectstatic` writes, and WhiteNoise serves from, when debug is off.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Debug off: collectstatic names each file by a hash of its content (desk.1aee765d919e.css)
    # and gzips it; pages name the hashed file through the manifest it writes, and WhiteNoise
    # serves those with far-future cache headers (a changed file gets a new name).
    # Debug on (development, and the test suite: pytest-django turns debug off only after the
    # settings were read with it on) nothing is collected: files are served as they are from
    # static/ and the apps, so no page needs a manifest that was never built.
    # tests/production/ checks the production side: collectstatic, hashed names, cache headers.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Decided here, from the settings' debug, not later from the runtime's: in development and tests
# WhiteNoise finds files in the apps' folders on each request and never expects STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# A strict policy: only our own scripts and styles (htmx is served from static, no eval).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and the metrics scraper may call an app server directly over plain HTTP: they get their
# answer, not a redirect to HTTPS (the desk's pages still redirect).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# The hosts the desk may call as Clarus (API, token and sign-in addresses), exact names,
# comma-separated: by default the one Clarus documents (CONTRACT.md §1.1, §1.4). Any other address
# a tenant admin types is refused (orders/clarus/addresses.py); so is plain http unless in debug
# mode. The sandbox (make run) and the tests set their own.
DESK_CLARUS_HOSTS = env_list("DESK_CLARUS_HOSTS", "clarus-api.com")
DESK_CLARUS_REQUIRE_HTTPS = env_bool("DESK_CLARUS_REQUIRE_HTTPS", not DEBUG)

# How long the desk waits for Clarus, in seconds (connect, then each read).
CLARUS_CONNECT_TIMEOUT = float(os.environ.get("CLARUS_CONNECT_TIMEOUT", "5"))
CLARUS_READ_TIMEOUT = float(os.environ.get("CLARUS_READ_TIMEOUT", "20"))
# Lookups (account, product... suggestions) are waited on by an agent with a caller on the line:
# past this many seconds the field says Clarus is slow and the agent types the id instead.
CLARUS_LOOKUP_TIMEOUT = float(os.environ.get("CLARUS_LOOKUP_TIMEOUT", "3"))

# Clarus's lookup answers are kept per tenant this long (orders/selectors/catalogue.py); "Refresh
# lists" on the entry page forgets them. After a failed lookup the desk waits this long before
# asking a down Clarus again.
DESK_LOOKUP_CACHE_SECONDS = float(os.environ.get("DESK_LOOKUP_CACHE_SECONDS", "60"))
DESK_LOOKUP_RETRY_SECONDS = float(os.environ.get("DESK_LOOKUP_RETRY_SECONDS", "5"))
# One memory per process is enough for lookups: with several app processes each keeps its own
# answers, "Refresh lists" empties those of the process it reaches, and the others' run out
# within DESK_LOOKUP_CACHE_SECONDS. A shared cache (Redis, Memcached) would make it immediate.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "desk",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

# Background delivery (orders/tasks.py): Django's task framework, run from the database by
# `python manage.py desk_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A sender holds an order this long; past it, the order counts as abandoned and is reconciled.
DESK_SEND_LEASE_SECONDS = float(
    os.environ.get(
        "DESK_SEND_LEASE_SECONDS", str(CLARUS_CONNECT_TIMEOUT + CLARUS_READ_TIMEOUT + 30)
    )
)
# Automatic retries: exponential from the base, capped, with jitter; then the order waits for a
# person to press "Send again".
DESK_RETRY_BASE_SECONDS = float(os.environ.get("DESK_RETRY_BASE_SECONDS", "5"))
DESK_RETRY_MAX_SECONDS = float(os.environ.get("DESK_RETRY_MAX_SECONDS", "600"))
DESK_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DESK_DELIVERY_MAX_ATTEMPTS", "10"))
DESK_SWEEP_INTERVAL_SECONDS = float(os.environ.get("DESK_SWEEP_INTERVAL_SECONDS", "30"))
# A sweep running longer than this was left by a dead worker: the other workers give it up and
# start another. A live sweep claims orders for this minus DESK_SEND_LEASE_SECONDS, then hands
# over to a fresh sweep, so it never runs this long (orders/tasks.py).
DESK_SWEEP_LEASE_SECONDS = float(
    os.environ.get(
        "DESK_SWEEP_LEASE_SECONDS", str(DESK_SEND_LEASE_SECONDS + DESK_SWEEP_INTERVAL_SECONDS)
    )
)
if DESK_SWEEP_LEASE_SECONDS <= DESK_SEND_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "DESK_SWEEP_LEASE_SECONDS must be longer than DESK_SEND_LEASE_SECONDS: a sweep needs time "
        "to claim orders before the lease of the last one it sends."
    )

# After "New webhook address" the old address keeps working this long, so the Clarus automation
# can be changed over without losing a delivery.
DESK_WEBHOOK_SECRET_GRACE_HOURS = float(os.environ.get("DESK_WEBHOOK_SECRET_GRACE_HOURS", "168"))

# Who may read /metrics (orders/views/metrics.py): a caller sending "Authorization: Bearer
# <DESK_METRICS_TOKEN>", or one connecting from an address in DESK_METRICS_ALLOWED_ADDRESSES
# (comma-separated addresses or networks, 10.0.0.0/8; the connection's own address, never a
# forwarded one). Neither set: nobody.
DESK_METRICS_TOKEN = os.environ.get("DESK_METRICS_TOKEN", "").strip()
DESK_METRICS_ALLOWED_ADDRESSES = env_list("DESK_METRICS_ALLOWED_ADDRESSES", "")
for _network in DESK_METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"DESK_METRICS_ALLOWED_ADDRESSES: {_network!r} is not an address or network."
        ) from _exc
DESK_METRICS_ALLOWED_ADDRESSES = [
    str(ipaddress.ip_network(each, strict=False)) for each in DESK_METRICS_ALLOWED_ADDRESSES
]
# Drafts of orders (half-keyed entry forms, with callers' personal data) untouched for this many
# days are deleted by the worker (orders.services.drafts).
DESK_DRAFT_DAYS = float(os.environ.get("DESK_DRAFT_DAYS", "14"))

# Request bodies, set for the largest the desk takes: the entry form of an order with 200 lines
# (orders.forms.MAX_LINES) is about 1,250 fields, and under 1 MB with every box full of four-byte
# characters (tests/orders/test_input_bounds.py sends it). Anything larger is refused with 413, and
# more fields with 400, before a view reads it (clarus_admin/errors.py says why to the agent).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Error reports hide the locals of every frame that handles Clarus credentials.
DEFAULT_EXCEPTION_REPORTER_FILTER = "orders.debug.DeskExceptionReporterFilter"

# The desk's log lines (clarus_admin/log_format.py): one JSON object per line ("json", the default
# when debug is off) or readable text ("text", the default in development). One line per request
# (clarus_admin/request_log.py) and per request to Clarus, each with the request id.
DESK_LOG_FORMAT = os.environ.get("DESK_LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if DESK_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("DESK_LOG_FORMAT must be json or text.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Webhook addresses carry their tenant's secret in the path: every line naming a path shows
    # [redacted] in its place (clarus_admin/log_redaction.py; gunicorn: docs/deploy.md).
    "filters": {"webhook_secrets": {"()": "clarus_admin.log_redaction.WebhookSecretFilter"}},
    "formatters": {
        "desk": {
            "()": (
                "clarus_admin.log_format.JsonFormatter"
                if DESK_LOG_FORMAT == "json"
                else "clarus_admin.log_format.TextFormatter"
            )
        },
        # Django's own format for the development server's request lines.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["webhook_secrets"],
            "formatter": "desk",
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # "Not Found: /webhooks/…" and the like, before any handler (Django's own included).
        "django.request": {"filters": ["webhook_secrets"]},
        # runserver's request lines; Django's default setup, plus the filter.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["webhook_secrets"],
        },
        # httpx logs every request URL at INFO; keep it quiet unless asked.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
