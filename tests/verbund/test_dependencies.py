"""The stack is what we chose: locked, current, and nothing the resolver fell back to."""

from __future__ import annotations

import importlib
import importlib.util
import tomllib
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def locked_versions() -> dict[str, Version]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: Version(package["version"]) for package in lock["package"] if "version" in package}


def test_core_packages_are_locked_at_current_releases():
    versions = locked_versions()
    minimums = {
        "django": "6.1",
        "django-allauth": "65.21",
        "celery": "5.7",
        "django-htmx": "1.29",
        "weasyprint": "70",
        "psycopg": "3.3",
        "whitenoise": "6.12",
        "django-environ": "0.14",
    }
    for name, minimum in minimums.items():
        assert name in versions, f"{name} missing from uv.lock"
        assert versions[name] >= Version(minimum), f"{name} {versions[name]} is older than {minimum}"


def test_django_celery_beat_is_not_used():
    """django-celery-beat 2.9 does not support Django 6.1; periodic tasks live in Celery's beat_schedule."""
    assert "django-celery-beat" not in locked_versions()


def test_periodic_tasks_are_in_celerys_own_beat_schedule():
    from django.apps import apps as django_apps

    from verbund.celery import app

    for config in django_apps.get_app_configs():  # what autodiscovery loads in a worker: every app's tasks module
        if importlib.util.find_spec(f"{config.name}.tasks") is not None:
            importlib.import_module(f"{config.name}.tasks")
    assert app.conf.beat_schedule, "no periodic tasks configured"
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, f"{entry['task']} is scheduled but not registered"


def test_celery_is_configured_for_reliable_delivery(settings):
    from verbund.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] >= 3600
    assert 0 < options["socket_timeout"] <= 10
