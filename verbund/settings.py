"""verbund settings: every value from the environment, with a safe development default.

With nothing set, the portal runs on the embedded default: SQLite under var/,
Celery tasks in-process, mail written as .eml files under var/mail/.
"""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-insecure-only-for-local-use-" + "x" * 32
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("The development SECRET_KEY must not be used with DEBUG off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "verbund"  # the portal's name in account mails (allauth's current_site.name)
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",  # the built-in widget templates for FORM_RENDERER below
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "verbund",
    "members",
    "events",
    "qualification",
    "newsletters",
    "cooperation",
    "health",
    "composition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "verbund.i18n.GermanFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "verbund.middleware.RequireTwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "verbund.urls"
WSGI_APPLICATION = "verbund.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "verbund.context_processors.navigation",
                "verbund.undo.undo_toast",
            ],
            # The design system's filters and tags on every template: number/date formats, badges, navigation.
            "builtins": ["verbund.templatetags.fmt", "verbund.templatetags.ui"],
        },
    },
]

# Forms render through the project's template engine, so templates/django/forms/ can override a widget: the
# select there writes its options inline (Django includes a template per option, which made a 300-person dropdown
# a third of the check-in page's time). Cached like every other template when DEBUG is off.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------
# PostgreSQL via DATABASE_URL; SQLite under var/ otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'verbund.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
    # DB_POOL_MAX_SIZE > 0: psycopg's connection pool, one per process (docs/DEPLOYMENT.md); Django's pool
    # needs CONN_MAX_AGE = 0. Otherwise persistent connections (measured: one connection per request costs 2-4x).
    DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=0)
    if DB_POOL_MAX_SIZE > 0:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(env.int("DB_POOL_MIN_SIZE", default=1), DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": env.int("DB_POOL_TIMEOUT", default=10),  # seconds a request waits for a free connection
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Web requests are short and many run at once: a parallel plan (PostgreSQL's default allows two workers per
    # query) took the directory search from 6 ms to 37 ms on 2 cores by scanning the table in three processes
    # instead of using the trigram index. "" leaves the server's setting (PgBouncer refuses startup options:
    # set it there with ALTER DATABASE … SET max_parallel_workers_per_gather = 0; docs/DEPLOYMENT.md).
    DB_PARALLEL_WORKERS = env.str("DB_PARALLEL_WORKERS", default="0")
    if DB_PARALLEL_WORKERS:
        DATABASES["default"]["OPTIONS"]["options"] = f"-c max_parallel_workers_per_gather={int(DB_PARALLEL_WORKERS)}"
    # Behind PgBouncer in transaction mode a named cursor cannot outlive its transaction: .iterator() then fetches in chunks.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "verbund.User"

# --- Cache, Redis, Celery -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": 3, "socket_connect_timeout": 3},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# Without a broker, background jobs (imports, exports, large PDFs) run in a thread of the server process
# (verbund.background.job_enqueue) instead of inside the request; the tests turn it off to run them inline.
BACKGROUND_THREADS = env.bool("BACKGROUND_THREADS", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest countdown we use; redelivers tasks of a killed worker.
    "visibility_timeout": 3600,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "max_retries": 2,
}
CELERY_TIMEZONE = "Europe/Berlin"
# Periodic tasks live here (Celery's own beat_schedule; django-celery-beat does
# not support Django 6.1).
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sessions": {"task": "verbund.tasks.clear_expired_sessions", "schedule": 24 * 3600},
    "sweep-deferred-tasks": {"task": "verbund.tasks.sweep_deferred_tasks", "schedule": env.int("DEFERRED_SWEEP_SECONDS", default=60)},
    "purge-trash": {"task": "members.tasks.purge_trash", "schedule": 3600},
    "sweep-background-jobs": {"task": "members.tasks.sweep_jobs", "schedule": 300},
    "delete-old-export-files": {"task": "members.tasks.delete_old_export_files", "schedule": 6 * 3600},
    "discard-stale-import-drafts": {"task": "members.tasks.discard_stale_import_drafts", "schedule": 3600},
    "meeting-reminders": {"task": "events.tasks.send_reminders", "schedule": 3600},
    "meeting-feedback-requests": {"task": "events.tasks.send_feedback_requests", "schedule": 3600},
    "purge-deleted-meeting-content": {"task": "events.tasks.purge_deleted_meeting_content", "schedule": 6 * 3600},
    "member-report-periods": {"task": "health.tasks.report_periods_task", "schedule": 3600},
    "infobrief-sweeper": {"task": "newsletters.tasks.sweep_task", "schedule": env.int("NEWSLETTER_SWEEP_SECONDS", default=30)},
    "expire-consent-proofs": {"task": "members.tasks.expire_consent_proofs", "schedule": 24 * 3600},
    "expire-delivery-logs": {"task": "newsletters.tasks.expire_delivery_logs_and_subscriptions", "schedule": 24 * 3600},
}

# Retention (QUALITY.md "Decisions already taken"; docs/SECURITY.md): Infobrief delivery logs 12 months, then
# pseudonymised; the proof of a consent or subscription 3 years after it ended.
DELIVERY_LOG_DAYS = env.int("DELIVERY_LOG_DAYS", default=365)
CONSENT_PROOF_YEARS = env.int("CONSENT_PROOF_YEARS", default=3)

# --- Infobrief sending (newsletters/sending.py) ----------------------------
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=50)
NEWSLETTER_PARALLEL_BATCHES = env.int("NEWSLETTER_PARALLEL_BATCHES", default=2)
NEWSLETTER_RATE_PER_SECOND = env.int("NEWSLETTER_RATE_PER_SECOND", default=50)  # one limit across all workers, per relay
NEWSLETTER_CLAIM_TIMEOUT = env.int("NEWSLETTER_CLAIM_TIMEOUT", default=300)  # seconds before rows of a dead worker go back
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)  # then a row is parked, not retried forever
NEWSLETTER_BACKOFF_FACTOR = env.float("NEWSLETTER_BACKOFF_FACTOR", default=1.0)
# Fault injection for the reliability tests only: the process dies once at this point.
NEWSLETTER_FAULT_POINT = env.str("NEWSLETTER_FAULT_POINT", default="")
NEWSLETTER_FAULT_MARKER = env.str("NEWSLETTER_FAULT_MARKER", default="")

