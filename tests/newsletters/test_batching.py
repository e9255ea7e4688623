"""The batch path of sending: the message serialised once per batch, marks one by one inside a batch, rows made by the
first worker for a large audience. Against a real SMTP server (aiosmtpd) and committed rows (transactional tests)."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from members.models import Consent, Contact
from newsletters import sending, services
from newsletters.models import Delivery, Infobrief
from newsletters.prepared import PreparedMessage
from tests.newsletters import factories


@pytest.fixture
def smtp_newsletter(settings, smtp_sink):
    port, read = smtp_sink
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}},
    }
    settings.NEWSLETTER_RATE_PER_SECOND = 1000
    settings.REDIS_URL = ""
    return read


def _prepared_and_django(letter: Infobrief, delivery: Delivery) -> tuple[email.message.EmailMessage, email.message.EmailMessage]:
    shared = services.render_shared(letter)
    sender = sending._sender(letter)
    django_message = sending.build_message(letter, delivery, sender=sender, shared=shared)
    prepared = PreparedMessage(django_message, text=shared["text"], html=shared["html"], markers=services.PERSONAL_MARKERS)
    unsubscribe, greeting = services.personal_parts(network=letter.network, email=delivery.email, name=delivery.name)
    raw = prepared.as_bytes(
        to=delivery.email,
        message_id=delivery.message_id,
        unsubscribe_url=unsubscribe,
        delivery_id=delivery.pk,
        text_sub=lambda line: services.personal_text(line, unsubscribe=unsubscribe, greeting=greeting),
        html_sub=lambda line: services.personal_html(line, unsubscribe=unsubscribe, greeting=greeting),
    )
    assert raw is not None
    theirs = email.message_from_bytes(django_message.message(policy=email.policy.SMTP).as_bytes(), policy=email.policy.default)
    return email.message_from_bytes(raw, policy=email.policy.default), theirs


@pytest.mark.django_db
def test_the_prepared_bytes_say_what_djangos_message_says(world, monkeypatch):
    """Every header and both parts decode to the same as Django's own message for this recipient; only 7-bit lines of ≤ 78."""
    from django.core import signing

    # The unsubscribe link is signed with the current second: both messages (and the expected link) are built with one.
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(1_800_000_000))
    factories.recipients(world.network_x, 1)
    letter = factories.infobrief(world.network_x, subject="Herbst: Förderung für Äpfel & Birnen – ein sehr langer Betreff, der gefaltet wird")
    delivery = Delivery(infobrief=letter, pk=4711, email="r00000@empfang.example", name="Dr. Jürgen Groß = Test")
    ours, theirs = _prepared_and_django(letter, delivery)
    for header in ("Subject", "From", "To", "Reply-To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence"):
        assert str(ours[header]) == str(theirs[header]), header
    assert ours["X-Verbund-Delivery"] == "4711" and ours["Auto-Submitted"] == "auto-generated" and ours["Date"] == theirs["Date"]
    for kind in ("plain", "html"):
        assert ours.get_body(preferencelist=(kind,)).get_content() == theirs.get_body(preferencelist=(kind,)).get_content(), kind
    text = ours.get_body(preferencelist=("plain",)).get_content()
    assert "Guten Tag Dr. Jürgen Groß = Test," in text and services.unsubscribe_url(letter.network, delivery.email) in text
    raw = ours.as_bytes()
    assert raw.isascii() and all(len(line) <= 78 for line in raw.split(b"\n"))
    assert not ours.defects and all(not part.defects for part in ours.walk())


@pytest.mark.django_db
def test_an_address_that_is_not_plain_ascii_is_built_the_usual_way(world):
    letter = factories.infobrief(world.network_x)
    prepared = PreparedMessage(
        sending.build_message(letter, Delivery(infobrief=letter, pk=1, email="a@example.org")), text="x", html="y", markers=services.PERSONAL_MARKERS
    )
    kwargs = {"message_id": "<m@x>", "unsubscribe_url": "https://x.example/u/", "delivery_id": 1, "text_sub": str, "html_sub": str}
    assert prepared.as_bytes(to="jürgen@example.org", **kwargs) is None
    assert prepared.as_bytes(to="a@bücher.example", **kwargs) is None
    assert prepared.as_bytes(to="a@example.org", **kwargs) is not None


