"""Benchmark (not a test): the duplicate search at a few thousand organisations.

Usage (PostgreSQL running on 127.0.0.1):
    .venv/bin/python scripts/bench_duplicates.py [--organisations 5000] [--runs 5] [--database verbund_bench_duplicates]

It creates a database of its own, migrates it, builds one network with the given number of member
organisations (two contacts each, 1 % planted duplicates: another legal form, "Str." for "Straße",
umlauts spelled out), then times the network's pairs (members.duplicates.organisation_pairs and
contact_pairs), the create form's check (organisation_candidates, what a POST to "Organisation anlegen"
adds) and the whole "Dubletten" page as a logged-in manager. Prints the median and worst time, the
number of queries, and how many planted duplicates were found.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = ["ber", "gen", "hol", "kamp", "lin", "mer", "ost", "rhe", "stein", "tal", "wer", "zell", "bro", "dorf", "feld", "hau", "kir", "ling"]
TRADES = ["Metallbau", "Elektrotechnik", "Holzbau", "Kunststofftechnik", "Logistik", "Beratung", "Druckerei", "Glaserei", "Textil", "Maschinenbau"]
FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e. K.", "UG (haftungsbeschränkt)", "OHG"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gewerbering", "Am Markt", "Kirchweg", "Emsstraße"]


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="verbund_bench_duplicates")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ.update(
        {
            "DATABASE_URL": f"{args.pg}/{args.database}",
            "REDIS_URL": "",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-duplicates-"),
            "DJANGO_SETTINGS_MODULE": "verbund.settings",
            "ALLOWED_HOSTS": "testserver,localhost",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from members.duplicates import OrganisationProbe, contact_pairs, organisation_candidates, organisation_pairs
    from members.matching import search_fields
    from members.models import Contact, Membership, Organisation
    from verbund.models import ManagerRole, Network, User

    call_command("migrate", verbosity=0)
    rng = random.Random(13)
    network = Network.objects.create(name="Bench", slug="bench")
    manager = User.objects.create_user(email="bench@example.org", password="bench-password-1")
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)

    rows, planted = [], []
    for i in range(args.organisations):
        stem = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        name = f"{stem} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        rows.append(Organisation(name=name, street=street, postcode=f"{rng.randint(10000, 99999)}", municipality="Ort"))
        if i % 100 == 0:  # the same company entered again: another legal form, "Str.", umlauts spelled out
            twin = name.rsplit(" ", 1)[0].replace("ü", "ue") + " GmbH & Co. KG"
            rows.append(Organisation(name=twin, street=street.replace("straße", "str."), postcode=rows[-1].postcode, municipality="Ort"))
            planted.append((name, twin))
    for organisation in rows:
        fields = search_fields(organisation)
        organisation.search_name, organisation.search_text = fields["search_name"], fields["search_text"]
    created = Organisation.objects.bulk_create(rows, batch_size=2000)
    Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in created], batch_size=2000)
    people = []
    for organisation in created:
        domain = "-".join(organisation.name.lower().split()[:2]) + ".example"
        people.append(Contact(organisation=organisation, first_name="Eva", last_name=rng.choice(["Müller", "Schulte", "Meyer", "Kock"]), email=f"eva@{domain}"))
        people.append(
            Contact(organisation=organisation, first_name="Jan", last_name=rng.choice(["Berg", "Brand", "Koch"]), phone=f"+49 5971 {rng.randint(10000, 99999)}")
        )
    Contact.objects.bulk_create(people, batch_size=2000)
    print(f"{len(created)} organisations, {len(people)} contacts, {len(planted)} planted duplicates")

    def report(label: str, work: Callable[[], object]) -> object:
        with CaptureQueriesContext(connection) as queries:
            work()
        median, worst, result = timed(args.runs, work)
        print(f"{label:<48} median {median:8.1f} ms  worst {worst:8.1f} ms  {len(queries)} queries")
        return result

    pairs = report("organisation_pairs (the Dubletten page's list)", lambda: organisation_pairs(network, limit=10_000))
    found = {(p.first.name, p.second.name) for p in pairs}  # type: ignore[attr-defined]
    print(f"  planted duplicates found: {sum(1 for pair in planted if pair in found)} of {len(planted)}; pairs listed: {len(found)}")
    report("contact_pairs", lambda: contact_pairs(network))
    proposal = OrganisationProbe.build(name=planted[0][0].replace("ü", "ue"), street="Hauptstr. 5", postcode="48431")
    report("organisation_candidates (the create form's check)", lambda: organisation_candidates(proposal, networks=[network]))
    client = Client()
    client.force_login(manager)
    url = reverse("duplicates:index", args=[network.slug])
    assert client.get(url).status_code == 200
    # The request's own queries are not counted here (the handler closes the connection at its end).
    report("GET the Dubletten page", lambda: client.get(url))


if __name__ == "__main__":
    main()