# --- Mail -----------------------------------------------------------------
# Two mailers: "default" for transactional mail (login codes, invitations),
# "newsletter" for Infobriefe. SMTP when EMAIL_HOST is set, .eml files otherwise.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="verbund <noreply@verbund.localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[verbund] "
MAIL_DIR = VAR_DIR / "mail"


def _mailer(prefix: str) -> dict:
    host = env.str(f"{prefix}HOST", default=env.str("EMAIL_HOST", default=""))
    if not host:
        return {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(MAIL_DIR)}}
    use_tls = env.bool(f"{prefix}USE_TLS", default=env.bool("EMAIL_USE_TLS", default=False))
    use_ssl = env.bool(f"{prefix}USE_SSL", default=env.bool("EMAIL_USE_SSL", default=False))
    if use_tls and use_ssl:
        raise ImproperlyConfigured(f"{prefix}USE_TLS and {prefix}USE_SSL are mutually exclusive.")
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": host,
            "port": env.int(f"{prefix}PORT", default=env.int("EMAIL_PORT", default=25)),
            "username": env.str(f"{prefix}HOST_USER", default=env.str("EMAIL_HOST_USER", default="")),
            "password": env.str(f"{prefix}HOST_PASSWORD", default=env.str("EMAIL_HOST_PASSWORD", default="")),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": env.int("EMAIL_TIMEOUT", default=10),
        },
    }


MAILERS = {"default": _mailer("EMAIL_"), "newsletter": _mailer("NEWSLETTER_EMAIL_")}

