"""Sending an Infobrief in-process to a real SMTP server (aiosmtpd): headers, both parts, failures, retries, pause/cancel."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from django.core.exceptions import ValidationError

from members.models import Consent, Contact
from newsletters import sending
from newsletters.models import Delivery, Infobrief, Subscriber, Suppression
from tests.newsletters import factories


@pytest.fixture
def smtp_newsletter(settings, smtp_sink):
    port, read = smtp_sink
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}},
    }
    settings.NEWSLETTER_RATE_PER_SECOND = 1000
    settings.REDIS_URL = ""  # the in-process limiter; the shared one is tested with the worker
    return read


@pytest.fixture
def eager():
    from verbund.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def parsed(record: dict):
    return email.message_from_string(record["raw"], policy=email.policy.default)


@pytest.mark.anchor("R-4")
def test_every_recipient_gets_one_message_with_both_parts_and_one_click_unsubscribe(
    world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks, anchor
):
    contacts = factories.recipients(world.network_x, 12)
    letter = factories.infobrief(world.network_x)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_start(infobrief=letter, by=manager_x) == 12
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENT and letter.sent_at
    received = smtp_newsletter()
    assert sorted(r["rcpt_tos"][0] for r in received) == sorted(c.email for c in contacts)
    message = parsed(next(r for r in received if r["rcpt_tos"] == [contacts[0].email]))
    delivery = Delivery.objects.get(email=contacts[0].email)
    assert message["Message-ID"] == delivery.message_id == f"<infobrief-{letter.pk}.delivery-{delivery.pk}@{message['Message-ID'].split('@')[1][:-1]}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https?://\S+/unsubscribe/\S+/)>", message["List-Unsubscribe"]).group(1)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Förderaufruf Digitalisierung" in text and "Förderaufruf Digitalisierung" in html
    assert unsubscribe in text and unsubscribe in html.replace("&amp;", "&")
    assert "<em>50 %</em>" in html  # Markdown, sanitised
    assert all(d.status == "sent" and d.attempts == 1 for d in Delivery.objects.all())

    # The link from the mail: a GET only asks; the RFC 8058 one-click POST (no cookies, no CSRF token) unsubscribes.
    from django.test import Client

    from newsletters import services

    path = "/" + unsubscribe.split("://", 1)[1].split("/", 1)[1]
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(path).status_code == 200
    get_safe = contacts[0].email in [r.email for r in services.audience(letter).recipients]
    browser = Client(enforce_csrf_checks=True)  # what a mail provider posts: no cookies at all, no CSRF token
    first = browser.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
    one_click = first == 200 and contacts[0].email in [e for _n, e in services.audience(letter).excluded["unsubscribed"]]
    second = browser.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
    idempotent = second == 200 and Consent.objects.filter(contact=contacts[0], withdrawn_at__isnull=False).count() == 1
    anchor(one_click=one_click, idempotent=idempotent, get_safe=get_safe)
    assert get_safe and one_click and idempotent
    assert Consent.objects.get(contact=contacts[0]).withdrawn_at is not None  # the record stays, with its withdrawal
    forged = path.rsplit("/", 2)[0] + "/x" + path.rsplit("/", 2)[1][2:] + "/"
    assert browser.post(forged, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 404


def test_permanent_failures_are_recorded_and_suppressed_temporary_ones_retry(
    world, manager_x, settings, smtp_newsletter, eager, django_capture_on_commit_callbacks, tmp_path
):
    contacts = factories.recipients(world.network_x, 5)
    Contact.objects.filter(pk=contacts[0].pk).update(email="gone@empfang.example")
    letter = factories.infobrief(world.network_x)
    # The shared sink answers 550 for nobody; a second sink would be needed for 550 — use the reject list of a fresh one.
    import subprocess
    import sys

    out = tmp_path / "reject.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "tests/smtp_sink.py", "--out", str(out), "--reject", "gone@empfang.example"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    port = int(proc.stdout.readline().split()[1])
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}},
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sending.send_start(infobrief=letter, by=manager_x)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    failed = Delivery.objects.get(email="gone@empfang.example")
    assert failed.status == "failed" and failed.smtp_code == 550 and "Mailbox unavailable" in failed.last_error
    assert Suppression.objects.filter(network=world.network_x, email="gone@empfang.example", reason="bounced").exists()
    report = sending.progress(letter)
    assert report["sent"] == 4 and report["failed"] == 1 and report["done"] and [d.email for d in report["failures"]] == ["gone@empfang.example"]
    # Retrying a failed row that is suppressed does nothing; a later Infobrief leaves the address out.
    assert sending.retry_failed(infobrief=letter, by=manager_x) == 0


def test_a_dropped_connection_is_a_temporary_failure_with_backoff_and_parks_after_max_attempts(world, manager_x, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}},
    }
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    settings.REDIS_URL = ""
    factories.recipients(world.network_x, 2)
    letter = factories.infobrief(world.network_x)
    sending.send_start(infobrief=letter, by=manager_x)  # no on_commit here: the batch runs below, by hand
    sending.send_batches(infobrief_id=letter.pk)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"retry"}
    assert all(d.next_attempt_at and d.smtp_code is None and "Connection" in d.last_error for d in Delivery.objects.all())
    Delivery.objects.update(next_attempt_at=None)
    Delivery.objects.update(next_attempt_at=letter.created_at)
    sending.send_batches(infobrief_id=letter.pk)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"parked"}  # not retried forever
    assert sending.progress(letter)["parked"] == 2


def test_audience_respects_consent_unsubscribe_and_unconfirmed_subscribers(world, manager_x):
    from django.utils import timezone

    from newsletters import services

    contacts = factories.recipients(world.network_x, 4)
    Consent.objects.filter(contact=contacts[1]).update(withdrawn_at=timezone.now())
    Consent.objects.filter(contact=contacts[2]).delete()
    Suppression.objects.create(network=world.network_x, email=contacts[3].email, reason="bounced")
    now = timezone.now()
    Subscriber.objects.create(
        network=world.network_x, email="extern@example.org", status="confirmed", requested_at=now, confirmed_at=now, consent_text="x", consent_version=1
    )
    Subscriber.objects.create(network=world.network_x, email="offen@example.org", status="pending", requested_at=now, consent_text="x", consent_version=1)
    letter = factories.infobrief(world.network_x)
    result = services.audience(letter)
    assert sorted(r.email for r in result.recipients) == sorted([contacts[0].email, "extern@example.org"])
    assert [e for _n, e in result.excluded["unsubscribed"]] == [contacts[1].email]
    assert [e for _n, e in result.excluded["no_consent"]] == [contacts[2].email] or contacts[2].email in [e for _n, e in result.excluded["no_consent"]]
    assert [e for _n, e in result.excluded["bounced"]] == [contacts[3].email]
    assert [e for _n, e in result.excluded["unconfirmed"]] == ["offen@example.org"]
    letter.include_subscribers = False
    assert "extern@example.org" not in [r.email for r in services.audience(letter).recipients]


def test_pause_resume_cancel_and_nothing_twice(world, manager_x, settings):
    settings.REDIS_URL = ""
    factories.recipients(world.network_x, 3)
    letter = factories.infobrief(world.network_x)
    sending.send_start(infobrief=letter, by=manager_x)
    with pytest.raises(ValidationError):
        sending.send_start(infobrief=letter, by=manager_x)  # a second start makes no second set of rows
    assert Delivery.objects.count() == 3
    sending.send_pause(infobrief=letter, by=manager_x)
    assert sending.send_batches(infobrief_id=letter.pk) == 0  # a paused Infobrief sends nothing
    assert sending.send_cancel(infobrief=letter, by=manager_x) == 3
    letter.refresh_from_db()
    assert letter.status == "cancelled" and set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}


def test_header_injection_through_subject_and_names_is_impossible(world, manager_x, smtp_newsletter, eager, django_capture_on_commit_callbacks):
    contacts = factories.recipients(world.network_x, 1)
    Contact.objects.filter(pk=contacts[0].pk).update(first_name="Eva\r\nBcc: victim@example.org", last_name="X")
    letter = factories.infobrief(world.network_x, subject="Herbst\r\nBcc: victim@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_start(infobrief=letter, by=manager_x)
    received = smtp_newsletter()
    assert len(received) == 1 and received[0]["rcpt_tos"] == [contacts[0].email]
    message = parsed(received[0])
    assert message["Bcc"] is None and "\n" not in message["Subject"]


def test_scheduled_infobrief_starts_from_the_sweeper(world, manager_x, settings, mailoutbox_files):
    from datetime import timedelta

    from django.utils import timezone

    settings.REDIS_URL = ""
    factories.recipients(world.network_x, 2)
    letter = factories.infobrief(world.network_x)
    assert sending.send_start(infobrief=letter, by=manager_x, when=timezone.now() + timedelta(hours=1)) == 2
    assert not Delivery.objects.exists()
    assert sending.sweep()["started"] == 0
    assert sending.sweep(now=timezone.now() + timedelta(hours=2))["started"] == 1
    letter.refresh_from_db()
    assert Delivery.objects.count() == 2
    # The same sweep found the rows waiting and asked the (here: eager) workers: both went out.
    assert letter.status == "sent" and len(mailoutbox_files()) == 2


def test_html_and_script_in_entries_never_reach_the_mail(world):
    from html.parser import HTMLParser

    from newsletters import services
    from newsletters.models import Entry, InfobriefEntry

    letter = factories.infobrief(world.network_x)
    hostile = Entry.objects.create(
        network=world.network_x,
        kind="text",
        title="<script>alert(1)</script>Titel",
        body='<img src=x onerror=alert(1)> [klick](javascript:alert(1)) <iframe src="https://evil.example"></iframe>',
    )
    InfobriefEntry.objects.create(infobrief=letter, entry=hostile, position=2)
    html = services.render(letter, email="a@example.org")["html"]

    class Tags(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Tags()
    parser.found = []
    parser.feed(html)
    assert not [t for t, _a in parser.found if t in {"script", "iframe"}]
    assert not [a for _t, a in parser.found if any(k.startswith("on") for k in a)]
    assert not [a for _t, a in parser.found if a.get("href", "").lower().startswith("javascript")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Titel" in html  # the title is text, escaped


def test_a_line_break_or_an_encoded_word_in_names_neither_adds_headers_nor_stops_the_mail(world):
    """S-5: a network name with CR/LF broke the List-Id header, a sender name "=?utf-8?q?…=0D=0A…?=" the From address."""
    from verbund.models import Network

    Network.objects.filter(pk=world.network_x.pk).update(name="Netz\r\nBcc: evil@evil.example")
    world.network_x.refresh_from_db()
    letter = factories.infobrief(world.network_x)
    template = sending.services.newsletter_settings(world.network_x)
    type(template).objects.filter(pk=template.pk).update(sender_name="=?utf-8?q?Netz=0D=0ABcc=3A_evil@evil.example?=")
    delivery = Delivery(pk=1, infobrief=letter, email="eva@example.org")
    raw = sending.build_message(letter, delivery).message(policy=email.policy.SMTP).as_bytes().decode()
    headers = raw.split("\r\n\r\n", 1)[0]
    assert not re.search(r"^bcc:", headers, re.IGNORECASE | re.MULTILINE)
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert "\n" not in str(parsed["From"]) and "\n" not in str(parsed["List-Id"])