class Crash(BaseException):
    """A worker's death in the middle of a batch (BaseException: nothing in the batch loop catches it)."""


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_a_message_and_its_mark_repeats_that_one_message_and_nothing_else(world, manager_x, settings, smtp_newsletter, monkeypatch):
    """The server accepted messages 1–3 of a batch; the process dies after the 3rd, before its row is marked. The two marks made
    before are committed (read over a fresh connection); after the sweeper gives the batch back, only the 3rd goes out again."""
    settings.NEWSLETTER_BATCH_SIZE = 10
    factories.recipients(world.network_x, 10)
    letter = factories.infobrief(world.network_x)
    monkeypatch.setattr(sending, "kick", lambda *args, **kwargs: True)  # no Celery: the batches run below, by hand
    sending.send_start(infobrief=letter, by=manager_x)
    accepted = 0

    def fault(point: str) -> None:
        nonlocal accepted
        if point == "after_smtp":
            accepted += 1
            if accepted == 3:
                raise Crash

    monkeypatch.setattr(sending, "fault", fault)
    with pytest.raises(Crash):
        sending.send_batches(infobrief_id=letter.pk)
    connection.close()  # the dead worker's session is gone; what follows reads over a new one
    assert len(smtp_newsletter()) == 3
    rows = list(Delivery.objects.filter(infobrief=letter).order_by("pk"))
    assert [r.status for r in rows] == ["sent", "sent"] + ["claimed"] * 8
    assert all(r.attempts == 1 for r in rows)

    monkeypatch.setattr(sending, "fault", lambda point: None)
    settings.NEWSLETTER_CLAIM_TIMEOUT = 0
    assert sending.sweep()["released"] == 8
    sending.send_batches(infobrief_id=letter.pk)
    received = [r["rcpt_tos"][0] for r in smtp_newsletter()]
    assert len(received) == 11 and set(received) == {r.email for r in rows}
    (twice,) = [a for a in set(received) if received.count(a) == 2]
    assert twice == rows[2].email
    again = Delivery.objects.get(pk=rows[2].pk)
    assert again.status == "sent" and again.attempts == 2  # the second copy is traceable
    assert Delivery.objects.filter(infobrief=letter, status="sent").count() == 10
    assert set(Delivery.objects.filter(infobrief=letter, attempts=1).values_list("pk", flat=True)) == {rows[0].pk, rows[1].pk}
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENT


@pytest.mark.django_db
def test_a_large_audience_is_started_without_rows_and_the_first_batch_task_makes_them(world, manager_x, settings, client, mailoutbox_files):
    settings.REDIS_URL = ""
    settings.NEWSLETTER_INLINE_ROWS = 3
    contacts = factories.recipients(world.network_x, 6)
    Consent.objects.filter(contact=contacts[5]).update(withdrawn_at=timezone.now())
    letter = factories.infobrief(world.network_x)
    from verbund.celery import app

    app.conf.task_always_eager = False  # the request only commits; the batch below runs by hand
    client.force_login(manager_x)
    url = reverse("newsletters:send", kwargs={"network_slug": world.network_x.slug, "pk": letter.pk})
    response = client.post(url, {"mode": "now", "confirm": "1"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENDING and letter.send_started_at and not Delivery.objects.exists()
    assert '<h2 id="status-heading">Wird versendet</h2>' in client.get(response.url).text
    assert not sending.finish_if_done(letter.pk)  # no rows yet is not "all sent"

    assert sending.rows_prepare(letter.pk) and sending.rows_prepare(letter.pk)  # made once
    assert sorted(Delivery.objects.values_list("email", flat=True)) == sorted(c.email for c in contacts[:5])
    app.conf.task_always_eager = True
    sending.send_batches(infobrief_id=letter.pk)
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENT and len(mailoutbox_files()) == 5


@pytest.mark.django_db
def test_the_sweeper_makes_the_rows_when_no_batch_task_came_and_an_empty_audience_goes_back_to_draft(world, manager_x, settings, mailoutbox_files):
    settings.REDIS_URL = ""
    settings.NEWSLETTER_INLINE_ROWS = 1
    contacts = factories.recipients(world.network_x, 3)
    letter = factories.infobrief(world.network_x)
    from verbund.celery import app

    app.conf.task_always_eager = False
    sending.send_start(infobrief=letter, by=manager_x)
    app.conf.task_always_eager = True
    sending.sweep()  # rows made, batches asked for (eager here)
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENT and len(mailoutbox_files()) == 3

    other = factories.infobrief(world.network_x, subject="Zweite Ausgabe")
    app.conf.task_always_eager = False
    sending.send_start(infobrief=other, by=manager_x)
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(archived_at=timezone.now())  # nobody left before a worker came
    assert not sending.rows_prepare(other.pk)
    other.refresh_from_db()
    assert other.status == Infobrief.Status.DRAFT and other.send_started_at is None and not other.deliveries.exists()
