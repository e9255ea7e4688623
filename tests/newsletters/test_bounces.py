"""Bounces after the fact: real-world-shaped reports (tests/fixtures/bounces/) piped to `process_bounce`.

Each sample answers an Infobrief delivery; its recipient address and our deterministic Message-ID are put in
where the original mail's headers are quoted (@@RCPT@@, @@MESSAGE_ID@@, @@DELIVERY@@).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.models import Contact, Membership, Organisation
from newsletters.bounces import bounce_process
from newsletters.models import Bounce, Delivery, Suppression
from tests.newsletters import factories
from tests.services import database_url, require_postgres

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def delivery(world) -> Delivery:
    """One sent Infobrief delivery of network X to a member's contact."""
    contact = factories.recipients(world.network_x, 1, prefix="gerd")[0]
    letter = factories.infobrief(world.network_x)
    return Delivery.objects.create(infobrief=letter, email=contact.email, contact=contact, status=Delivery.Status.SENT, attempts=1)


def sample(name: str, delivery: Delivery) -> bytes:
    raw = (FIXTURES / name).read_bytes()
    return (
        raw.replace(b"@@RCPT@@", delivery.email.encode())
        .replace(b"@@MESSAGE_ID@@", delivery.message_id.encode())
        .replace(b"@@DELIVERY@@", str(delivery.pk).encode())
    )