# Bounces that come back later (newsletters/bounces.py): an IMAP mailbox polled by beat when a host is set;
# or pipe them to `manage.py process_bounce` from the MTA instead.
BOUNCE_IMAP_HOST = env.str("BOUNCE_IMAP_HOST", default="")
BOUNCE_IMAP_SSL = env.bool("BOUNCE_IMAP_SSL", default=True)
BOUNCE_IMAP_PORT = env.int("BOUNCE_IMAP_PORT", default=993 if BOUNCE_IMAP_SSL else 143)
BOUNCE_IMAP_USER = env.str("BOUNCE_IMAP_USER", default="")
BOUNCE_IMAP_PASSWORD = env.str("BOUNCE_IMAP_PASSWORD", default="")
BOUNCE_IMAP_FOLDER = env.str("BOUNCE_IMAP_FOLDER", default="INBOX")
BOUNCE_IMAP_SECONDS = env.int("BOUNCE_IMAP_SECONDS", default=300)
if BOUNCE_IMAP_HOST:
    if not BOUNCE_IMAP_USER or not BOUNCE_IMAP_PASSWORD:
        raise ImproperlyConfigured("BOUNCE_IMAP_HOST needs BOUNCE_IMAP_USER and BOUNCE_IMAP_PASSWORD.")
    CELERY_BEAT_SCHEDULE["bounce-mailbox"] = {"task": "newsletters.tasks.poll_bounce_mailbox", "schedule": BOUNCE_IMAP_SECONDS}

# --- Accounts (django-allauth) -------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "verbund.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
# allauth's defaults for reset, signup and codes. "login_failed" counts wrong passwords per account (key: the
# address) and wrong TOTP codes per account (key: mfa-auth-user-<id>): the 6th failure for one account within
# 5 minutes is refused even with the right password or code (S-6). The per-address part is only a backstop far
# above one office's traffic: allauth's 10/m/ip let one person's wrong TOTP codes lock every colleague behind
# the same NAT address out of the login.
ACCOUNT_RATE_LIMITS = {"login_failed": "60/m/ip,5/300s/key"}
# Members are invited by their network's managers; open signup is off unless asked for.
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "verbund"
MFA_TOTP_TOLERANCE = 1  # one 30-second step either way: phone clocks drift
# Managers and staff must use TOTP; only the local demo (DEBUG) waives it.
MFA_REQUIRED_FOR_MANAGERS = env.bool("MFA_REQUIRED_FOR_MANAGERS", default=not DEBUG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
# locale/: our own strings (English); locale_formal/: formal German ("Sie") for allauth's texts.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_formal"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploads and generated documents on S3-compatible object storage (AWS S3, MinIO, Ceph, ...) when S3_BUCKET is set,
# so that every web and worker machine sees the same files; on the filesystem under MEDIA_ROOT otherwise.
# Files are never served from the bucket directly: every download streams through a view that checked access.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": env.str("S3_PREFIX", default=""),
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # Empty: boto3's own chain (AWS_* variables, instance or pod role).
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            # MinIO and most self-hosted services want bucket names in the path, not in the host name.
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
            "signature_version": "s3v4",
            "default_acl": None,  # objects stay as private as the bucket
            "file_overwrite": False,  # a new name for a new file, as on the filesystem
            "querystring_expire": 300,
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,  # a bigger download spools to a temporary file of its process
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The documentation mail attaches the PDF up to this size; bigger ones go as a link only (many servers refuse mails over 10 MB).
MEETING_DOCUMENTATION_ATTACH_MAX_BYTES = env.int("MEETING_DOCUMENTATION_ATTACH_MAX_BYTES", default=5 * 1024 * 1024)

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("USE_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a reverse proxy every request comes from the proxy: the header it sets to the client's address
# (e.g. HTTP_X_REAL_IP from ops/nginx.conf) keeps the per-address rate limits per client (verbund/ratelimit.py).
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")

# Django's built-in Content Security Policy: no inline scripts, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

# --- Legal pages (Impressum, Datenschutz, Barrierefreiheit) ---------------
# Texts are edited in the admin (LegalPage); these name the operator until then.
OPERATOR_NAME = env.str("OPERATOR_NAME", default="Geschäftsstelle verbund (Demo)")
OPERATOR_ADDRESS = env.str("OPERATOR_ADDRESS", default="Musterstraße 1, 48431 Rheine")
OPERATOR_EMAIL = env.str("OPERATOR_EMAIL", default="kontakt@verbund.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every render step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
