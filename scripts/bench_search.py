"""Benchmark (not a test): the member directory's search at 50,000 organisations in one network, on PostgreSQL.

Usage (PostgreSQL on 127.0.0.1):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verbund_h3 .venv/bin/python scripts/bench_search.py [--organisations 50000] [--runs 11]

It migrates the database named in DATABASE_URL, builds (once; `--rebuild` to start over) one network with N
organisations with realistic German names (Faker de_DE, the common surnames as often as in Germany, some spelled
"Mueller"), places, postcodes and competencies, each with its folded search columns (members.matching.search_fields),
with bulk_create. Then it renders the directory page through the test client for a few searches and prints, for each,
the median and worst time, the number of queries, the hit count and where the expected organisation stands
(the figures in docs/PERFORMANCE.md). Also: the place dropdown cold and cached, deep paging and search everywhere.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMON_SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
]
TRADES = [
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
]
LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e. K.", "UG (haftungsbeschränkt)", "OHG", "GbR", ""]
COMPETENCIES = [
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
]


def build(network, count: int, seed: int = 13) -> None:
    from faker import Faker

    from members.matching import search_fields
    from members.models import Membership, Organisation

    fake = Faker("de_DE")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    places = [(fake.postcode(), fake.city()) for _ in range(1500)]
    batch: list[Organisation] = []

    def flush() -> None:
        created = Organisation.objects.bulk_create(batch, batch_size=2000)
        Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in created], batch_size=2000)
        batch.clear()

    names = ["Müller GmbH", "Höß Metallbau GmbH", "Mueller & Söhne Werkzeugbau GmbH & Co. KG"]
    for i in range(count):
        if i < len(names):
            name = names[i]
        elif rng.random() < 0.35:
            name = fake.company()
        else:
            surname = rng.choice(COMMON_SURNAMES) if rng.random() < 0.4 else fake.last_name()
            if surname == "Müller" and rng.random() < 0.1:
                surname = "Mueller"
            name = " ".join(part for part in (surname, rng.choice(TRADES), rng.choice(LEGAL_FORMS)) if part)
        postcode, city = rng.choice(places)
        organisation = Organisation(
            name=name[:200],
            postcode=postcode,
            municipality=city,
            street=fake.street_address(),
            employees=rng.choice([None, rng.randint(1, 9), rng.randint(10, 49), rng.randint(50, 400)]),
            competencies=", ".join(rng.sample(COMPETENCIES, 2)),
            profile=fake.sentence(nb_words=14),
        )
        fields = search_fields(organisation)
        organisation.search_name, organisation.search_text = fields["search_name"], fields["search_text"]
        batch.append(organisation)
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/verbund_h3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verbund.settings")
    os.environ["DEBUG"] = "true"  # the test client's host; no HTTPS redirect
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from members.models import Organisation
    from members.selectors import municipalities
    from verbund.models import ManagerRole, Network, User

    assert connection.vendor == "postgresql", "the figures are for PostgreSQL (DATABASE_URL)"
    setup_test_environment()
    call_command("migrate", verbosity=0)
    network = Network.objects.filter(slug="bench-search").first()
    if network and (args.rebuild or network.memberships.count() != args.organisations):
        Organisation.objects.filter(memberships__network=network).delete()
        network.delete()
        network = None
    if network is None:
        network = Network.objects.create(name="Bench-Suche", slug="bench-search")
        start = time.perf_counter()
        build(network, args.organisations)
        print(f"built {args.organisations} organisations in {time.perf_counter() - start:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_organisation")
            cursor.execute("ANALYZE members_membership")
    manager, _ = User.objects.get_or_create(email="bench-search@example.org")
    ManagerRole.objects.get_or_create(user=manager, network=network, defaults={"role": ManagerRole.Role.MANAGER})
    client = Client()
    client.force_login(manager)
    url = f"/manage/{network.slug}/organisations/"

    def measure(label: str, path: str, params: dict, expect: str | None = None, headers: dict | None = None) -> None:
        times = []
        for run in range(args.runs + 1):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(path, params, **(headers or {}))
                elapsed = time.perf_counter() - start
            assert response.status_code == 200, (path, params, response.status_code)
            if run:  # the first run warms the caches of PostgreSQL and the template engine
                times.append(elapsed)
        text = response.content.decode()
        count = re.search(r'class="hit-count">(\d[\d.]*)', text)
        where = ""
        if expect is not None:
            page = [m.organisation.name for m in response.context["page"]] if response.context and "page" in response.context else []
            where = f"   '{expect}' at {page.index(expect) + 1 if expect in page else 'not on page 1'}"
        print(
            f"  {label:<34} median {statistics.median(times) * 1000:6.0f} ms   worst {max(times) * 1000:6.0f} ms"
            f"   {len(captured):2d} queries   {count.group(1) if count else '':>7} hits{where}"
        )

    print(f"{network.memberships.count()} organisations in one network, {args.runs} runs each (median after one warm-up)")
    measure("no search, page 1", url, {})
    measure("no search, page 1000", url, {"page": 1000})
    measure("exact full name 'Müller GmbH'", url, {"q": "Müller GmbH"}, expect="Müller GmbH")
    measure("umlaut variant 'Mueller GmbH'", url, {"q": "Mueller GmbH"}, expect="Müller GmbH")
    measure("spelled out 'Hoess Metallbau GmbH'", url, {"q": "Hoess Metallbau GmbH"}, expect="Höß Metallbau GmbH")
    measure("prefix 'Müll'", url, {"q": "Müll"})
    measure("common word 'GmbH'", url, {"q": "GmbH"})
    measure("competency 'rotorblatt'", url, {"q": "rotorblatt"})
    measure("two words 'schmidt metallbau'", url, {"q": "schmidt metallbau"})
    measure("typo 'Mülller GmbH'", url, {"q": "Mülller GmbH"}, expect="Müller GmbH")
    measure(
        "htmx results 'Müller GmbH'",
        url,
        {"q": "Müller GmbH"},
        expect="Müller GmbH",
        headers={"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "directory-results"},
    )
    measure("search everywhere 'Müller'", "/search/", {"q": "Müller"})

    times_cold, times_warm = [], []
    for _ in range(args.runs):
        cache.clear()
        start = time.perf_counter()
        places = municipalities(network)
        times_cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        municipalities(network)
        times_warm.append(time.perf_counter() - start)
    print(
        f"  {'place dropdown (DISTINCT) cold':<34} median {statistics.median(times_cold) * 1000:6.0f} ms"
        f"   cached {statistics.median(times_warm) * 1000:6.1f} ms   {len(places)} places"
    )


if __name__ == "__main__":
    main()
