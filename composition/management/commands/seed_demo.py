"""A believable demo world from the 2013 ERGA transfer workshop (Kreis Steinfurt / Münsterland).

Idempotent: every object is found by a natural key before it is created, and
names come from a seeded Faker, so running it twice changes nothing.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from events.models import ActionItem, AgendaItem, Meeting, MinuteEntry, Registration
from health.demo import seed_indicators_demo
from health.demo_reports import seed_reports_demo
from health.demo_surveys import seed_surveys_demo
from members.models import Contact, EconomicActivity, Membership, Organisation
from members.services import organisation_refresh_search
from verbund.models import FundingSource, ManagerRole, Network, User

DEMO_PASSWORD = "verbund-demo-2026"

# (municipality, postcode, district, state)
PLACES = [
    ("Rheine", "48431", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Steinfurt", "48565", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Greven", "48268", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Emsdetten", "48282", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Ibbenbüren", "49477", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Saerbeck", "48369", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Ochtrup", "48607", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Lengerich", "49525", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Hörstel", "48477", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Mettingen", "49497", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Neuenkirchen", "48485", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Wettringen", "48493", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Hopsten", "48496", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Recke", "49509", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Tecklenburg", "49545", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Lotte", "49504", "Kreis Steinfurt", "Nordrhein-Westfalen"),
    ("Salzbergen", "48499", "Landkreis Emsland", "Niedersachsen"),
    ("Lingen (Ems)", "49808", "Landkreis Emsland", "Niedersachsen"),
    ("Münster", "48155", "Kreisfreie Stadt Münster", "Nordrhein-Westfalen"),
    ("Coesfeld", "48653", "Kreis Coesfeld", "Nordrhein-Westfalen"),
    ("Borken", "46325", "Kreis Borken", "Nordrhein-Westfalen"),
]

# The wind value chain: (trade word for the name, WZ 2008 code, membership role)
WIND_CHAIN = [
    ("Fundamentbau", "42.99", Membership.Role.SUPPLIER),
    ("Stahl- und Turmbau", "25.11", Membership.Role.MANUFACTURER),
    ("Getriebetechnik", "28.15", Membership.Role.MANUFACTURER),
    ("Elektrotechnik", "27.12", Membership.Role.SUPPLIER),
    ("Rotorblatt-Service", "33.12", Membership.Role.SUPPLIER),
    ("Schwerlastlogistik", "49.41", Membership.Role.SUPPLIER),
    ("Kranservice", "77.32", Membership.Role.SUPPLIER),
    ("Windpark-Projektierung", "71.12", Membership.Role.USER),
    ("Anlagenwartung", "33.14", Membership.Role.SUPPLIER),
    ("Arbeitssicherheit", "74.90", Membership.Role.CONSULTANT),
    ("Kabel- und Netzbau", "42.22", Membership.Role.SUPPLIER),
    ("Energiehandel", "35.14", Membership.Role.USER),
    ("Hydraulik", "28.12", Membership.Role.MANUFACTURER),
    ("Faserverbund", "22.29", Membership.Role.MANUFACTURER),
    ("Ingenieurbüro", "71.12", Membership.Role.CONSULTANT),
]

QUALIFICATION_TRADES = [
    ("Logistik", "52.29"),
    ("Metallbau", "25.11"),
    ("Maschinenbau", "28.99"),
    ("Kunststofftechnik", "22.29"),
    ("Pflegedienst", "88.10"),
    ("Holzverarbeitung", "16.23"),
    ("Lebensmittel", "10.71"),
    ("Elektroinstallation", "43.21"),
]


def ascii_slug(text: str) -> str:
    """For demo web and mail addresses: ö → oe, ß → ss, drop everything else that is not a letter or digit."""
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e")):
        text = text.replace(umlaut, plain)
    return "".join(c for c in text if c.isascii() and c.isalnum())


LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "GmbH", "KG", "e. K."]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


class Command(BaseCommand):
    help = "Load the demo world (networks, organisations, contacts, logins). Safe to run repeatedly."

    def handle(self, *args, **options) -> None:
        self.fake = Faker("de_DE")
        self.fake.seed_instance(2013)
        self.rng = random.Random(2013)
        self.activities = {a.code: a for a in EconomicActivity.objects.filter(version=EconomicActivity.Version.WZ2008, level=4)}
        with transaction.atomic():
            logins = self.build()
        if apps.is_installed("newsletters"):  # by name: events imports no app above it
            call_command("seed_newsletters", stdout=self.stdout)
        if apps.is_installed("qualification"):
            call_command("seed_qualification", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data is in place. Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<38} {login.email}")

    # -- helpers ---------------------------------------------------------

    def user(self, email: str, first: str, last: str, *, staff: bool = False) -> User:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "is_staff": staff, "is_superuser": staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    @staticmethod
    def seeded(key: str) -> tuple[random.Random, Faker]:
        """Randomness tied to one object, so a re-run draws the same values whatever already exists."""
        seed = zlib.crc32(key.encode())
        fake = Faker("de_DE")
        fake.seed_instance(seed)
        return random.Random(seed), fake

    def organisation(
        self,
        name: str,
        *,
        kind: str = Organisation.Kind.COMPANY,
        wz: str = "",
        place: tuple[str, str, str, str] | None = None,
        employees: int | None = None,
        profile: str = "",
        competencies: str = "",
    ) -> Organisation:
        rng, fake = self.seeded(name)
        municipality, postcode, district, state = place or rng.choice(PLACES[:18])
        if employees is None:
            employees = rng.choice([6, 12, 18, 25, 38, 45, 60, 85, 120, 180, 240, 320])
        turnover = Decimal(employees * rng.randint(90, 180) * 1000)
        org, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "activity": self.activities.get(wz),
                "employees": employees,
                "turnover": turnover,
                "figures_year": 2025,
                "street": f"{fake.street_name()} {rng.randint(1, 120)}",
                "postcode": postcode,
                "municipality": municipality,
                "district": district,
                "state": state,
                "website": f"https://www.{ascii_slug(name.split()[0])}.example",
                "profile": profile,
                "competencies": competencies,
            },
        )
        organisation_refresh_search(org)  # the folded columns the directory searches (members.matching.search_fields)
        if not org.contacts.exists():
            self.contact(org, primary=True)
            if rng.random() < 0.5:
                self.contact(org, seed_suffix="2")
        return org

    def contact(self, org: Organisation, *, primary: bool = False, user: User | None = None, seed_suffix: str = "1", **fields: str) -> Contact:
        rng, fake = self.seeded(f"{org.name}/{seed_suffix}")
        salutation = fields.pop("salutation", None) or rng.choice([Contact.Salutation.MS, Contact.Salutation.MR])
        first = fields.pop("first_name", None) or (fake.first_name_female() if salutation == Contact.Salutation.MS else fake.first_name_male())
        last = fields.pop("last_name", None) or fake.last_name()
        domain = org.website.removeprefix("https://www.") or "example.org"
        email = fields.pop("email", None) or f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
        contact, _ = Contact.objects.get_or_create(
            organisation=org,
            email=email,
            defaults={
                "salutation": salutation,
                "first_name": first,
                "last_name": last,
                "function": fields.pop("function", None)
                or rng.choice(["Geschäftsführung", "Personalleitung", "Technische Leitung", "Vertrieb", "Ausbildungsleitung"]),
                "phone": f"+49 {rng.choice(['5971', '2551', '2571', '5451', '2572'])} {rng.randint(10000, 999999)}",
                "is_primary": primary,
                "user": user,
            },
        )
        return contact

    def member(self, org: Organisation, network: Network, role: str, *, status: str = Membership.Status.ACTIVE, fee: int | None = None) -> Membership:
        rng, _ = self.seeded(f"{org.name}@{network.slug}")
        membership, _ = Membership.objects.get_or_create(
            organisation=org,
            network=network,
            defaults={
                "role": role,
                "status": status,
                "joined_on": date(rng.randint(2011, 2024), rng.randint(1, 12), 1),
                "annual_fee": Decimal(fee) if fee is not None else None,
            },
        )
        return membership

    def company_name(self, trade: str) -> str:
        return f"{self.fake.last_name()} {trade} {self.rng.choice(LEGAL_FORMS)}"

    # -- meetings --------------------------------------------------------

    def meeting(self, network: Network, title: str, start: datetime, end: datetime, **fields) -> tuple[Meeting, bool]:
        # Found by network and title: the upcoming ones are dated relative to today.
        return Meeting.objects.get_or_create(network=network, title=title, defaults={"starts_at": start, "ends_at": end, **fields})

    def meetings(self, energieland: Network, windwest: Network, bioel: Network, manager: User, bioel_manager: User, member_org: Organisation) -> None:
        """The 2013 transfer workshop as it happened, and upcoming meetings of the networks."""
        workshop, created = self.meeting(
            energieland,
            "Cluster – Netzwerke – Verbünde von KMU managen",
            timezone.make_aware(datetime(2013, 7, 10, 9, 30)),
            timezone.make_aware(datetime(2013, 7, 10, 15, 30)),
            kind=Meeting.Kind.WORKSHOP,
            status=Meeting.Status.HELD,
            venue_name="Flughafen Münster/Osnabrück",
            venue_address="Airportallee 1, 48268 Greven",
            room="Konferenzräume 1–3 (Terminal Ankunft, 1. OG)",
            phone_on_day="02571 943381",
            description="2. Transferworkshop: Eine Zukunftsaufgabe für Wirtschaftsförderungen und Unternehmensberatungen?",
        )
        if created:
            programme = [
                (time(9, 30), time(10, 0), AgendaItem.Kind.ARRIVAL, "Anreise, Stehempfang", "", ""),
                (time(10, 0), time(10, 30), AgendaItem.Kind.WELCOME, "Begrüßung und Einführung", "Klaus Ehling", "Münsterland e.V."),
                (
                    time(10, 30),
                    time(11, 15),
                    AgendaItem.Kind.TALK,
                    "Cluster Management – Ein Job wie jeder andere?",
                    "Judith Terstriep",
                    "Institut Arbeit und Technik",
                ),
                (time(11, 15), time(11, 30), AgendaItem.Kind.BREAK, "Pause", "", ""),
                (time(11, 30), time(12, 30), AgendaItem.Kind.TALK, "Erfahrungen mit dem Management von KMU-Verbünden", "Thomas Möller", "Kreis Steinfurt"),
                (time(12, 30), time(13, 0), AgendaItem.Kind.DISCUSSION, "Verbünde managen als Zukunftsaufgabe?", "", ""),
                (time(13, 0), time(14, 0), AgendaItem.Kind.BREAK, "Pause mit Imbiss, Fahrt nach Saerbeck", "", ""),
                (time(14, 0), time(15, 30), AgendaItem.Kind.EXCURSION, "Besichtigung des Bioenergieparks Saerbeck", "Wilfried Roos", "Gemeinde Saerbeck"),
            ]
            items = []
            for position, (start, end, kind, title, speaker, org) in enumerate(programme, start=1):
                items.append(
                    AgendaItem.objects.create(
                        meeting=workshop,
                        position=position,
                        starts_at=start,
                        ends_at=end,
                        kind=kind,
                        title=title,
                        speaker=speaker,
                        speaker_organisation=org,
                        moderator="Robert Tschiedel" if kind == AgendaItem.Kind.DISCUSSION else "",
                    )
                )
            items[2].summary = (
                "**Cluster** sind räumliche Konzentrationen von Unternehmen einer oder verwandter Branchen und unterstützender "
                "Einrichtungen, verbunden durch wettbewerbliche und kooperative Beziehungen.\n\n"
                "Drei Typen (Carbonara 2004):\n\n"
                "- **Typ I:** viele kleine Unternehmen, informelle Beziehungen\n"
                "- **Typ II:** viele KMU, Kooperation und Wettbewerb\n"
                "- **Typ III:** Leitunternehmen, enge reziproke Beziehungen\n\n"
                "Clustermanagement ist *kein* Job wie jeder andere: es bewegt sich im Spannungsfeld zwischen Moderation, "
                "Dienstleistung und Interessenvertretung und braucht einen langen Atem."
            )
            items[4].summary = (
                "Regionale Verbünde entstehen aus einem gemeinsamen Thema (hier: erneuerbare Energien im Kreis Steinfurt). "
                "Erfolgsfaktoren aus der Praxis:\n\n"
                "1. klare Ziele und **Spielregeln**, auf die sich die Mitglieder verpflichten\n"
                "2. regelmäßige Arbeits- und Koordinierungstreffen mit Protokoll und Verabredungen\n"
                "3. eine Geschäftsstelle, die einlädt, dokumentiert und nachhält\n"
                "4. eine Finanzierung, die von der Anschubförderung zur Eigenfinanzierung wächst"
            )
            AgendaItem.objects.bulk_update([items[2], items[4]], ["summary"])
            for position, (minute_kind, text) in enumerate(
                [
                    (MinuteEntry.Kind.QUESTION, "Welche Indikatoren gibt es für die Erfolgsmessung von Clustern?"),
                    (
                        MinuteEntry.Kind.ANSWER,
                        "Noch nicht geklärt; aus Unternehmenssicht etwa die Zufriedenheit mit dem Clustermanagement. Erfolgreiche Cluster brauchen 5–10 Jahre Vorlauf.",
                    ),
                    (MinuteEntry.Kind.QUESTION, "Wie werden Cluster hauptsächlich finanziert?"),
                    (
                        MinuteEntry.Kind.ANSWER,
                        "Öffentliche Anschubfinanzierung, die im Zeitverlauf abnimmt und durch Eigenfinanzierung (Beiträge, Dienstleistungen) ersetzt wird.",
                    ),
                ],
                start=1,
            ):
                MinuteEntry.objects.create(meeting=workshop, agenda_item=items[2], kind=minute_kind, text=text, position=position)
            for contact in Contact.objects.filter(organisation__memberships__network=energieland).distinct()[:12]:
                Registration.objects.create(
                    meeting=workshop,
                    contact=contact,
                    status=Registration.Status.ATTENDED,
                    consent_participant_list=True,
                    consent_source=Registration.ConsentSource.SIGNATURE_LIST,
                    consent_recorded_at=workshop.starts_at.date(),
                )
        today = timezone.localdate()
        upcoming, created = self.meeting(
            windwest,
            "Koordinierungstreffen WindWest",
            timezone.make_aware(datetime.combine(today + timedelta(days=21), time(14, 0))),
            timezone.make_aware(datetime.combine(today + timedelta(days=21), time(17, 0))),
            kind=Meeting.Kind.COORDINATION,
            status=Meeting.Status.INVITED,
            venue_name="Rathaus Rheine",
            capacity=30,
            venue_address="Klosterstraße 14, 48431 Rheine",
        )
        if created:
            AgendaItem.objects.create(meeting=upcoming, position=1, starts_at=time(14), ends_at=time(14, 15), kind=AgendaItem.Kind.WELCOME, title="Begrüßung")
            AgendaItem.objects.create(
                meeting=upcoming,
                position=2,
                starts_at=time(14, 15),
                ends_at=time(15, 15),
                kind=AgendaItem.Kind.TALK,
                title="Fachkräfte gewinnen: Auftritt auf der Jobmesse",
                speaker="Sabine Kemper",
                speaker_organisation=member_org.name,
            )
            ActionItem.objects.create(
                network=windwest,
                meeting=upcoming,
                title="Stand auf der Jobmesse Rheine buchen",
                owner=member_org.contacts.filter(is_primary=True).first(),
                due_on=today + timedelta(days=14),
                created_by=manager,
            )
        self.meeting(
            bioel,
            "AG-Treffen mit Besichtigung eines Feldversuchs",
            timezone.make_aware(datetime.combine(today + timedelta(days=60), time(10, 0))),
            timezone.make_aware(datetime.combine(today + timedelta(days=60), time(16, 0))),
            kind=Meeting.Kind.SITE_VISIT,
            status=Meeting.Status.PLANNED,
            venue_name="Forstbetrieb im Tecklenburger Land",
        )

    # -- the world -------------------------------------------------------

    def build(self) -> list[DemoLogin]:
        admin = self.user("admin@verbund.example", "Ada", "Admin", staff=True)
        manager = self.user("manager@verbund.example", "Thomas", "Möllmann")
        bioel_manager = self.user("geschaeftsstelle@agbioel.example", "Veit", "Hartwig")
        quali_manager = self.user("qualifizierung@verbund.example", "Markus", "Reiners")

        energieland, _ = Network.objects.get_or_create(
            slug="energieland-2050",
            defaults={
                "name": "Unternehmernetzwerk energieland 2050",
                "kind": Network.Kind.NETWORK,
                "region": "Kreis Steinfurt",
                "description": "Unternehmen, Kommunen und Stadtwerke gestalten gemeinsam die regionale Energiewende im Kreis Steinfurt.",
                "goals": "Bis 2050 rechnerisch energieautark.\nRegionale Wertschöpfung in zehn Jahren von 10 % auf 30 % steigern.\nGute Arbeit in einer attraktiven Region.",
                "rules_of_play": "Vier Netzwerktreffen im Jahr.\nRegelmäßige Berichte aus den Kommunen.\nRückkopplung von Themen und Ideen an die Geschäftsstelle.",
                "founded_on": date(2010, 3, 1),
                "legal_form": "",
                "stage": Network.Stage.GROWTH,
                "office_email": "geschaeftsstelle@energieland2050.example",
                "funding_note": "Gefördert vom Bundesministerium für Arbeit und Soziales im Rahmen der Initiative Neue Qualität der Arbeit (ERGA – Energieressource Gute Arbeit).",
            },
        )
        windwest, _ = Network.objects.get_or_create(
            slug="windwest",
            defaults={
                "name": "Netzwerk WindWest",
                "kind": Network.Kind.CLUSTER,
                "region": "Kreis Steinfurt und Emsland",
                "description": "45 Unternehmen entlang der Wertschöpfungskette Wind. Die Kommunen Rheine und Salzbergen stellen je eine halbe Stelle für das Netzwerkmanagement.",
                "goals": "Unternehmen, Verwaltung, Politik und Presse verknüpfen.\nFür die Region, die Branche und die Unternehmen werben – auch auf Jobmessen, um Fachkräfte zu gewinnen.",
                "rules_of_play": "Teilnahme an mindestens zwei Netzwerktreffen im Jahr.\nVertrauliches bleibt im Netzwerk.\nKonkurrenz wird offen angesprochen.",
                "founded_on": date(2011, 5, 1),
                "parent": energieland,
                "stage": Network.Stage.GROWTH,
                "cluster_type": Network.ClusterType.TYPE_II,
                "office_email": "netzwerk@windwest.example",
            },
        )
        bioel, _ = Network.objects.get_or_create(
            slug="ag-biooel",
            defaults={
                "name": "AG BioÖl – umweltschonende Schmier- und Verfahrensstoffe",
                "kind": Network.Kind.WORKING_GROUP,
                "region": "bundesweit",
                "description": "Bundesweite Arbeitsgemeinschaft seit über 20 Jahren, ohne eigene Rechtsform; die Geschäftsstelle führt die TAT in Rheine.",
                "goals": "Information und Aufklärung.\nDemonstration in Feldversuchen.\nLobbyarbeit und gemeinsam Hemmnisse beseitigen.\nProjekte realisieren; neutrale Anlaufstelle sein.",
                "rules_of_play": "Zwei AG-Treffen im Jahr mit Besichtigung.\nEine öffentlichkeitswirksame Veranstaltung im Jahr.\nMinimaler Kostenbeitrag.\nKonkurrenz untereinander wird sensibel behandelt.",
                "founded_on": date(1992, 9, 1),
                "legal_form": "",
                "stage": Network.Stage.MATURITY,
            },
        )
        erga, _ = Network.objects.get_or_create(
            slug="erga-qualifizierung",
            defaults={
                "name": "ERGA Qualifizierungsverbund Münsterland",
                "kind": Network.Kind.QUALIFICATION,
                "region": "Münsterland und Emsland",
                "description": "30 Unternehmen stimmen ihre Qualifizierungsbedarfe ab und organisieren Inhouse-Schulungen und Kurzqualifikationen gemeinsam.",
                "goals": "Personalentwicklung fördern.\nArbeitgeberattraktivität steigern.\nAustausch im Unternehmensverbund herstellen und festigen.",
                "rules_of_play": "Jedes Unternehmen benennt eine:n Kümmerer:in.\nBasis-Check zu Beginn, Intensiv-Check nach Bedarf.\nArbeits- und Koordinierungstreffen alle zwei Monate.",
                "founded_on": date(2011, 9, 1),
                "stage": Network.Stage.SETUP,
            },
        )

        for user, network, role in [
            (manager, energieland, ManagerRole.Role.MANAGER),
            (manager, windwest, ManagerRole.Role.MANAGER),
            (bioel_manager, bioel, ManagerRole.Role.MANAGER),
            (quali_manager, erga, ManagerRole.Role.MANAGER),
        ]:
            ManagerRole.objects.get_or_create(user=user, network=network, defaults={"role": role})

        for network, kind, name, funder, amount in [
            (windwest, FundingSource.Kind.PUBLIC_PROGRAMME, "Netzwerkmanagement (kommunale Stellenanteile)", "Städte Rheine und Salzbergen", 62000),
            (windwest, FundingSource.Kind.MEMBER_FEES, "Mitgliedsbeiträge", "", 18000),
            (energieland, FundingSource.Kind.PUBLIC_PROGRAMME, "ERGA – Energieressource Gute Arbeit", "BMAS, Initiative Neue Qualität der Arbeit", 85000),
            (bioel, FundingSource.Kind.MEMBER_FEES, "Kostenbeiträge", "", 4000),
            (bioel, FundingSource.Kind.THIRD_PARTY, "Feldversuche", "Fachagentur Nachwachsende Rohstoffe", 25000),
            (erga, FundingSource.Kind.PUBLIC_PROGRAMME, "unternehmensWert:Mensch", "BMAS / ESF", 48000),
            (erga, FundingSource.Kind.PAID_SERVICES, "Inhouse-Schulungen", "", 9000),
        ]:
            FundingSource.objects.get_or_create(
                network=network, kind=kind, year=timezone.localdate().year, name=name, defaults={"funder": funder, "amount": Decimal(amount)}
            )

        # WindWest: 45 companies along the wind value chain; many also in energieland 2050.
        windwest_orgs = []
        for i in range(45):
            trade, wz, member_role = WIND_CHAIN[i % len(WIND_CHAIN)]
            org = self.organisation(self.company_name(trade), wz=wz, competencies=trade)
            windwest_orgs.append(org)
            status = Membership.Status.ACTIVE if i < 40 else self.rng.choice([Membership.Status.PAUSED, Membership.Status.PROSPECT])
            self.member(org, windwest, member_role, status=status, fee=self.rng.choice([250, 500, 750]))
            if i % 3 == 0:
                self.member(org, energieland, member_role, fee=150)
        towns = []
        for name, municipality in [("Stadt Rheine – Wirtschaftsförderung", 0), ("Gemeinde Salzbergen", 16)]:
            town = self.organisation(name, kind=Organisation.Kind.ADMINISTRATION, wz="84.11", place=PLACES[municipality], employees=400)
            self.member(town, windwest, Membership.Role.ADMINISTRATION)
            self.member(town, energieland, Membership.Role.ADMINISTRATION)
            towns.append(town)
        # The energy network asks its member municipalities for a yearly report (domain document).
        seed_reports_demo(energieland, towns)
        for name in ["Stadtwerke Greven GmbH", "Stadtwerke Ochtrup GmbH", "Stadtwerke Rheine GmbH", "Stadtwerke Steinfurt GmbH"]:
            town_name = name.split()[1]
            place = next(p for p in PLACES if p[0] == town_name)
            utility = self.organisation(name, wz="35.11", place=place, employees=180)
            self.member(utility, energieland, Membership.Role.USER, fee=500)

        # The member-company demo login: primary contact of a WindWest company.
        member_org = windwest_orgs[0]
        member_user = self.user("mitglied@verbund.example", "Sabine", "Kemper")
        if not Contact.objects.filter(user=member_user).exists():
            Contact.objects.filter(organisation=member_org, is_primary=True).update(is_primary=False)
            self.contact(
                member_org,
                primary=True,
                user=member_user,
                first_name="Sabine",
                last_name="Kemper",
                salutation=Contact.Salutation.MS,
                email="mitglied@verbund.example",
                function="Personalleitung",
            )
        self.member(member_org, erga, Membership.Role.USER, fee=300)

        # AG BioÖl: 4 manufacturers, 2 universities, 2 pre-producers, users, consultants, multipliers.
        bioel_members = [
            *[(self.company_name("Schmierstoffe"), Organisation.Kind.COMPANY, "20.59", Membership.Role.MANUFACTURER) for _ in range(4)],
            ("Hochschule Osnabrück – Fakultät Ingenieurwissenschaften", Organisation.Kind.RESEARCH, "85.42", Membership.Role.RESEARCH),
            ("FH Münster – Institut für Energie und Prozesstechnik", Organisation.Kind.RESEARCH, "85.42", Membership.Role.RESEARCH),
            *[(self.company_name("Ölsaaten"), Organisation.Kind.COMPANY, "10.41", Membership.Role.SUPPLIER) for _ in range(2)],
            *[
                (self.company_name(t), Organisation.Kind.COMPANY, wz, Membership.Role.USER)
                for t, wz in [("Forsttechnik", "02.40"), ("Landtechnik", "28.30"), ("Wasserbau", "42.91")]
            ],
            ("TAT Technik Arbeit Transfer GmbH", Organisation.Kind.CONSULTANCY, "72.19", Membership.Role.CONSULTANT),
            ("Landwirtschaftskammer Nordrhein-Westfalen", Organisation.Kind.ASSOCIATION, "94.11", Membership.Role.MULTIPLIER),
        ]
        for name, org_kind, wz, member_role in bioel_members:
            bioel_place = PLACES[0] if name.startswith("TAT") else None
            org = self.organisation(name, kind=org_kind, wz=wz, place=bioel_place)
            self.member(org, bioel, member_role, fee=100)

        # ERGA qualification network: about 30 companies from several trades.
        for i in range(29):
            trade, wz = QUALIFICATION_TRADES[i % len(QUALIFICATION_TRADES)]
            org = self.organisation(self.company_name(trade), wz=wz, place=PLACES[(i * 7) % len(PLACES)])
            self.member(org, erga, Membership.Role.USER, fee=300)

        self.meetings(energieland, windwest, bioel, manager, bioel_manager, member_org)
        # Earlier years of funding, a planned cadence and some joins and leaves, so the indicators have a history.
        for network in (energieland, windwest, bioel, erga):
            seed_indicators_demo(network)
        # The yearly satisfaction survey (domain document: success measured by the members' satisfaction).
        seed_surveys_demo(energieland, list(Contact.objects.current_in(energieland).exclude(email="").order_by("pk")), by=manager)

        return [
            DemoLogin("Administration (Django-Admin)", admin.email),
            DemoLogin("Netzwerkmanager (energieland 2050, WindWest)", manager.email),
            DemoLogin("Geschäftsstelle AG BioÖl", bioel_manager.email),
            DemoLogin("Qualifizierungsverbund ERGA", quali_manager.email),
            DemoLogin("Mitgliedsunternehmen (Self-Service)", member_user.email),
        ]
