"""Building an Infobrief with N consenting recipients quickly (bulk inserts), for sending and fault tests."""

from __future__ import annotations

from django.utils import timezone

from members.models import Consent, Contact, Membership, Organisation
from newsletters.models import Entry, Infobrief, InfobriefEntry
from verbund.models import Network


def recipients(network: Network, n: int, *, prefix: str = "r") -> list[Contact]:
    """n contacts at n/10 active member organisations, each with a newsletter consent for the network."""
    orgs = Organisation.objects.bulk_create([Organisation(name=f"{prefix.upper()} Firma {i}") for i in range(max(1, n // 10))])
    Membership.objects.bulk_create([Membership(organisation=o, network=network, status=Membership.Status.ACTIVE) for o in orgs])
    contacts = Contact.objects.bulk_create(
        [Contact(organisation=orgs[i % len(orgs)], first_name="Empf", last_name=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@empfang.example") for i in range(n)]
    )
    now = timezone.now()
    Consent.objects.bulk_create(
        [
            Consent(contact=c, network=network, purpose=Consent.Purpose.NEWSLETTER, granted_at=now, source=Consent.Source.PORTAL, text_version="test")
            for c in contacts
        ]
    )
    return contacts


def infobrief(network: Network, *, subject: str = "Infobrief Herbst") -> Infobrief:
    letter = Infobrief.objects.create(network=network, subject=subject, preheader="Termine und Förderaufrufe", intro="Liebe Mitglieder, **willkommen**.")
    call = Entry.objects.create(
        network=network,
        kind=Entry.Kind.FUNDING_CALL,
        title="Förderaufruf Digitalisierung",
        funder="Land NRW",
        deadline=timezone.localdate() + timezone.timedelta(days=30),
        body="Bis zu *50 %* Zuschuss.",
        link="https://example.org/aufruf",
    )
    InfobriefEntry.objects.create(infobrief=letter, entry=call, position=1)
    return letter