def pipe(raw: bytes, monkeypatch) -> str:
    """`manage.py process_bounce` with the mail on standard input, as an MTA hands it over."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("process_bounce", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("postfix_dsn_550.eml", "5.1.1"),
        ("exim_non_dsn.eml", "550 5.1.1"),
        ("gmail_550_511.eml", "does not exist"),
        ("outlook_ndr.eml", "5.1.10"),
    ],
)
def test_a_hard_bounce_suppresses_the_address_for_the_network_and_marks_the_contact(world, delivery, monkeypatch, name, words):
    output = pipe(sample(name, delivery), monkeypatch)
    assert delivery.email in output
    suppression = Suppression.objects.get(network=world.network_x, email=delivery.email)
    assert suppression.reason == Suppression.Reason.BOUNCED and words in suppression.detail
    assert not Suppression.objects.filter(network=world.network_y).exists()
    bounce = Bounce.objects.get()
    assert bounce.kind == Bounce.Kind.HARD and bounce.delivery == delivery and bounce.network == world.network_x
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.last_error.startswith("bounce:")
    contact = Contact.objects.get(pk=delivery.contact_id)
    assert contact.email_undeliverable_at is not None and words in contact.email_undeliverable_reason


def test_an_auto_reply_is_not_a_bounce(world, delivery, monkeypatch):
    assert "Kein Rückläufer" in pipe(sample("autoreply_out_of_office.eml", delivery), monkeypatch)
    assert not Bounce.objects.exists() and not Suppression.objects.exists()
    assert Contact.objects.get(pk=delivery.contact_id).email_undeliverable_at is None


def test_a_soft_bounce_suppresses_only_the_third_within_30_days(world, delivery):
    raw = sample("soft_mailbox_full.eml", delivery)
    old = bounce_process(raw=raw)
    Bounce.objects.filter(pk=Bounce.objects.get().pk).update(received_at=timezone.now() - timedelta(days=31))
    assert old.soft == [delivery.email] and not old.suppressed
    assert not bounce_process(raw=raw).suppressed
    assert not bounce_process(raw=raw).suppressed
    assert not Suppression.objects.exists()  # one older than 30 days and two recent: not yet
    third = bounce_process(raw=raw)
    assert third.suppressed == [delivery.email]
    suppression = Suppression.objects.get(network=world.network_x, email=delivery.email)
    assert "3 vorübergehende Rückläufer in 30 Tagen" in suppression.detail and "4.2.2" in suppression.detail
    assert Contact.objects.get(pk=delivery.contact_id).email_undeliverable_at is None  # full, not gone
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_hard_bounce_of_a_transactional_mail_suppresses_the_address_in_every_network_that_has_it(world):
    org = Organisation.objects.create(name="Doppelt GmbH")
    Membership.objects.create(organisation=org, network=world.network_x, status=Membership.Status.ACTIVE)
    Membership.objects.create(organisation=org, network=world.network_y, status=Membership.Status.ACTIVE)
    Contact.objects.create(organisation=org, last_name="Doppelt", email="doppelt@empfang.example")
    raw = (FIXTURES / "postfix_dsn_550.eml").read_bytes().replace(b"@@RCPT@@", b"doppelt@empfang.example")
    raw = raw.replace(b"@@MESSAGE_ID@@", b"<reset-123@verbund.example>").replace(b"X-Verbund-Delivery: @@DELIVERY@@\n", b"")
    result = bounce_process(raw=raw)
    assert result.hard == ["doppelt@empfang.example"]
    assert set(Suppression.objects.values_list("network__slug", flat=True)) == {world.network_x.slug, world.network_y.slug}


def test_an_empty_standard_input_is_a_temporary_failure_for_the_mta(monkeypatch, db):
    from django.core.management.base import CommandError

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(CommandError) as raised:
        call_command("process_bounce")
    assert raised.value.returncode == 75


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_command_reads_a_bounce_piped_to_it_like_postfix_does(world, delivery):
    require_postgres()
    env = {**os.environ, "DATABASE_URL": database_url()}
    done = subprocess.run(
        [sys.executable, "manage.py", "process_bounce"], input=sample("gmail_550_511.eml", delivery), cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    assert Suppression.objects.filter(network=world.network_x, email=delivery.email, reason=Suppression.Reason.BOUNCED).exists()


# --- the contact page: visible and reversible ------------------------------------------------------------------


def contact_url(network, contact: Contact, name: str = "contact_edit") -> str:
    return reverse(f"directory:{name}", args=[network.slug, contact.pk])


def test_the_contact_page_shows_the_block_with_reason_and_date_and_lifts_it(client, world, delivery, manager_x):
    bounce_process(raw=sample("postfix_dsn_550.eml", delivery))
    contact = Contact.objects.get(pk=delivery.contact_id)
    client.force_login(manager_x)
    page = client.get(contact_url(world.network_x, contact))
    assert page.status_code == 200
    text = page.text
    assert "E-Mail-Adresse unzustellbar" in text and "Keine Infobriefe dieses Verbunds (Rückläufer)" in text
    assert "User unknown in virtual mailbox table" in text and timezone.localdate().strftime("%d.%m.%Y") in text
    assert "Sperre aufheben" in text

    response = client.post(contact_url(world.network_x, contact, "contact_mail_block_lift"))
    assert response.status_code == 302
    assert not Suppression.objects.filter(network=world.network_x, email=contact.email).exists()
    contact.refresh_from_db()
    assert contact.email_undeliverable_at is None
    assert contact.history.first().history_user == manager_x
    lifted = Suppression.history.filter(email=contact.email, history_type="-").get()
    assert lifted.history_user == manager_x
    assert "Sperre aufheben" not in client.get(contact_url(world.network_x, contact)).text


def test_lifting_keeps_an_unsubscription(client, world, delivery, manager_x):
    Suppression.objects.create(network=world.network_x, email=delivery.email, reason=Suppression.Reason.UNSUBSCRIBED)
    contact = Contact.objects.get(pk=delivery.contact_id)
    contact.email_undeliverable_at, contact.email_undeliverable_reason = timezone.now(), "550"
    contact.save()
    client.force_login(manager_x)
    assert client.post(contact_url(world.network_x, contact, "contact_mail_block_lift")).status_code == 302
    assert Suppression.objects.get(email=delivery.email).reason == Suppression.Reason.UNSUBSCRIBED


def test_a_manager_of_another_network_gets_404_and_lifts_nothing(client, world, delivery, manager_y):
    bounce_process(raw=sample("postfix_dsn_550.eml", delivery))
    contact = Contact.objects.get(pk=delivery.contact_id)
    client.force_login(manager_y)
    assert client.get(contact_url(world.network_x, contact)).status_code == 404
    assert client.post(contact_url(world.network_x, contact, "contact_mail_block_lift")).status_code == 404
    assert client.post(contact_url(world.network_y, contact, "contact_mail_block_lift")).status_code == 404
    assert Suppression.objects.filter(network=world.network_x).exists()


def test_erasing_the_person_removes_the_bounces_the_block_and_its_history(world, delivery, manager_x):
    from members.privacy import person_erase

    bounce_process(raw=sample("postfix_dsn_550.eml", delivery))
    contact = Contact.objects.get(pk=delivery.contact_id)
    address = contact.email
    person_erase(contact=contact, by=world.users["staff"])
    contact.refresh_from_db()
    assert contact.email_undeliverable_at is None and contact.email_undeliverable_reason == ""
    assert not Bounce.objects.filter(email=address).exists()
    assert not Suppression.objects.filter(email=address).exists() and not Suppression.history.filter(email=address).exists()
