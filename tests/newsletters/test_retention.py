"""Retention defaults of QUALITY.md: delivery logs 12 months (then pseudonymised), consent and subscription proofs 3 years
after they ended (then deleted). The indicators keep their counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Consent
from members.privacy import consent_proofs_expire
from newsletters.models import Bounce, Delivery, Infobrief, Subscriber
from newsletters.privacy import PSEUDONYM_DOMAIN, delivery_logs_expire, subscriptions_expire
from tests.newsletters import factories

pytestmark = pytest.mark.django_db


def sent_letter(network, *, days_ago: int, emails: list[str], contacts=None) -> Infobrief:
    letter = factories.infobrief(network, subject=f"Infobrief vor {days_ago} Tagen")
    Infobrief.objects.filter(pk=letter.pk).update(status=Infobrief.Status.SENT, sent_at=timezone.now() - timedelta(days=days_ago))
    for n, address in enumerate(emails):
        Delivery.objects.create(
            infobrief=letter, email=address, contact=contacts[n] if contacts else None, status="sent", sent_at=timezone.now(), last_error="451 später"
        )
    return letter


def test_delivery_logs_older_than_a_year_lose_the_address_and_keep_their_counts(world, settings):
    settings.DELIVERY_LOG_DAYS = 365
    contacts = factories.recipients(world.network_x, 2)
    old = sent_letter(world.network_x, days_ago=400, emails=[c.email for c in contacts], contacts=contacts)
    older = sent_letter(world.network_x, days_ago=500, emails=[contacts[0].email])
    recent = sent_letter(world.network_x, days_ago=30, emails=[contacts[0].email], contacts=contacts[:1])
    Bounce.objects.create(network=world.network_x, email=contacts[1].email, kind="hard")
    Bounce.objects.filter(email=contacts[1].email).update(received_at=timezone.now() - timedelta(days=400))
    Bounce.objects.create(network=world.network_x, email=contacts[0].email, kind="soft")

    assert delivery_logs_expire() == 3
    assert delivery_logs_expire() == 0  # idempotent

    aged = list(Delivery.objects.filter(infobrief__in=[old, older]))
    assert all(d.email.endswith(f"@{PSEUDONYM_DOMAIN}") and d.contact_id is None and d.last_error == "" for d in aged)
    assert not any(c.email in d.email for d in aged for c in contacts)
    # One person stays one recipient across Infobriefe (distinct counts of the indicators), the statuses stay.
    assert len({d.email for d in aged}) == 2 and all(d.status == "sent" for d in aged)
    assert Delivery.objects.get(infobrief=recent).email == contacts[0].email
    assert list(Bounce.objects.values_list("email", flat=True)) == [contacts[0].email]


def test_proofs_of_ended_consents_and_subscriptions_go_after_three_years(world, settings):
    settings.CONSENT_PROOF_YEARS = 3
    now = timezone.now()
    contacts = factories.recipients(world.network_x, 3)
    granted = now - timedelta(days=6 * 365)
    Consent.objects.filter(contact=contacts[0]).update(granted_at=granted, withdrawn_at=now - timedelta(days=4 * 365), evidence="IP 203.0.113.1")
    Consent.objects.filter(contact=contacts[1]).update(granted_at=granted, withdrawn_at=now - timedelta(days=365), evidence="IP 203.0.113.2")
    Consent.objects.filter(contact=contacts[2]).update(granted_at=granted, evidence="IP 203.0.113.3")  # still valid
    old_consent = Consent.objects.get(contact=contacts[0])
    old_consent.save()  # a history row that holds the proof too

    def subscriber(email, status, **dates):
        return Subscriber.objects.create(
            network=world.network_x, email=email, status=status, consent_text="Text", consent_version=1, requested_at=dates.pop("requested_at", now), **dates
        )

    gone = subscriber("alt@extern.example", "unsubscribed", unsubscribed_at=now - timedelta(days=4 * 365))
    subscriber("neu@extern.example", "unsubscribed", unsubscribed_at=now - timedelta(days=100))
    subscriber("nie@extern.example", "pending", requested_at=now - timedelta(days=4 * 365))
    subscriber("treu@extern.example", "confirmed", requested_at=now - timedelta(days=10 * 365), confirmed_at=now - timedelta(days=10 * 365))

    assert consent_proofs_expire() == 1
    assert subscriptions_expire() == 2

    assert Consent.objects.get(contact=contacts[0]).evidence == "" and Consent.objects.get(contact=contacts[0]).withdrawn_at
    assert not Consent.history.filter(id=old_consent.pk).exclude(evidence="").exists()
    assert Consent.objects.get(contact=contacts[1]).evidence == "IP 203.0.113.2"
    assert Consent.objects.get(contact=contacts[2]).evidence == "IP 203.0.113.3"
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["neu@extern.example", "treu@extern.example"]
    assert not Subscriber.history.filter(id=gone.pk).exists()


def test_the_retention_page_names_both_periods(client, world, manager_x, settings):
    from django.urls import reverse

    settings.DELIVERY_LOG_DAYS, settings.CONSENT_PROOF_YEARS = 365, 3
    client.force_login(manager_x)
    page = client.get(reverse("lifecycle:retention", args=[world.network_x.slug])).text
    assert "Versandprotokoll der Infobriefe" in page and "365 Tage" in page
    assert "nach einem Widerruf 3 Jahre als Nachweis" in page and "nach der Abmeldung 3 Jahre" in page
