"""A mail server that refuses (550) a transactional mail: never a 500, recorded once, never retried.

The SMTP server is real (tests/smtp_sink.py, aiosmtpd on loopback) and answers 550 for one address.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.verbund.conftest import REFUSED
from verbund.celery import app
from verbund.models import MailFailure
from verbund.tasks import send_mail_task


def payload(to: str) -> dict:
    return {"subject": "Ihr Anmeldecode", "body": "Hallo", "html": None, "from_email": "noreply@example.org", "to": [to]}


def test_a_refused_password_reset_mail_gives_the_normal_page_not_a_500(client, db, refusing_smtp, django_capture_on_commit_callbacks):
    make_user(REFUSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": REFUSED})
    assert response.status_code == 302
    failure = MailFailure.objects.get()
    assert failure.recipients == REFUSED and failure.permanent and failure.code == 550
    assert "Mailbox unavailable" in failure.error


def test_a_permanent_refusal_in_the_worker_is_recorded_once_and_not_retried(db, refusing_smtp, monkeypatch):
    retried = []
    monkeypatch.setattr(send_mail_task, "retry", lambda *a, **k: retried.append(k) or None)
    assert send_mail_task.apply(args=[payload(REFUSED)]).get() == 0
    assert retried == []
    assert MailFailure.objects.count() == 1


def test_a_mail_to_a_good_address_still_goes(db, refusing_smtp):
    assert send_mail_task.apply(args=[payload("anna@example.org")]).get() == 1
    assert not MailFailure.objects.exists()


def down(settings) -> None:
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}},
    }


class Retried(Exception):
    pass


def test_a_worker_retries_a_server_that_is_down_and_records_nothing_yet(db, settings, monkeypatch):
    down(settings)
    monkeypatch.setattr(send_mail_task, "retry", lambda *a, **k: Retried())
    send_mail_task.push_request(retries=0, is_eager=False)
    try:
        with pytest.raises(Retried):
            send_mail_task.run(payload("anna@example.org"))
    finally:
        send_mail_task.pop_request()
    assert not MailFailure.objects.exists()


def test_after_the_last_retry_the_failure_is_recorded_once(db, settings):
    down(settings)
    send_mail_task.push_request(retries=5, is_eager=False)
    try:
        assert send_mail_task.run(payload("anna@example.org")) == 0
    finally:
        send_mail_task.pop_request()
    failure = MailFailure.objects.get()
    assert not failure.permanent and failure.code is None and failure.recipients == "anna@example.org"


def test_without_a_worker_a_server_that_is_down_is_recorded_not_a_500(client, db, settings, django_capture_on_commit_callbacks):
    down(settings)
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        make_user("anna@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    finally:
        app.conf.task_always_eager = before
    assert response.status_code == 302
    assert MailFailure.objects.get().permanent is False
