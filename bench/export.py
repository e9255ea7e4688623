"""Benchmark (not a test): the member export of one network with 50,000 organisations, CSV and XLSX, on PostgreSQL.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verbund_bench .venv/bin/python -m bench.export --json OUT [--organisations 50000] [--rebuild]

It migrates a database `<name>_export` of the server in DATABASE_URL (created when missing) and builds there, once
(again with --rebuild or another --organisations), one network with N member organisations (German names, places,
streets, roles, statuses, join dates, fees; reusing bench_search's names) and three contacts each, one of them the
primary contact, with bulk_create. Then, for each format, the export as a manager starts it: the directory's
export link through the test client (the request records the job with its ids; the broker is left out), and the
job the way a Celery worker runs it, `members.tasks.export_job_task(job_id)`, in a child process of its own, so
its peak RSS is that process's ru_maxrss (a Celery prefork child is such a process; the figure includes Django).

Writes export_50k_csv_s, export_50k_xlsx_s, export_50k_s (the slower), export_50k_csv_cpu_s and export_50k_xlsx_cpu_s
(the job process's CPU time, which other load on the machine disturbs less), export_peak_rss_mib (the larger),
export_50k_start_s (the slower request), export_50k_csv_mib and export_50k_xlsx_mib (file sizes) as JSON.
"""

# Django is imported after setup(), in the process that measures

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_search import COMMON_SURNAMES, LEGAL_FORMS, TRADES  # noqa: E402

NETWORK_SLUG = "bench-export"
FUNCTIONS = ["Geschäftsführung", "Einkauf", "Personal", "Vertrieb", "Technische Leitung", "Ausbildung", ""]
TITLES = ["", "", "", "", "Dr.", "Prof. Dr.", "Dipl.-Ing."]
STATES = ["Nordrhein-Westfalen", "Niedersachsen", "Bayern", "Sachsen", "Baden-Württemberg", "Hessen"]
DISTRICTS = ["Kreis Steinfurt", "Kreis Borken", "Kreis Warendorf", "Münster", "Landkreis Emsland", "Kreis Coesfeld"]


def build(network, count: int, seed: int = 17) -> None:
    """N organisations, each a member of `network` with three contacts (the first one primary), in bulk."""
    from faker import Faker

    from members.matching import search_fields
    from members.models import Contact, Membership, Organisation

    fake = Faker("de_DE")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    places = [(fake.postcode(), fake.city()) for _ in range(1500)]
    streets = [fake.street_name() for _ in range(3000)]
    first_names = [fake.first_name() for _ in range(600)]
    last_names = [fake.last_name() for _ in range(1500)] + COMMON_SURNAMES * 20
    phone_shapes = ["05971 {n}", "+49 5971 {n}", "(0251) {n}", "0 59 71 / {n}", "+49 (0) 251 {n}", "0171 {n}"]
    kinds = [k for k, _ in Organisation.Kind.choices]
    roles = [r for r, _ in Membership.Role.choices]
    statuses = [Membership.Status.ACTIVE] * 6 + [Membership.Status.PROSPECT, Membership.Status.PAUSED, Membership.Status.LEFT]
    salutations = ["ms", "mr", "mr", "ms", "", "diverse"]
    start = date(1995, 1, 1)

    organisations: list[Organisation] = []

    def flush() -> None:
        created = Organisation.objects.bulk_create(organisations, batch_size=2000)
        memberships, contacts = [], []
        for organisation in created:
            status = rng.choice(statuses)
            joined = None if rng.random() < 0.15 else start + timedelta(days=rng.randint(0, 11000))
            left = joined + timedelta(days=rng.randint(30, 2000)) if status == Membership.Status.LEFT and joined else None
            memberships.append(
                Membership(
                    organisation=organisation,
                    network=network,
                    sort_name=organisation.search_name,
                    role=rng.choice(roles),
                    status=status,
                    joined_on=joined,
                    left_on=left,
                    annual_fee=rng.choice([None, Decimal("250.00"), Decimal("480.00"), Decimal("1200.50"), Decimal("3000.00")]),
                )
            )
            domain = f"firma{organisation.pk}.example"
            for index in range(3):
                first, last = rng.choice(first_names), rng.choice(last_names)
                contacts.append(
                    Contact(
                        organisation=organisation,
                        salutation=rng.choice(salutations),
                        title=rng.choice(TITLES),
                        first_name=first,
                        last_name=last,
                        function=rng.choice(FUNCTIONS),
                        email=f"{first[:1].lower()}.{index}@{domain}".encode("ascii", "ignore").decode() if rng.random() < 0.9 else "",
                        phone=rng.choice(phone_shapes).format(n=rng.randint(10000, 9999999)) if rng.random() < 0.85 else "",
                        is_primary=index == 0,
                    )
                )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        Contact.objects.bulk_create(contacts, batch_size=3000)
        organisations.clear()

    for i in range(count):
        if rng.random() < 0.35:
            name = fake.company()
        else:
            surname = rng.choice(COMMON_SURNAMES) if rng.random() < 0.4 else rng.choice(last_names)
            name = " ".join(part for part in (surname, rng.choice(TRADES), rng.choice(LEGAL_FORMS)) if part)
        postcode, city = rng.choice(places)
        organisation = Organisation(
            name=name[:200],
            kind=kinds[0] if rng.random() < 0.8 else rng.choice(kinds),
            postcode=postcode,
            municipality=city,
            district=rng.choice(DISTRICTS),
            state=rng.choice(STATES),
            street=f"{rng.choice(streets)} {rng.randint(1, 220)}",
            website="" if rng.random() < 0.3 else f"https://www.firma{i}.example",
            employees=rng.choice([None, rng.randint(1, 9), rng.randint(10, 49), rng.randint(50, 400)]),
            profile="Mittelständischer Betrieb mit eigener Fertigung, Ausbildungsbetrieb seit vielen Jahren.",
        )
        fields = search_fields(organisation)
        organisation.search_name, organisation.search_text = fields["search_name"], fields["search_text"]
        organisations.append(organisation)
        if len(organisations) >= 5000:
            flush()
    if organisations:
        flush()


