"""Bare settings: the portal's models, database and secret; no auth, no sessions, one middleware, plain templates."""

from pathlib import Path

from verbund import settings as portal

__all__ = ["AUTH_USER_MODEL", "DATABASES", "DEFAULT_AUTO_FIELD", "INSTALLED_APPS", "LANGUAGE_CODE", "SECRET_KEY", "TIME_ZONE", "USE_TZ"]

AUTH_USER_MODEL = portal.AUTH_USER_MODEL
DATABASES = portal.DATABASES  # the same database, the same connection settings (CONN_MAX_AGE …)
DEFAULT_AUTO_FIELD = portal.DEFAULT_AUTO_FIELD
SECRET_KEY = portal.SECRET_KEY
LANGUAGE_CODE = portal.LANGUAGE_CODE
TIME_ZONE = portal.TIME_ZONE
USE_TZ = portal.USE_TZ
# The portal's apps, so that its models (and the modules they import) load as they do there.
INSTALLED_APPS = portal.INSTALLED_APPS


class _OnlyCommon(list):
    """Runs CommonMiddleware alone. allauth's AppConfig.ready() refuses to start unless its middleware is listed
    (the portal's models import allauth); it asks with `in`, so it is told yes, while Django, iterating, builds
    the chain from CommonMiddleware only."""

    def __contains__(self, item: object) -> bool:
        return item == "allauth.account.middleware.AccountMiddleware" or super().__contains__(item)


MIDDLEWARE = _OnlyCommon(["django.middleware.common.CommonMiddleware"])

DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_I18N = False
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"context_processors": []},
    }
]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
