"""A 550 for a transactional mail on every path a person starts it from: the page says so, no 500, the person is marked.

The SMTP server is real (tests/smtp_sink.py, aiosmtpd on loopback) and refuses one address. Without a worker the
refusal is known in the request and shown; with a real Celery worker it is recorded (MailFailure, the mark) later.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from members.models import Contact
from newsletters.models import Subscriber
from tests.conftest import make_user, start_smtp_sink
from tests.services import database_url, require_postgres, require_redis, start_celery_worker
from tests.verbund.conftest import REFUSED
from verbund.celery import app
from verbund.models import MailFailure

MESSAGE = f"Die E-Mail an {REFUSED} wurde vom Mailserver abgelehnt."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def contact_with(world, address: str) -> Contact:
    return Contact.objects.create(organisation=world.org_a, first_name="Gerd", last_name="Nicht", email=address)


@pytest.mark.django_db(transaction=True)  # as in production: the mail goes when the request's writes commit, not after the test
def test_a_refused_password_reset_says_so_and_marks_the_contact(client, world, refusing_smtp):
    make_user(REFUSED)
    contact = contact_with(world, REFUSED)
    response = client.post(reverse("account_reset_password"), {"email": REFUSED}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][1] == 302
    assert MESSAGE in response.text
    contact.refresh_from_db()
    assert contact.email_undeliverable_at is not None and "550" in contact.email_undeliverable_reason
    assert MailFailure.objects.get().recipients == REFUSED


@pytest.mark.django_db(transaction=True)  # as in production: the mail goes when the request's writes commit, not after the test
def test_a_refused_reset_for_an_unknown_address_reads_exactly_the_same(client, refusing_smtp):
    """S-6: the server refuses the "no account" mail too, so the page is the same and reveals nothing."""
    make_user("someone@example.org")
    unknown = client.post(reverse("account_reset_password"), {"email": REFUSED}, follow=True)
    make_user(REFUSED)
    cache.clear()
    known = client.post(reverse("account_reset_password"), {"email": REFUSED}, follow=True)
    assert unknown.status_code == known.status_code == 200
    assert [m.message for m in unknown.context["messages"]] == [m.message for m in known.context["messages"]] == [f"{MESSAGE} Bitte prüfen Sie die Adresse."]


@pytest.mark.django_db(transaction=True)  # as in production: the mail goes when the request's writes commit, not after the test
def test_a_refused_login_code_says_so(client, world, refusing_smtp):
    make_user(REFUSED)
    response = client.post(reverse("account_request_login_code"), {"email": REFUSED}, follow=True)
    assert response.status_code == 200
    assert MESSAGE in response.text
    assert MailFailure.objects.filter(recipients=REFUSED, code=550).count() == 1


@pytest.mark.django_db(transaction=True)  # as in production: the mail goes when the request's writes commit, not after the test
def test_a_refused_infobrief_signup_shows_the_form_again_with_the_reason(client, world, refusing_smtp):
    response = client.post(reverse("newsletter_public:subscribe", args=["netz-x"]), {"email": REFUSED, "name": "Gerd", "consent": "on"})
    assert response.status_code == 200
    assert MESSAGE in response.text
    subscriber = Subscriber.objects.get(email=REFUSED)
    assert subscriber.status == Subscriber.Status.PENDING and subscriber.email_undeliverable_at is not None
    assert MailFailure.objects.get().code == 550


@pytest.mark.django_db(transaction=True)
def test_a_good_address_gets_no_warning(client, world, refusing_smtp):
    make_user("anna@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "anna@example.org"}, follow=True)
    assert "abgelehnt" not in response.text
    assert not MailFailure.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_refusal_is_recorded_and_marked_and_the_page_is_normal(client, world, tmp_path):
    redis_url = require_redis()
    require_postgres()
    proc, port = start_smtp_sink(tmp_path / "smtp.jsonl", "--reject", REFUSED)
    make_user(REFUSED)
    contact = contact_with(world, REFUSED)
    queue = f"test-refused-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = start_celery_worker(queue, env)
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = False, redis_url, queue
    try:
        response = client.post(reverse("account_reset_password"), {"email": REFUSED})
        assert response.status_code == 302
        worker.wait_for(MailFailure.objects.exists, timeout=120, what="the refusal to be recorded")
        failure = MailFailure.objects.get()
        assert failure.code == 550 and failure.permanent
        contact.refresh_from_db()
        assert contact.email_undeliverable_at is not None
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = saved
        worker.stop()
        proc.terminate()
        proc.wait(timeout=10)
