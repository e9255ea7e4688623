"""Benchmark (not a test): importing a realistic member list of 10,000 rows — upload, plan, write.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verbund_bench .venv/bin/python -m bench.importing --json OUT [--rows 10000] [--format csv|xlsx]
    .venv/bin/python -m bench.importing [--rows 10000] [--format csv|xlsx] [--pages]   (also scripts/bench_import.py)

With --json: one run in a child process on a fresh database `<name>_import` of the server in DATABASE_URL
(SQLite: a temporary file), written as import_10k_s (read + draft + plan + run), import_read_s, import_draft_s,
import_plan_s, import_run_s, import_write_s, import_cpu_s (the child's CPU time in those steps), import_rows, import_peak_rss_mib (the child's ru_maxrss, which
includes its migrate) and import_status, for `make bench` (var/bench/results.json).

Without --json it prints a table and runs on SQLite (a fresh file database in WAL mode, the embedded default) and, when DATABASE_URL
points at PostgreSQL, on a fresh database `<name>_bench_import` on that server as well. Each run
is a child process of its own: migrate, a network with 500 existing member companies, then the
file goes the way a manager's upload goes:

    read      read_table on the uploaded bytes (decoding, header detection, rows)
    draft     import_draft_create (the rows stored in the job)
    plan      job_plan: validation and duplicates, what the preview shows
    run       import_run: claim, plan again, write in bulk chunks, finish the job
      write   of which import_write (the inserts and their history)

The file looks like a hand-kept German list: title, first and last names, umlauts, phone numbers
in every notation, join dates as dd.mm.yyyy, fees as "1.200,50 €", about one row in ten a second
person of the same company, a few hundred rows for companies the network already has.
Prints the seconds of each step and the rows per second (the figures in docs/PERFORMANCE.md).
With --pages it goes through the pages of the embedded default instead (upload, mapping, preview,
confirm, the job page polled while a server thread writes, undo) and prints each request's time.
"""

# Django is imported after setup(), in the process that measures

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = [
    "Firma",
    "Straße",
    "PLZ",
    "Ort",
    "Land",
    "Anrede",
    "Titel",
    "Vorname",
    "Nachname",
    "Funktion",
    "E-Mail",
    "Telefon",
    "Rolle",
    "Status",
    "Jahresbeitrag",
    "Eintritt",
    "Bemerkungen",
]
FIRST = ["Käthe", "Jürgen", "Anna-Lena", "Björn", "Özlem", "Sören", "Maria", "Lukas", "Hannah", "Müslüm", "Renée", "Thomas", "Jörg", "Frieda"]
LAST = ["Müller", "Schäfer", "Höß", "Weiß", "Krüger", "Groß", "Öztürk", "Schmidt", "Becker", "Hoffmann", "Wagner", "Koch", "Bäcker", "Jäger"]
WORDS = ["Metall", "Holz", "Glas", "Kunststoff", "Elektro", "Maschinenbau", "Logistik", "Druck", "Textil", "Feinmechanik", "Solar", "Umwelt"]
FORMS = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e. K.", "UG (haftungsbeschränkt)", "OHG", "e. V."]
PLACES = [("48431", "Rheine"), ("48565", "Steinfurt"), ("48282", "Emsdetten"), ("49477", "Ibbenbüren"), ("01067", "Dresden"), ("80331", "München")]
ROLES = ["Hersteller", "Zulieferer", "Anwender", "Forschung", "Berater", "Multiplikator"]
STATUSES = ["Aktiv", "Aktiv", "Aktiv", "Interessent", "Ruhend"]


def ascii_initial(name: str) -> str:
    return name[:1].lower().translate(str.maketrans("äöüé", "aoue"))


def build_rows(count: int, existing: list[tuple[str, str]], rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    while len(rows) < count:
        i = len(rows)
        if existing and i % 40 == 7:  # a person for a company the network has already
            name, postcode = existing[i % len(existing)]
            place = dict(PLACES).get(postcode, "Rheine")
        else:
            postcode, place = PLACES[i % len(PLACES)]
            name = f"{rng.choice(WORDS)} {rng.choice(LAST)} {i:05d} {rng.choice(FORMS)}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        phone = rng.choice(["05971 {n}", "+49 5971 {n}", "(05971) {n}", "0 59 71 / {n}"]).format(n=rng.randint(10000, 9999999))
        row = [
            name,
            f"{rng.choice(['Hauptstraße', 'Industriestr.', 'Am Markt', 'Emsdettener Straße'])} {rng.randint(1, 200)}",
            postcode,
            place,
            "" if i % 25 else "Niederlande",
            rng.choice(["Frau", "Herr", ""]),
            rng.choice(["", "", "", "Dr.", "Prof. Dr."]),
            first,
            f"{last}-{i}",
            rng.choice(["Geschäftsführung", "Einkauf", "Personal", ""]),
            f"{ascii_initial(first)}.{i}@firma{i}.example",
            phone,
            rng.choice(ROLES),
            rng.choice(STATUSES),
            rng.choice(["", "250", "1.200,50 €", "480,00"]),
            "" if i % 6 == 0 else f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1995, 2025)}",
            rng.choice(["", "", "Gründungsmitglied", "Rechnung per Post"]),
        ]
        rows.append(row)
        if i % 10 == 3 and len(rows) < count:  # a second person of the same company
            second = list(row)
            second[7], second[8], second[10] = rng.choice(FIRST), f"{rng.choice(LAST)}-{i}b", f"zweite.{i}@firma{i}.example"
            rows.append(second)
    return rows


