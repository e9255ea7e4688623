"""Settings come from the environment; production settings are hardened and fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "verbund.example.org",
    "SITE_URL": "https://verbund.example.org",
    "DATABASE_URL": "postgres://verbund:secret@db.internal:5432/verbund",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "verbund <noreply@example.org>",
}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "EMAIL", "DEBUG", "SECRET"))}
    env.update(extra)
    return env


def settings_under(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "verbund.settings"}, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.anchor("S-8")
def test_check_deploy_passes_with_production_settings(anchor):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env(**PRODUCTION_ENV),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    anchor(deploy_exit=result.returncode)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_when_debug_is_left_on():
    """The deployment check can fail: with DEBUG on it must complain."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env(**{**PRODUCTION_ENV, "DEBUG": "true"}),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


def test_production_keeps_database_connections_open():
    values = settings_under(clean_env(**PRODUCTION_ENV), "DATABASES", "CACHES", "CELERY_TASK_ALWAYS_EAGER")
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] >= 60
    assert db["CONN_HEALTH_CHECKS"] is True
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


@pytest.mark.anchor("S-8")
def test_production_cookies_and_csp_are_strict(anchor):
    values = settings_under(clean_env(**PRODUCTION_ENV), "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_CSP", "MFA_REQUIRED_FOR_MANAGERS")
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    csp = values["SECURE_CSP"]
    anchor(csp_strict="'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert values["MFA_REQUIRED_FOR_MANAGERS"] is True


def test_embedded_default_needs_no_configuration(tmp_path):
    values = settings_under(clean_env(VAR_DIR=str(tmp_path)), "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "MAILERS", "DEBUG")
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path / "verbund.sqlite3")
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["MAILERS"]["default"]["BACKEND"] == "verbund.mail.EmlFileBackend"
    assert values["MAILERS"]["newsletter"]["OPTIONS"]["file_path"] == str(tmp_path / "mail")


def test_smtp_mailers_are_built_from_the_environment():
    values = settings_under(clean_env(EMAIL_HOST="mail.example.org", EMAIL_PORT="2525", NEWSLETTER_EMAIL_HOST="bulk.example.org"), "MAILERS")
    assert values["MAILERS"]["default"]["OPTIONS"]["host"] == "mail.example.org"
    assert values["MAILERS"]["default"]["OPTIONS"]["port"] == 2525
    assert values["MAILERS"]["newsletter"]["OPTIONS"]["host"] == "bulk.example.org"


def test_bad_values_raise_improperly_configured():
    for bad in [{"DEBUG": "false"}, {"SITE_URL": "verbund.example.org"}, {"EMAIL_HOST": "x", "EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}]:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={**clean_env(**bad), "DJANGO_SETTINGS_MODULE": "verbund.settings"},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr, bad


@pytest.mark.django_db
def test_the_portals_postgresql_connections_plan_without_parallel_workers():
    """Many short requests at once: a parallel plan costs more than it saves (the directory search: 37 ms instead of 6 ms)."""
    from django.db import connection

    from tests.services import require_postgres

    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
