"""Mail reaches a real SMTP server, sent by a real Celery worker through Redis."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives

from tests.services import require_redis, start_celery_worker
from verbund.mail import EmlFileBackend, message_to_payload, payload_to_message

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    return predicate()


def test_payload_round_trip_keeps_html_and_headers():
    message = EmailMultiAlternatives("Betreff äöü", "Text", "a@example.org", ["b@example.org"], headers={"X-Verbund": "1"})
    message.attach_alternative("<p>HTML</p>", "text/html")
    again = payload_to_message(message_to_payload(message))
    assert again.subject == "Betreff äöü"
    assert again.alternatives[0].content == "<p>HTML</p>"
    assert again.extra_headers == {"X-Verbund": "1"}


def test_eml_backend_writes_one_complete_file_per_message(tmp_path):
    backend = EmlFileBackend(file_path=str(tmp_path))
    sent = backend.send_messages(
        [EmailMultiAlternatives("Hallo", "Text", "a@example.org", ["b@example.org"]), EmailMultiAlternatives("Leer", "x", "a@example.org", [])]
    )
    files = list(tmp_path.glob("*.eml"))
    assert sent == 1 and len(files) == 1
    assert "Subject: Hallo" in files[0].read_text()
    assert not list(tmp_path.glob("*.tmp"))


def test_transactional_mail_reaches_smtp(settings, smtp_sink):
    port, read = smtp_sink
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}}}
    message = payload_to_message({"subject": "Einladung", "body": "Hallo", "html": None, "from_email": "noreply@example.org", "to": ["anna@example.org"]})
    assert message.send(using="default") == 1
    assert read()[0]["rcpt_tos"] == ["anna@example.org"]


@pytest.mark.services
def test_a_real_celery_worker_sends_mail_through_redis_to_smtp(smtp_sink):
    redis_url = require_redis()
    port, read = smtp_sink
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    env.pop("DATABASE_URL", None)  # the mail task needs no database
    with start_celery_worker(queue, env) as worker:
        from verbund.celery import app
        from verbund.tasks import send_mail_task

        app.conf.task_always_eager = False
        app.conf.broker_url = redis_url
        payload = {"subject": f"Worker {queue}", "body": "Hallo", "html": None, "from_email": "noreply@example.org", "to": ["ben@example.org"]}
        send_mail_task.apply_async((payload, "default"), queue=queue)
        received = worker.wait_for(lambda: [m for m in read() if m["subject"] == f"Worker {queue}"], timeout=120, what="the mail at the sink")
    assert received[0]["rcpt_tos"] == ["ben@example.org"]