def file_bytes(rows: list[list[str]], fmt: str) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Mitglieder")
        sheet.append(["Mitgliederliste Stand 2026"])
        sheet.append([])
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def child(args: argparse.Namespace) -> None:
    """One measured run against the database in DATABASE_URL (already fresh); prints a JSON line."""
    import resource

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from members import imports
    from members.imports import jobs
    from members.models import Membership, Organisation
    from verbund.models import BackgroundJob, ManagerRole, Network, User

    rng = random.Random(13)
    network = Network.objects.create(name="Bench-Verbund", slug="bench")
    manager = User.objects.create_user(email="bench@example.org", password="x")
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    existing = Organisation.objects.bulk_create(
        [Organisation(name=f"Bestand {rng.choice(WORDS)} {i:04d} GmbH", postcode=PLACES[i % len(PLACES)][0]) for i in range(500)]
    )
    Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in existing])
    content = file_bytes(build_rows(args.rows, [(o.name, o.postcode) for o in existing], rng), args.format)

    timings: dict[str, float] = {}
    real_write = jobs.import_write

    def timed_write(**kwargs):
        started = time.perf_counter()
        try:
            return real_write(**kwargs)
        finally:
            timings["write"] = time.perf_counter() - started

    jobs.import_write = timed_write

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    cpu_started = cpu()
    started = time.perf_counter()
    table = imports.read_table(SimpleUploadedFile(f"mitglieder.{args.format}", content))
    timings["read"] = time.perf_counter() - started

    started = time.perf_counter()
    job = imports.import_draft_create(network=network, by=manager, table=table, filename=f"mitglieder.{args.format}")
    timings["draft"] = time.perf_counter() - started

    started = time.perf_counter()
    job = BackgroundJob.objects.get(pk=job.pk)
    plan = imports.job_plan(job)
    timings["plan"] = time.perf_counter() - started
    errors = len(plan.errors)

    started = time.perf_counter()
    imports.import_confirm(job=job, existing=imports.EXISTING_ADD_CONTACT, valid_only=bool(errors))
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(imports.import_run, job_id=job.pk)
        profiler.dump_stats(args.profile)
    else:
        imports.import_run(job_id=job.pk)
    timings["run"] = time.perf_counter() - started

    timings["cpu"] = cpu() - cpu_started
    job.refresh_from_db()
    result = {
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vendor": connection.vendor,
        "rows": len(table.rows),
        "bytes": len(content),
        "errors": errors,
        "status": job.status,
        "message": job.message,
        "timings": timings,
        "memberships": Membership.objects.filter(import_job=job).count(),
    }
    print("RESULT " + json.dumps(result))


