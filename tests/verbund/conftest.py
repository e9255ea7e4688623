"""Fixtures of the verbund tests: a real SMTP server that refuses one address."""

from __future__ import annotations

import pytest

from tests.conftest import start_smtp_sink
from verbund.celery import app

REFUSED = "gibt-es-nicht@example.org"


@pytest.fixture
def refusing_smtp(tmp_path, settings):
    """A real SMTP server that refuses REFUSED; the default mailer points at it and tasks run without a worker."""
    proc, port = start_smtp_sink(tmp_path / "smtp.jsonl", "--reject", REFUSED)
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}},
    }
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield port
    app.conf.task_always_eager = before
    proc.terminate()
    proc.wait(timeout=10)
