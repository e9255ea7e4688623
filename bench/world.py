"""The bench world: a county-sized portal in one PostgreSQL database, written with COPY in about a minute.

    python -m bench.world [--scale 1.0] [--rebuild]      (DATABASE_URL names the database; default verbund_bench)

At scale 1: 200 networks plus "bench-gross" holding all 50,000 organisations, 150,000 contacts, ~250,000
memberships, 10,000 meetings, 200,000 registrations, 2,000 Infobriefe, a 200 × 40 qualification matrix in
"bench-quali", a manager of 20 networks (the big one and the matrix one among them), a member with a portal
login in the big network, and one upcoming meeting of the big network with 300 registrations.

Idempotent: the table `bench_world` in that database records the scale it was built at; the same scale is
reused, another scale (or --rebuild) drops the database and starts over. No history rows are written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench import PG_DEFAULT, ROOT, VAR, admin_url, database_name, database_url

MANAGER_EMAIL = "bench-manager@example.org"
MEMBER_EMAIL = "bench-member@example.org"
BIG_SLUG = "bench-gross"
QUALI_SLUG = "bench-quali"
BIG_MEETING_TITLE = "Großes Netzwerktreffen 2026 (Bench)"
MATRIX_ORGANISATIONS = 200
MATRIX_TOPICS = 40
BIG_MEETING_REGISTRATIONS = 300
MANAGED_NETWORKS = 20
OTHER_MEMBERSHIPS_PER_ORGANISATION = 4

SURNAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann "
    "Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler "
    "Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther "
    "Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer "
    "Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn "
    "Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Höß Öztürk Yılmaz Kowalski Nguyen Brüggemann Große-Wöstmann Überall"
).split()
FIRST_NAMES = (
    "Anna Maria Sophie Lena Laura Julia Hannah Lea Sarah Katharina Birgit Sabine Petra Ursula Jürgen Klaus Stefan Michael Thomas Andreas "
    "Markus Christian Frank Jörg Uwe Dieter Björn Sören Jan Lukas Felix Jonas Leon Paul Ömer Zoë Renée Gülşen Małgorzata Ingrid Heike Dörte"
).split()
TRADES = (
    "Maschinenbau",
    "Metallbau",
    "Elektrotechnik",
    "Holzbau",
    "Sanitär- und Heizungstechnik",
    "Logistik",
    "Systemtechnik",
    "Werkzeugbau",
    "Kunststofftechnik",
    "Dachdeckerei",
    "Steuerberatung",
    "Ingenieurbüro",
    "Bauunternehmung",
    "Landtechnik",
    "Windkraft Service",
    "Solartechnik",
    "Bäckerei",
    "Feinmechanik",
    "Gebäudereinigung",
    "Softwareentwicklung",
)
LEGAL_FORMS = ("GmbH", "GmbH & Co. KG", "AG", "KG", "e. K.", "UG (haftungsbeschränkt)", "OHG", "GbR", "e. V.", "")
COMPETENCIES = (
    "CNC-Fräsen",
    "Schweißen",
    "Rotorblattreparatur",
    "Photovoltaik-Montage",
    "Wärmepumpen",
    "Blechbearbeitung",
    "Pulverbeschichtung",
    "Steuerungstechnik",
    "Lagerlogistik",
    "Prüfdienstleistungen",
    "Energieberatung",
    "Holzrahmenbau",
    "Spritzguss",
    "Instandhaltung",
)
FUNCTIONS = ("Geschäftsführung", "Personalleitung", "Ausbildungsleitung", "Vertrieb", "Technische Leitung", "Einkauf", "Inhaber:in", "Assistenz")
REGIONS = ("Münsterland", "Emsland", "Ostwestfalen-Lippe", "Sauerland", "Niederrhein", "Bergisches Land", "Ruhrgebiet", "Südwestfalen")
MEETING_WORDS = ("Arbeitstreffen", "Koordinierungstreffen", "Transferworkshop", "Runder Tisch", "Betriebsbesichtigung", "AG Fachkräfte", "Netzwerkabend")
ORG_KINDS = ("company",) * 15 + ("research", "administration", "association", "consultancy", "multiplier")
ROLES = ("manufacturer", "supplier", "user", "user", "user", "research", "consultant", "multiplier", "administration")
STATUSES = ("active",) * 16 + ("paused", "prospect", "left", "active")


# --- the database -------------------------------------------------------------------------------------------------


def migrations_hash() -> str:
    """What the schema is made of: every migration file of the project and of the installed packages it pins."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(path.name.encode() + path.read_bytes())
    digest.update((ROOT / "uv.lock").read_bytes())
    return digest.hexdigest()[:10]


