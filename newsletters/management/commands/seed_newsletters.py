"""Demo Infobrief data (called by seed_demo): energieland 2050's template, typed entries, a sent issue and a draft. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from members.models import Consent, Contact, Membership
from newsletters.models import (
    Entry,
    Infobrief,
    InfobriefEntry,
    NewsletterSettings,
    Subscriber,
)
from verbund.models import Network


class Command(BaseCommand):
    help = "Demo data for the Infobrief (needs seed_demo's networks)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        network = Network.objects.filter(slug="energieland-2050").first()
        if network is None:
            self.stdout.write("No demo network; run seed_demo first.")
            return
        NewsletterSettings.objects.update_or_create(
            network=network,
            defaults={
                "title": "Infobrief energieland 2050",
                "sender_name": "energieland 2050",
                "primary_colour": "#1d5e3a",
                "accent_colour": "#e6f2ea",
                "footer": "Unternehmernetzwerk energieland 2050 · Kreis Steinfurt, Tecklenburger Straße 10, 48565 Steinfurt · Vertreten durch den Lenkungskreis",
                "public_archive": True,
            },
        )
        now = timezone.now()
        today = timezone.localdate()
        for contact in (
            Contact.objects.filter(organisation__memberships__network=network, organisation__memberships__status=Membership.Status.ACTIVE)
            .exclude(email="")
            .distinct()[:25]
        ):
            if not Consent.objects.filter(contact=contact, network=network, purpose=Consent.Purpose.NEWSLETTER).exists():
                Consent.objects.create(
                    contact=contact,
                    network=network,
                    purpose=Consent.Purpose.NEWSLETTER,
                    granted_at=now - timedelta(days=200),
                    source=Consent.Source.PORTAL,
                    text_version="2026-11",
                )
        for email, name in [("presse@westfalen-nachrichten.example", "Redaktion Westfalen"), ("wirtschaft@kreis-steinfurt.example", "Wirtschaftsförderung")]:
            Subscriber.objects.get_or_create(
                network=network,
                email=email,
                defaults={
                    "name": name,
                    "status": Subscriber.Status.CONFIRMED,
                    "requested_at": now - timedelta(days=90),
                    "request_ip": "192.0.2.10",
                    "confirmation_sent_at": now - timedelta(days=90),
                    "confirmed_at": now - timedelta(days=90, hours=-1),
                    "confirm_ip": "192.0.2.10",
                    "consent_text": NewsletterSettings.objects.get(network=network).consent_text,
                    "consent_version": 1,
                },
            )
        entries: list[tuple[str, str, dict[str, Any]]] = [
            (
                "funding_call",
                "Förderaufruf „Energieeffizienz im Mittelstand“",
                {
                    "funder": "Land NRW / EFRE",
                    "deadline": today + timedelta(days=45),
                    "body": "Zuschüsse bis **50 %** für Effizienzmaßnahmen in KMU. Die Geschäftsstelle berät bei der Antragstellung.",
                    "link": "https://www.efre.nrw.de/",
                },
            ),
            (
                "trade_fair",
                "WindEnergy Hamburg – Gemeinschaftsstand WindWest",
                {
                    "starts_at": now + timedelta(days=60),
                    "ends_at": now + timedelta(days=63),
                    "place": "Messe Hamburg",
                    "body": "Mitglieder präsentieren sich gemeinsam; Anmeldung für Standflächen bis Monatsende.",
                },
            ),
            (
                "press",
                "Westfälische Nachrichten: „Saerbeck zeigt, wie Energiewende geht“",
                {"body": "Bericht über die Besichtigung des Bioenergieparks mit 40 Unternehmen."},
            ),
            (
                "member_news",
                "Neues Mitglied: Stadtwerke Ochtrup",
                {"body": "Die Stadtwerke bringen Erfahrung mit Nahwärmenetzen mit und suchen Partner für Pilotprojekte."},
            ),
        ]
        made = []
        for kind, title, fields in entries:
            entry, _ = Entry.objects.get_or_create(network=network, title=title, defaults={"kind": kind, **fields})
            made.append(entry)
        sent, created = Infobrief.objects.get_or_create(
            network=network,
            subject="Infobrief Oktober: Förderaufruf, Messe, Presse",
            defaults={
                "intro": "Liebe Mitglieder,\n\nhier das Wichtigste aus dem Netzwerk.",
                "status": Infobrief.Status.SENT,
                "send_started_at": now - timedelta(days=30),
                "sent_at": now - timedelta(days=30),
            },
        )
        if created:
            for position, entry in enumerate(made[2:], start=1):
                InfobriefEntry.objects.create(infobrief=sent, entry=entry, position=position)
        draft, created = Infobrief.objects.get_or_create(
            network=network,
            subject="Infobrief Dezember",
            defaults={
                "intro": "Liebe Mitglieder,\n\nzum Jahresende zwei Termine und ein Förderaufruf.",
                "preheader": "Förderaufruf Energieeffizienz, WindEnergy Hamburg",
            },
        )
        if created:
            for position, entry in enumerate(made[:2], start=1):
                InfobriefEntry.objects.create(infobrief=draft, entry=entry, position=position)
        self.stdout.write("Infobrief demo data is in place.")
