"""Demo data for the Qualifizierungsverbund (called by seed_demo): ERGA's topics, matrix, checks, courses. Idempotent."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from members.models import Contact, Organisation
from qualification import checks_service, matrix
from qualification.models import (
    Attendance,
    CheckRound,
    CheckTemplate,
    Course,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)
from verbund.models import ManagerRole, Network

TOPICS = [  # titles as the shipped check suggests them, so a check result links straight into the matrix
    ("Führung für Meister:innen und Teamleitungen", "Vom Kollegen zur Führungskraft: Gespräche führen, delegieren, Konflikte lösen."),
    ("Betriebliches Gesundheitsmanagement", "Gesund bleiben im Betrieb: Arbeitsplätze, Belastungen, Angebote."),
    ("Azubimarketing", "Auszubildende gewinnen: Schulkooperationen, Social Media, Praktika."),
    ("Digitale Kompetenzen", "Tabellen, Auftragsabwicklung, mobile Geräte im Handwerk und in der Fertigung."),
    ("Arbeiten im Alter", "Länger gut arbeiten: Arbeit so gestalten, dass sie bis zur Rente gut machbar bleibt."),
    ("Wissenstransfer zwischen Generationen", "Erfahrungswissen sichern, bevor es in Rente geht."),
    ("Arbeitgebermarke", "Was Beschäftigte hält und Bewerber:innen anzieht: Arbeitszeit, Entwicklung, Betriebsklima."),
    ("Energieeffizienz im Betrieb", "Energie sparen in Werkstatt und Büro."),
]
FORMATS = ["in_house", "short", "seminar"]
TIMES = ["Freitagvormittag", "ab 15 Uhr", "Samstag", "im Winter", "nicht in der Erntezeit"]


class Command(BaseCommand):
    help = "Demo data for the qualification network (needs seed_demo's networks)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        network = Network.objects.filter(slug="erga-qualifizierung").first()
        manager_role = ManagerRole.objects.filter(network=network).select_related("user").first() if network else None
        if network is None or manager_role is None:
            self.stdout.write("No ERGA network; run seed_demo first.")
            return
        manager = manager_role.user
        rng = random.Random(2013)
        topics = []
        for position, (title, description) in enumerate(TOPICS):
            topic, _ = Topic.objects.get_or_create(network=network, title=title, defaults={"description": description, "position": position})
            topics.append(topic)
        members = list(Organisation.objects.current_members_of(network).order_by("name"))
        if not Need.objects.filter(network=network).exists():
            for organisation in members:
                for topic in rng.sample(topics, rng.randint(1, 4)):
                    matrix.need_save(
                        network=network,
                        organisation=organisation,
                        topic=topic,
                        by=manager,
                        data={
                            "priority": rng.choice([1, 2, 2, 3]),
                            "head_count": rng.randint(1, 6),
                            "preferred_format": rng.choice(FORMATS),
                            "preferred_time": rng.choice(TIMES),
                            "target_group": rng.choice(["Meister", "Azubis", "Beschäftigte 50+", "Büro", ""]),
                        },
                    )
        self.courses(network, topics, members, manager, rng)
        self.company_check(network, manager)
        self.stdout.write(
            f"Qualification demo: {len(topics)} topics, {Need.objects.filter(network=network).count()} needs, "
            f"{Course.objects.filter(network=network).count()} courses."
        )

    def courses(self, network: Network, topics: list[Topic], members: list[Organisation], manager, rng: random.Random) -> None:
        today = timezone.localdate()
        plans = [
            ("Führen im Handwerk – Kompaktkurs", topics[0], "short", today.year - 1, Course.Status.HELD, -300, 12),
            ("Gesund im Betrieb: Rückenschule in der Werkstatt", topics[1], "in_house", today.year - 1, Course.Status.HELD, -200, 10),
            ("Azubis finden über Instagram & Co.", topics[2], "seminar", today.year, Course.Status.CONFIRMED, 30, 14),
            ("Excel und Auftragsabwicklung", topics[3], "short", today.year, Course.Status.PLANNED, 75, 12),
        ]
        for title, topic, format, year, status, offset, seats in plans:
            course, created = Course.objects.get_or_create(
                network=network,
                title=title,
                defaults={
                    "format": format,
                    "year": year,
                    "status": status,
                    "seats": seats,
                    "provider": "Akademie Überlingen",
                    "cost_per_seat": 120,
                    "payer": Course.Payer.FUNDING,
                    "created_by": manager,
                },
            )
            if not created:
                continue
            course.topics.add(topic)
            day = today + timedelta(days=offset)
            day += timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday
            if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 6):  # not between the years
                day += timedelta(days=21)
            start = timezone.make_aware(datetime.combine(day, time(9)))
            session = CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=6), place="Steinfurt, Kreishaus")
            for organisation in rng.sample(members, 4):
                enrolment = Enrolment.objects.create(course=course, organisation=organisation, head_count=rng.randint(1, 3), enrolled_by=manager)
                if status == Course.Status.HELD:
                    Attendance.objects.create(session=session, enrolment=enrolment, present=max(enrolment.head_count - rng.randint(0, 1), 0))
            if status == Course.Status.HELD:
                course.documentation = (
                    f"## {title}\n\nWas wir mitgenommen haben:\n\n- Kurze Impulse, viel Austausch zwischen den Betrieben\n"
                    "- Checkliste für den eigenen Betrieb (siehe Unterlagen)\n\n**Nächster Schritt:** Erfahrungen beim Koordinierungstreffen teilen."
                )
                course.documentation_published_at = start + timedelta(days=7)
                course.save(update_fields=["documentation", "documentation_published_at"])

    def company_check(self, network: Network, manager) -> None:
        """The demo member company has done the Basis-Check and shared it with the office."""
        contact = Contact.objects.filter(email="mitglied@verbund.example").select_related("organisation", "user").first()
        if contact is None or contact.user is None or CheckRound.objects.filter(network=network, organisation=contact.organisation).exists():
            return
        template = CheckTemplate.objects.filter(network__isnull=True, depth=CheckTemplate.Depth.BASIS, is_current=True).first()
        if template is None:
            return
        rng = random.Random(50)
        check = checks_service.check_start(network=network, organisation=contact.organisation, template=template, by=contact.user)
        for area in template.areas.prefetch_related("questions"):
            base = rng.choice([1, 2, 3, 4])
            for question in area.questions.all():
                checks_service.check_answer(check=check, question=question, value=max(0, min(4, base + rng.choice([-1, 0, 0, 1]))), by=contact.user)
        checks_service.check_complete(check=check, by=contact.user)
        checks_service.check_share(check=check, by=contact.user, with_managers=True)
