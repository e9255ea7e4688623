"""Production settings (verbund.settings with DEBUG off) for the gunicorn processes of the scale-out and R-3 tests, plus one change:
static files come from the finders (WhiteNoise's autorefresh), so the test need not run collectstatic (a minute on a busy
machine), and the tests' fast password hasher is accepted. Everything the test is about – database, Redis, object storage, mail – is configured as in production.
"""

from django.conf import global_settings

from verbund.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The test fixtures store passwords with the fast MD5 hasher (tests/conftest.py); these processes must verify them.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
