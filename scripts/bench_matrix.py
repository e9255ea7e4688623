"""Benchmark (not a test): the qualification matrix of 200 organisations × 40 topics — page, htmx partial, exports.

Usage (PostgreSQL running on 127.0.0.1):
    .venv/bin/python scripts/bench_matrix.py [--organisations 200] [--topics 40] [--runs 10]

It creates a database of its own (verbund_bench_matrix), migrates it, builds one
network with the given members and topics and a need in about half of the cells,
then requests as a logged-in manager (Django's test client, full middleware
stack): the heat-map page, its htmx partial (what a cell save reloads), one cell's
editor, the alignment page, and the XLSX and PDF exports. Prints the median and
worst time and the number of queries of each (the figures in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database", default="verbund_bench_matrix")
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
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-matrix-"),
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

    call_command("migrate", verbosity=0)
    from members.models import Membership, Organisation
    from qualification import exports

    exports.INLINE_PDF_CELLS = 10**9  # measure the rendering itself; the portal hands matrices this large to a background job
    from qualification.models import Need, Topic
    from verbund.models import ManagerRole, Network, User

    rng = random.Random(2013)
    network = Network.objects.create(name="Bench-Verbund", slug="bench")
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Firma {i:03d} GmbH", municipality=rng.choice(["Rheine", "Steinfurt", "Emsdetten", "Ibbenbüren"]))
            for i in range(args.organisations)
        ]
    )
    Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in organisations])
    topics = Topic.objects.bulk_create([Topic(network=network, title=f"Qualifizierungsthema {i:02d}", position=i) for i in range(args.topics)])
    Need.objects.bulk_create(
        [
            Need(network=network, organisation=o, topic=t, priority=rng.randint(1, 3), head_count=rng.randint(1, 8), preferred_format="in_house")
            for o in organisations
            for t in topics
            if rng.random() < 0.5
        ]
    )
    manager = User.objects.create_user(email="bench@example.org", password="x")
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    client = Client()
    client.force_login(manager)
    base = "/manage/bench/qualification/"
    targets = [
        ("heat map page", base + "matrix/", {}),
        ("heat map htmx partial", base + "matrix/", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "matrix-results"}),
        ("one cell's editor (htmx)", f"{base}matrix/{organisations[7].pk}/{topics[3].pk}/", {"HTTP_HX_REQUEST": "true"}),
        ("alignment", base + "alignment/", {}),
        ("XLSX export", base + "matrix/export.xlsx", {}),
        ("PDF export", base + "matrix/export.pdf", {}),
    ]
    print(f"{args.organisations} organisations × {args.topics} topics, {Need.objects.count()} needs, {args.runs} runs each")
    for label, url, headers in targets:
        runs = args.runs if "PDF" not in label else max(2, args.runs // 5)
        times, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, **headers)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        print(
            f"  {label:<28} median {statistics.median(times) * 1000:8.0f} ms   worst {max(times) * 1000:8.0f} ms   {queries:3d} queries   {len(response.content) // 1024 if not hasattr(response, 'streaming_content') else 0:6d} KiB"
        )


if __name__ == "__main__":
    main()