def pages(args: argparse.Namespace) -> None:
    """The embedded default through its pages (SQLite file, eager tasks, the job in a server thread): seconds per request."""
    import re

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from verbund.background import threads_join
    from verbund.models import BackgroundJob, ManagerRole, Network, User

    assert settings.BACKGROUND_THREADS and settings.CELERY_TASK_ALWAYS_EAGER, "the embedded default runs jobs in a server thread"
    network = Network.objects.create(name="Bench-Verbund", slug="bench")
    manager = User.objects.create_user(email="bench@example.org", password="x")
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    client = Client()
    client.force_login(manager)
    content = file_bytes(build_rows(args.rows, [], random.Random(13)), args.format)
    base = "/manage/bench/io"

    def timed(label: str, method: str, url: str, data: dict | None = None, **headers: str):
        started = time.perf_counter()
        response = getattr(client, method)(url, data or {}, **headers)
        print(f"{label:<38} {response.status_code} {time.perf_counter() - started:6.2f} s")
        return response

    timed("upload", "post", f"{base}/import/", {"file": SimpleUploadedFile(f"mitglieder.{args.format}", content)})
    job = BackgroundJob.objects.latest("pk")
    timed("mapping", "post", f"{base}/import/{job.pk}/mapping/", {f"col_{index}": key for key, index in job.params["mapping"].items()})
    timed("preview (plans every row)", "get", f"{base}/import/{job.pk}/preview/")
    timed("confirm (returns, the thread writes)", "post", f"{base}/import/{job.pk}/confirm/", {"existing": "add_contact"})
    started, polls = time.perf_counter(), []
    while True:
        poll_started = time.perf_counter()
        response = client.get(f"{base}/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        found = re.search(r"(\d+) von (\d+) Zeilen", response.content.decode())
        polls.append((time.perf_counter() - started, found.group(1) if found else "fertig", time.perf_counter() - poll_started))
        if response.status_code == 286:
            break
        time.sleep(1)
    threads_join(60)
    print(f"{'job page polls (htmx)':<38} {len(polls)} polls, slowest {max(p[2] for p in polls):.2f} s; done seen: {', '.join(p[1] for p in polls)}")
    timed("job page, finished", "get", f"{base}/jobs/{job.pk}/")
    timed("undo confirmation page", "get", f"{base}/import/{job.pk}/undo/")
    timed("undo (everything to the trash)", "post", f"{base}/import/{job.pk}/undo/")


def fresh_postgres(url: str, suffix: str = "_bench_import") -> str:
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "verbund") + suffix
    server = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def run_child(args: argparse.Namespace, env: dict[str, str]) -> tuple[dict | None, str]:
    """One measured run in a child process of its own; its RESULT line, or None and the end of its stderr."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.importing", "--child", "--rows", str(args.rows), "--format", args.format]
        + (["--profile", str(Path(args.profile).resolve())] if args.profile else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((row for row in output.stdout.splitlines() if row.startswith("RESULT ")), None)
    if line is None:
        return None, output.stderr[-3000:]
    return json.loads(line.removeprefix("RESULT ")), ""


def figures(result: dict) -> dict[str, object]:
    """The keys of var/bench/results.json for one run."""
    t = result["timings"]
    return {
        "import_10k_s": round(t["read"] + t["draft"] + t["plan"] + t["run"], 2),
        "import_read_s": round(t["read"], 2),
        "import_draft_s": round(t["draft"], 2),
        "import_plan_s": round(t["plan"], 2),
        "import_run_s": round(t["run"], 2),
        "import_write_s": round(t.get("write", 0.0), 2),
        "import_cpu_s": round(t.get("cpu", 0.0), 2),  # the child's CPU time in these steps: less disturbed by other load
        "import_rows": result["rows"],
        "import_peak_rss_mib": round(result["peak_rss_mib"], 1),
        "import_status": result["status"],
        "import_vendor": result["vendor"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", metavar="OUT", help="one run on a fresh `<name>_import` database; figures to this file")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--profile", metavar="FILE", help="cProfile statistics of the run step (claim, plan, write) to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pages", action="store_true", help="the embedded default through its pages instead of the steps")
    parser.add_argument("--pages-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.pages_child:
        pages(args)
        return

    tmp = tempfile.mkdtemp(prefix="bench-import-")
    env_base = {
        **os.environ,
        "DEBUG": os.environ.get("DEBUG", "false"),
        "ALLOWED_HOSTS": "localhost",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-" + os.urandom(16).hex(),
        "REDIS_URL": "",
        "MEDIA_ROOT": tmp,
        "DJANGO_SETTINGS_MODULE": "verbund.settings",
        "BACKGROUND_THREADS": "false",
    }
    if args.json:
        url = os.environ.get("DATABASE_URL", "")
        database_url = fresh_postgres(url, "_import") if url.startswith("postgres") else f"sqlite:///{tmp}/bench.sqlite3"
        result, error = run_child(args, {**env_base, "DATABASE_URL": database_url})
        if result is None:
            sys.exit(f"import benchmark failed:\n{error}")
        out = figures(result)
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(json.dumps(out, indent=2))
        return
    targets = [("SQLite (file, WAL)", f"sqlite:///{tmp}/bench.sqlite3")]
    if (url := os.environ.get("DATABASE_URL", "")).startswith("postgres") and not args.sqlite_only:
        targets.append(("PostgreSQL", fresh_postgres(url)))
    if args.pages:
        print(f"{args.rows:,} rows ({args.format}), the embedded default through its pages")
        env = {**env_base, "DATABASE_URL": targets[0][1], "BACKGROUND_THREADS": "true", "DEBUG": "true", "ALLOWED_HOSTS": "testserver"}
        subprocess.run(
            [sys.executable, "-m", "bench.importing", "--pages-child", "--rows", str(args.rows), "--format", args.format], cwd=ROOT, env=env, check=False
        )
        return
    print(f"{args.rows:,} rows ({args.format}); seconds per step")
    print(f"{'database':<20} {'read':>6} {'draft':>6} {'plan':>6} {'run':>7} {'(write)':>8} {'total':>7} {'rows/s':>7}  result")
    for label, database_url in targets:
        result, error = run_child(args, {**env_base, "DATABASE_URL": database_url})
        if result is None:
            print(f"{label:<20} failed:\n{error}")
            continue
        t = result["timings"]
        total = t["read"] + t["draft"] + t["plan"] + t["run"]
        print(
            f"{label:<20} {t['read']:6.1f} {t['draft']:6.1f} {t['plan']:6.1f} {t['run']:7.1f} {t.get('write', 0):8.1f} {total:7.1f} {result['rows'] / total:7.0f}"
            f"  {result['status']}: {result['message']}"
        )


if __name__ == "__main__":
    main()