def migrated_template(url: str) -> str:
    """A migrated, empty database to copy (CREATE DATABASE … TEMPLATE): migrating from scratch takes over a minute."""
    name = f"verbund_bench_tpl_{migrations_hash()}"
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_tmp"')  # a half-migrated one of an interrupted run
        conn.execute(f'CREATE DATABASE "{name}_tmp"')
    env = {**os.environ, "DATABASE_URL": database_url(f"{name}_tmp", url), "DJANGO_SETTINGS_MODULE": "verbund.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}_tmp" RENAME TO "{name}"')
    return name


def prepare_database(url: str, scale: float, rebuild: bool) -> bool:
    """Create (or drop and create) the database, migrated; True when a world of `scale` is already there."""
    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and not rebuild:
            with psycopg.connect(url, autocommit=True) as db:
                has_marker = db.execute("SELECT to_regclass('bench_world') IS NOT NULL").fetchone()
                if has_marker and has_marker[0]:
                    row = db.execute("SELECT scale FROM bench_world ORDER BY built_at DESC LIMIT 1").fetchone()
                    if row and abs(row[0] - scale) < 1e-9:
                        return True
        if exists:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
            conn.execute(f'DROP DATABASE "{name}"')
    template = migrated_template(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return False


class Copier:
    """COPY rows into a model's table: the given columns from each row, every other column its model default."""

    def __init__(self, cursor, now: datetime) -> None:
        self.cursor = cursor
        self.now = now

    def next_id(self, model) -> int:
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return int(self.cursor.fetchone()[0])

    def defaults(self, model, given: Sequence[str]) -> tuple[list[str], list[Any]]:
        columns, values = [], []
        for field in model._meta.concrete_fields:
            if field.attname in given:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = self.now
            elif field.has_default():
                value = field.get_default()
                if isinstance(value, list | dict):
                    value = json.dumps(value)
            elif field.null:
                value = None
            elif field.primary_key:
                continue
            else:
                value = "" if field.get_internal_type() in {"CharField", "TextField", "EmailField", "SlugField", "URLField", "FileField"} else None
            columns.append(field.column)
            values.append(value)
        return columns, values

    def copy(self, model, given: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """`given` are attnames (e.g. "network_id"); rows hold them in that order. Returns the number of rows."""
        columns_given = [model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") and name != "id" else name).column for name in given]
        rest_columns, rest_values = self.defaults(model, given)
        table = model._meta.db_table
        count = 0
        with self.cursor.copy(f"COPY {table} ({', '.join(columns_given + rest_columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *rest_values))
                count += 1
        if "id" in given:
            self.cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))")
        return count


# --- the world ----------------------------------------------------------------------------------------------------


def counts_for(scale: float) -> dict[str, int]:
    organisations = max(60, round(50_000 * scale))
    return {
        "networks": max(OTHER_MEMBERSHIPS_PER_ORGANISATION + 2, round(200 * scale)),
        "organisations": organisations,
        "contacts_per_organisation": 3,
        "meetings": max(12, round(10_000 * scale)),
        "registrations": max(100, round(200_000 * scale)),
        "infobriefe": max(6, round(2_000 * scale)),
        "matrix_organisations": min(MATRIX_ORGANISATIONS, organisations),
        "big_meeting_registrations": min(BIG_MEETING_REGISTRATIONS, organisations),
    }


def build(scale: float, seed: int = 17) -> dict[str, Any]:
    """Fill the (migrated, empty) database Django is connected to. Returns what it made."""
    from allauth.mfa.models import Authenticator
    from django.db import connection, transaction
    from faker import Faker

    from events.models import ActionItem, Meeting, Registration
    from members.matching import search_fields
    from members.models import Contact, EconomicActivity, Membership, Organisation
    from newsletters.models import Infobrief
    from qualification.models import Need, Topic
    from verbund.models import FundingSource, ManagerRole, Network, User

    rng = random.Random(seed)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    n = counts_for(scale)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    started = time.perf_counter()
    places = [(fake.postcode(), fake.city(), fake.state()) for _ in range(1500)]
    districts = [f"Kreis {fake.city()}" for _ in range(60)]
    streets = [fake.street_name() for _ in range(800)]
    surnames = SURNAMES + [fake.last_name() for _ in range(1500)]
    firsts = list(FIRST_NAMES) + [fake.first_name() for _ in range(300)]
    activities = list(EconomicActivity.objects.filter(version=EconomicActivity.Version.WZ2008, level__gte=4).values_list("pk", flat=True)) or [None]

    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers per row: the generator keeps the relations
        copier = Copier(cursor, now)

        # Users: the manager (with TOTP, as the 2FA middleware asks of managers) and the member.
        manager = User.objects.create_user(email=MANAGER_EMAIL, password="bench-pass-1234", first_name="Martina", last_name="Böttcher")
        member_user = User.objects.create_user(email=MEMBER_EMAIL, password="bench-pass-1234", first_name="Jörg", last_name="Überall")
        Authenticator.objects.create(user=manager, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})

        # Networks: the big one (everyone), the matrix one, the rest.
        big = Network.objects.create(name="Bench-Großverbund Westfalen", slug=BIG_SLUG, region="Münsterland", meetings_per_year=4, kind="cluster")
        others = Network.objects.bulk_create(
            [
                Network(
                    name="Qualifizierungsverbund Bench" if i == 0 else f"Verbund {rng.choice(TRADES)} {rng.choice(REGIONS)} {i:03d}",
                    slug=QUALI_SLUG if i == 0 else f"bench-{i:03d}",
                    region=rng.choice(REGIONS),
                    kind="qualification" if i == 0 else rng.choice(["network", "cluster", "working_group"]),
                    meetings_per_year=rng.choice([None, 2, 4, 6]),
                )
                for i in range(n["networks"])
            ]
        )
        quali = others[0]
        networks = [big, *others]
        managed = [big, quali, *others[1 : MANAGED_NETWORKS - 1]]
        ManagerRole.objects.bulk_create([ManagerRole(user=manager, network=network, role="manager") for network in managed])
        FundingSource.objects.bulk_create(
            [
                FundingSource(network=network, kind=kind, year=year, amount=rng.randint(5, 200) * 1000, name=name)
                for network in networks
                for year in (today.year - 1, today.year)
                for kind, name in (("public_programme", "Landesförderung"), ("member_fees", "Mitgliedsbeiträge"))
            ]
        )

        # Organisations, with their folded search columns.
        org_first = copier.next_id(Organisation)
        org_ids = list(range(org_first, org_first + n["organisations"]))

        def organisations() -> Iterable[tuple]:
            for index, pk in enumerate(org_ids):
                if index == 0:
                    name = "Müller GmbH"
                elif index == 1:
                    name = "Mueller & Söhne Werkzeugbau GmbH & Co. KG"
                else:
                    surname = rng.choice(SURNAMES) if rng.random() < 0.4 else rng.choice(surnames)
                    name = " ".join(part for part in (surname, rng.choice(TRADES), rng.choice(LEGAL_FORMS)) if part)
                postcode, city, state = rng.choice(places)
                employees = rng.choice([None, rng.randint(1, 9), rng.randint(10, 49), rng.randint(50, 249), rng.randint(250, 3000)])
                organisation = Organisation(
                    name=name,
                    postcode=postcode,
                    municipality=city,
                    district=rng.choice(districts),
                    competencies=", ".join(rng.sample(COMPETENCIES, 2)),
                    profile=f"{rng.choice(TRADES)} aus {city}: {rng.choice(COMPETENCIES)} und {rng.choice(COMPETENCIES)} für Kunden in der Region.",
                )
                fields = search_fields(organisation)
                created = now - timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86399))
                yield (
                    pk,
                    name,
                    rng.choice(ORG_KINDS),
                    rng.choice(activities),
                    employees,
                    None if employees is None else rng.randint(1, 500) * 100_000,
                    f"{rng.choice(streets)} {rng.randint(1, 180)}",
                    postcode,
                    city,
                    organisation.district,
                    state,
                    f"https://www.{fields['search_name'].split(' ')[0]}-{pk}.de",
                    organisation.profile,
                    organisation.competencies,
                    fields["search_name"],
                    fields["search_text"],
                    created,
                    created,
                )

        copier.copy(
            Organisation,
            [
                "id",
                "name",
                "kind",
                "activity_id",
                "employees",
                "turnover",
                "street",
                "postcode",
                "municipality",
                "district",
                "state",
                "website",
                "profile",
                "competencies",
                "search_name",
                "search_text",
                "created_at",
                "updated_at",
            ],
            organisations(),
        )

        # Contacts: three per organisation, the first the primary one; contact pk = first + 3 × index + k.
        contact_first = copier.next_id(Contact)
        per = n["contacts_per_organisation"]

        def contact_id(org_index: int, k: int) -> int:
            return contact_first + per * org_index + k

        member_contact_index = 2  # an organisation of the big network ("Mueller & Söhne …"), first contact
        member_contact = contact_id(member_contact_index, 0)

        def contacts() -> Iterable[tuple]:
            for index, org in enumerate(org_ids):
                for k in range(per):
                    first, last = rng.choice(firsts), rng.choice(surnames)
                    pk = contact_id(index, k)
                    yield (
                        pk,
                        org,
                        rng.choice(["ms", "mr", "", "diverse"]),
                        "Dr." if rng.random() < 0.08 else "",
                        first,
                        last,
                        rng.choice(FUNCTIONS),
                        f"{first.lower()}.{last.lower()}.{pk}@beispiel-{org}.de".replace(" ", ""),
                        f"0{rng.randint(2000, 9999)} {rng.randint(10000, 999999)}",
                        k == 0,
                        member_user.pk if pk == member_contact else None,
                        now,
                        now,
                    )

        copier.copy(
            Contact,
            [
                "id",
                "organisation_id",
                "salutation",
                "title",
                "first_name",
                "last_name",
                "function",
                "email",
                "phone",
                "is_primary",
                "user_id",
                "created_at",
                "updated_at",
            ],
            contacts(),
        )

        # Memberships: everyone in the big network; 200 in the matrix network; four other networks each.
        members_of: dict[int, list[int]] = {network.pk: [] for network in networks}
        membership_rows: list[tuple] = []

        def add_membership(network_id: int, org_index: int) -> None:
            status = rng.choice(STATUSES)
            joined = today - timedelta(days=rng.randint(30, 3650))
            created = datetime.combine(joined, datetime.min.time(), tzinfo=UTC) + timedelta(seconds=rng.randint(0, 86399))
            membership_rows.append(
                (
                    network_id,
                    org_ids[org_index],
                    rng.choice(ROLES),
                    status,
                    joined,
                    joined + timedelta(days=rng.randint(1, 20)) if status == "left" else None,
                    rng.choice([None, 250, 500, 1200]),
                    created,
                    created,
                )
            )
            if status in ("active", "paused"):
                members_of[network_id].append(org_index)

        indices = list(range(n["organisations"]))
        for index in indices:
            add_membership(big.pk, index)
        for index in rng.sample(indices, n["matrix_organisations"]):
            add_membership(quali.pk, index)
        plain = others[1:]
        for index in indices:
            for network in rng.sample(plain, min(OTHER_MEMBERSHIPS_PER_ORGANISATION, len(plain))):
                add_membership(network.pk, index)
        # The member's organisation is a current member of the big network (and the people of the big meeting are).
        copier.copy(
            Membership,
            ["network_id", "organisation_id", "role", "status", "joined_on", "left_on", "annual_fee", "created_at", "updated_at"],
            membership_rows,
        )
        memberships = len(membership_rows)
        # Membership.sort_name is the organisation's folded name (what Membership.save writes).
        cursor.execute("UPDATE members_membership m SET sort_name = o.search_name FROM members_organisation o WHERE o.id = m.organisation_id")
        cursor.execute(
            "UPDATE members_membership SET status = 'active', left_on = NULL WHERE organisation_id = %s",
            [org_ids[member_contact_index]],
        )
        if member_contact_index not in members_of[big.pk]:
            members_of[big.pk].append(member_contact_index)

        # Meetings: spread over the networks and four years; the big network's first is the big upcoming meeting.
        meeting_first = copier.next_id(Meeting)
        meeting_rows: list[tuple] = []
        meeting_network: list[int] = []
        meeting_past: list[bool] = []
        for i in range(n["meetings"]):
            network = networks[i % len(networks)]
            if i == 0:
                starts = datetime.combine(today + timedelta(days=7), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
                title = BIG_MEETING_TITLE
            else:
                starts = (now - timedelta(days=rng.randint(-365, 3 * 365))).replace(minute=0, second=0)
                title = f"{rng.choice(MEETING_WORDS)} „{rng.choice(COMPETENCIES)}“ in {rng.choice(places)[1]}"
            past = starts < now
            status = "held" if past else rng.choice(["planned", "invited", "invited"])
            if rng.random() < 0.03:
                status = "cancelled"
            if i == 0:
                status = "invited"
            meeting_rows.append(
                (
                    meeting_first + i,
                    network.pk,
                    rng.choice(["working", "coordination", "workshop", "round_table", "site_visit"]),
                    title,
                    starts,
                    starts + timedelta(hours=rng.choice([2, 3, 4, 8])),
                    f"Technologiezentrum {rng.choice(places)[1]}",
                    f"{rng.choice(streets)} {rng.randint(1, 99)}",
                    None if i else 400,
                    status,
                    now,
                    now,
                )
            )
            meeting_network.append(network.pk)
            meeting_past.append(past)
        copier.copy(
            Meeting,
            ["id", "network_id", "kind", "title", "starts_at", "ends_at", "venue_name", "venue_address", "capacity", "status", "created_at", "updated_at"],
            meeting_rows,
        )
        big_meeting_id = meeting_first

        # Registrations: people of the networks' member organisations; 300 at the big meeting.
        per_meeting = max(1, (n["registrations"] - n["big_meeting_registrations"]) // max(1, n["meetings"] - 1))

        def registrations() -> Iterable[tuple]:
            for i in range(n["meetings"]):
                pool = members_of[meeting_network[i]]
                want = n["big_meeting_registrations"] if i == 0 else per_meeting
                chosen = rng.sample(pool, min(want, len(pool)))
                if i == 0 and member_contact_index not in chosen:
                    chosen[0] = member_contact_index
                past = meeting_past[i]
                for position, org_index in enumerate(chosen):
                    contact = contact_id(org_index, 0 if (i == 0 and org_index == member_contact_index) else rng.randrange(per))
                    if past:
                        status = "attended" if rng.random() < 0.8 else "no_show"
                    else:
                        status = rng.choice(["registered"] * 8 + ["waitlisted", "cancelled"])
                    consent = rng.random() < 0.7
                    created = now - timedelta(days=rng.randint(1, 60), seconds=position)
                    yield (meeting_first + i, contact, status, consent, consent and rng.random() < 0.5, "online" if consent else "", created, created)

        registration_count = copier.copy(
            Registration,
            ["meeting_id", "contact_id", "status", "consent_participant_list", "consent_photos", "consent_source", "created_at", "updated_at"],
            registrations(),
        )

        # Infobriefe: about ten a network (each network's newest a draft), the rest sent.
        copier.copy(
            Infobrief,
            ["network_id", "subject", "intro", "status", "sent_at", "created_at", "updated_at"],
            (
                (
                    networks[i % len(networks)].pk,
                    f"Infobrief {k + 1}/{today.year - k // 4} – Neues aus dem Verbund",
                    "Liebe Mitglieder, hier die Neuigkeiten aus Arbeitsgruppen, Förderung und Veranstaltungen.",
                    "draft" if k == 0 else "sent",
                    None if k == 0 else now - timedelta(days=30 * k),
                    now - timedelta(days=30 * k),
                    now - timedelta(days=30 * k),
                )
                for i in range(n["infobriefe"])
                for k in (i // len(networks),)
            ),
        )

        # Action items (to-dos): open, some overdue, some done, in every managed network.
        copier.copy(
            ActionItem,
            ["network_id", "meeting_id", "title", "owner_id", "due_on", "done_at", "created_at"],
            (
                (
                    network.pk,
                    None,
                    f"{rng.choice(['Protokoll versenden', 'Förderantrag prüfen', 'Referent:in anfragen', 'Raum buchen', 'Umfrage auswerten'])} ({k + 1})",
                    contact_id(rng.choice(members_of[network.pk] or [0]), 0),
                    today + timedelta(days=rng.randint(-40, 60)),
                    now if k % 3 == 2 else None,
                    now,
                )
                for network in managed
                for k in range(30)
            ),
        )

        # The qualification matrix: 40 topics, a need in about half of the 200 × 40 cells.
        topics = Topic.objects.bulk_create(
            [Topic(network=quali, title=f"Qualifizierungsthema {i + 1:02d}: {COMPETENCIES[i % len(COMPETENCIES)]}", position=i) for i in range(MATRIX_TOPICS)]
        )
        need_count = copier.copy(
            Need,
            ["network_id", "organisation_id", "topic_id", "priority", "head_count", "preferred_format", "updated_at"],
            (
                (quali.pk, org_ids[org_index], topic.pk, rng.randint(1, 3), rng.randint(1, 8), "in_house", now)
                for org_index in members_of[quali.pk]
                for topic in topics
                if rng.random() < 0.5
            ),
        )

        cursor.execute("CREATE TABLE IF NOT EXISTS bench_world (scale double precision NOT NULL, built_at timestamptz NOT NULL, summary jsonb NOT NULL)")
        summary = {
            "scale": scale,
            "networks": len(networks),
            "organisations": n["organisations"],
            "contacts": n["organisations"] * per,
            "memberships": memberships,
            "meetings": n["meetings"],
            "registrations": registration_count,
            "infobriefe": n["infobriefe"],
            "needs": need_count,
            "big_network": BIG_SLUG,
            "matrix_network": QUALI_SLUG,
            "managed_networks": [network.slug for network in managed],
            "big_meeting": big_meeting_id,
            "member_organisation": org_ids[member_contact_index],
            "sample_organisation": org_ids[len(org_ids) // 2],
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        cursor.execute("INSERT INTO bench_world (scale, built_at, summary) VALUES (%s, now(), %s)", [scale, json.dumps(summary)])
    return summary


def analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def read_summary(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT summary FROM bench_world ORDER BY built_at DESC LIMIT 1").fetchone()
    return dict(row[0]) if row else {}


def ensure(url: str, scale: float, rebuild: bool = False, quiet: bool = False) -> dict[str, Any]:
    """Build the world at `url` unless one of this scale is there; returns its summary."""
    if prepare_database(url, scale, rebuild):
        summary = read_summary(url)
        # A migration since the world was built (a new column, an index) is applied to it, then the statistics renewed.
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "verbund.settings"}
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "1"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        if "Applying" in migrate.stdout:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        if not quiet:
            print(f"world: reusing {database_name(url)} (scale {scale})")
        return summary
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verbund.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a no-op on the template's copy, unless a migration came since
    migrated = time.perf_counter() - started
    summary = build(scale)
    analyze(url)
    summary["migrate_seconds"] = round(migrated, 1)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / f"world-{database_name(url)}.json").write_text(json.dumps(summary, indent=2, default=str))
    if not quiet:
        print(f"world: built {database_name(url)} at scale {scale} in {summary['total_seconds']} s (migrate {migrated:.0f} s)")
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or f"{PG_DEFAULT}/verbund_bench")
    args = parser.parse_args(argv)
    summary = ensure(args.database_url, args.scale, args.rebuild)
    json.dump(summary, sys.stdout, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()


__all__ = ["BIG_SLUG", "MANAGER_EMAIL", "MEMBER_EMAIL", "QUALI_SLUG", "build", "counts_for", "ensure"]