def run_job(job_id: int, profile: str | None = None) -> None:
    """The child: the export job as a Celery worker runs it; prints a RESULT line with its seconds and peak RSS."""
    import resource

    import django

    django.setup()
    from members.tasks import export_job_task
    from verbund.models import BackgroundJob

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    if profile:
        import cProfile

        cProfile.runctx("export_job_task(job_id)", globals(), {"export_job_task": export_job_task, "job_id": job_id}, profile)
    else:
        export_job_task(job_id)
    seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
    job = BackgroundJob.objects.get(pk=job_id)
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # this process's CPU time: less sensitive than `seconds` to other load on the machine
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "status": job.status,
        "message": job.message,
        "bytes": job.result_file.size if job.result_file else 0,
    }
    print("RESULT " + json.dumps(result))


def database_for(url: str) -> str:
    """`<name>_export` on the server of DATABASE_URL, created when missing (kept between runs: the world takes a while)."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "verbund") + "_export"
    server = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--profile", metavar="PREFIX", help="cProfile statistics of each job to PREFIX-<format>.prof")
    parser.add_argument("--run-job", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_job:
        run_job(args.run_job, args.profile)
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench.export measures PostgreSQL: set DATABASE_URL=postgres://…")
    media = tempfile.mkdtemp(prefix="bench-export-")
    env = {
        **os.environ,
        "DATABASE_URL": database_for(url),
        "DJANGO_SETTINGS_MODULE": "verbund.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "MFA_REQUIRED_FOR_MANAGERS": "false",
        "REDIS_URL": "",
        "BACKGROUND_THREADS": "false",
        "MEDIA_ROOT": media,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise without collectstatic: the export needs no static files

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from members.models import Organisation
    from verbund.models import BackgroundJob, ManagerRole, Network, User

    call_command("migrate", verbosity=0)
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    if network and (args.rebuild or network.memberships.count() != args.organisations):
        Organisation.objects.filter(memberships__network=network).delete()
        network.delete()
        network = None
    if network is None:
        network = Network.objects.create(name="Bench-Export", slug=NETWORK_SLUG)
        started = time.perf_counter()
        build(network, args.organisations)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {args.organisations:,} organisations with {3 * args.organisations:,} contacts in {time.perf_counter() - started:.0f} s")
    manager, _ = User.objects.get_or_create(email="bench-export@example.org")
    ManagerRole.objects.get_or_create(user=manager, network=network, defaults={"role": ManagerRole.Role.MANAGER})
    client = Client()
    client.force_login(manager)

    # Warm-up: the first request of a process imports the URLconf and the views (an unknown format redirects, renders nothing).
    client.get(f"/manage/{network.slug}/io/export/", {"format": "none"})
    figures: dict[str, object] = {}
    for fmt in args.formats.split(","):
        started = time.perf_counter()
        with mock.patch("members.exports.job_enqueue") as enqueue:  # the request records the job; the worker below runs it
            response = client.get(f"/manage/{network.slug}/io/export/", {"format": fmt})
        start_seconds = time.perf_counter() - started
        job = enqueue.call_args.args[0]
        assert response.status_code == 302 and job.total == args.organisations, (response.status_code, job.total)
        connection.close()
        output = subprocess.run(
            [sys.executable, "-m", "bench.export", "--run-job", str(job.pk)]
            + (["--profile", f"{Path(args.profile).resolve()}-{fmt}.prof"] if args.profile else []),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        line = next((row for row in output.stdout.splitlines() if row.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"export job {fmt} failed:\n{output.stderr[-3000:]}")
        result = json.loads(line.removeprefix("RESULT "))
        if result["status"] != BackgroundJob.Status.DONE:
            sys.exit(f"export job {fmt}: {result['status']} {result['message']}\n{output.stderr[-3000:]}")
        print(
            f"{fmt:<5} {args.organisations:,} rows: request {start_seconds:5.2f} s, job {result['seconds']:6.2f} s (CPU {result['cpu_seconds']:6.2f} s),"
            f" peak RSS {result['peak_rss_mib']:6.1f} MiB, file {result['bytes'] / 2**20:5.1f} MiB"
        )
        figures[f"export_50k_{fmt}_s"] = round(result["seconds"], 2)
        figures[f"export_50k_{fmt}_cpu_s"] = round(result["cpu_seconds"], 2)
        figures[f"export_50k_{fmt}_rss_mib"] = round(result["peak_rss_mib"], 1)
        figures[f"export_50k_{fmt}_mib"] = round(result["bytes"] / 2**20, 2)
        figures[f"export_50k_{fmt}_start_s"] = round(start_seconds, 3)
    formats = args.formats.split(",")
    for key, per_format in (
        ("export_50k_s", "export_50k_{}_s"),
        ("export_peak_rss_mib", "export_50k_{}_rss_mib"),
        ("export_50k_start_s", "export_50k_{}_start_s"),
    ):
        figures[key] = max(float(str(figures[per_format.format(fmt)])) for fmt in formats)
    figures["export_organisations"] = args.organisations
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
