"""Benchmark (not a test): the documentation PDF of a one-day workshop and the 200 × 40 matrix PDF (issue 17).

Usage (PostgreSQL and Redis running):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verbund REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python -m bench.pdf --json var/bench/pdf.json

It (re)creates a database of its own on DATABASE_URL's server, named after it with `_pdf`
appended, migrates it, and builds one meeting with the documentation of a one-day workshop:
a programme of 12 items with summaries, a Kurzprotokoll, action items, two funder logos,
12 photos (1600 × 1200 JPEG and PNG made with Pillow, uploaded through `attachment_add`)
and 60 participants who agreed to the list. Then:

- click-to-file: a real Celery worker (solo pool, its own queue on REDIS_URL) is started;
  a manager's POST to the "render documentation" URL goes through the view and
  `document_request`, which enqueues on commit; the worker renders into the document row
  and its file; the benchmark polls the row and downloads the file as the manager would.
  The first click after the worker started is reported as `pdf_click_to_file_cold_s`, the
  median of the next ones (each after an edit, so the document is stale) as
  `pdf_click_to_file_s`;
- peak RSS of the worker process that rendered (VmHWM from /proc while it runs, and
  `ru_maxrss` from `wait4` when it ends: the larger);
- warm render: `document_render` (the worker's code path) in this process after a warm-up,
  against `weasyprint.HTML(string=html).write_pdf()` on the HTML that path produces;
- the qualification matrix PDF of 200 organisations × 40 topics through the export view
  (as scripts/bench_matrix.py: in the request, the background-job threshold lifted).

Writes one flat JSON object (seconds, MiB, pages) to --json and prints it.
"""

# Django is imported after the environment of the run is set up

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

PHOTOS = 12
PARTICIPANTS = 60

# What each key means; `pdf_ratio` is the goal "≤ 1.5": lower is better.
KEYS = {
    "pdf_ratio": "warm render through the app ÷ WeasyPrint alone on the same HTML (goal ≤ 1.5; lower is better)",
    "pdf_render_s": "warm render through the app (document_render: context, template, WeasyPrint PDF/UA, file), median",
    "pdf_weasyprint_s": "weasyprint.HTML(string=html).write_pdf() on the same HTML, median",
    "pdf_click_to_file_s": "POST 'render' → worker renders → row done → file downloaded, warm worker, median (goal < 3 s)",
    "pdf_peak_rss_mib": "peak RSS of the worker process that rendered (goal ≤ 200 MiB)",
    "pdf_pages": "pages of the documentation PDF",
    "matrix_pdf_s": "200 × 40 matrix PDF through the export view, median (goal < 4 s)",
    "matrix_pdf_pages": "pages of the matrix PDF",
}


def _database_urls() -> tuple[str, str]:
    """(the server's maintenance URL, this benchmark's database URL) from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point to PostgreSQL (postgres://user@host:port/name)")
    name = parts.path.lstrip("/") or "verbund"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}_pdf"))


def _photo(index: int, rng: random.Random) -> tuple[bytes, str]:
    """A 1600 × 1200 picture with the texture of a photo (gradients, shapes, sensor noise): JPEG, every fourth PNG."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = 1600, 1200
    small = (width // 4, height // 4)  # shapes drawn small and scaled up: soft edges like a photo's, quickly
    base = Image.linear_gradient("L").resize(small).convert("RGB")
    tint = Image.new("RGB", small, tuple(rng.randint(40, 220) for _ in range(3)))
    image = Image.blend(base, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randint(-50, small[0]), rng.randint(-50, small[1])
        w, h = rng.randint(15, 125), rng.randint(15, 125)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1)).resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    out = io.BytesIO()
    if index % 4 == 3:
        image.save(out, "PNG", compress_level=1)
        return out.getvalue(), "png"
    image.save(out, "JPEG", quality=90)
    return out.getvalue(), "jpg"


def _logo(text: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (1200, 400), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 380, 380), fill=(0, 70, 140, 255))
    draw.text((420, 160), text, fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PARAGRAPH = (
    "Die Teilnehmenden aus {org} berichteten, wie sie Kooperationen zwischen kleinen und mittleren Unternehmen "
    "der Region anbahnen, welche Rolle das Netzwerkmanagement dabei spielt und wo die Grenzen liegen. "
    "Besonders hervorgehoben wurden die **gemeinsame Qualifizierung** von Fachkräften, der Austausch über "
    "Förderprogramme und die Frage, wie sich der Erfolg eines Verbunds messen lässt, ohne die Betriebe mit "
    "Berichtspflichten zu überlasten."
)


def _build_workshop():
    """The meeting with its documentation; returns (manager, meeting)."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events import attachments, services
    from events.models import MeetingAttachment
    from members.models import Contact, Membership, Organisation
    from verbund.models import LogoRole, ManagerRole, Network, NetworkImprint, NetworkLogo, User
    from verbund.uploads import clean_image

    rng = random.Random(17)
    network = Network.objects.create(name="Energieverbund Steinfurter Land", slug="bench-pdf", funding_note="Gefördert aus Mitteln des Landes NRW.")
    NetworkImprint.objects.create(network=network, publisher_name="Verbundbüro Steinfurt", publisher_address="Tecklenburger Str. 8\n48565 Steinfurt")
    for i, name in enumerate(["Ministerium für Wirtschaft NRW", "Europäischer Sozialfonds"]):
        image = clean_image(SimpleUploadedFile(f"logo{i}.png", _logo(name), content_type="image/png"))
        logo = NetworkLogo(network=network, role=LogoRole.FUNDER, name=name, position=i)
        logo.logo.save(f"bench-logo-{i}.{image.extension}", ContentFile(image.content), save=False)
        logo.save()
    manager = User.objects.create_user(email="bench-pdf@example.org", password=secrets.token_hex(8))
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    places = ["Rheine", "Steinfurt", "Emsdetten", "Ibbenbüren", "Greven", "Ochtrup"]
    organisations = [Organisation.objects.create(name=f"{name} GmbH", municipality=rng.choice(places)) for name in _names(30, rng, "org")]
    for organisation in organisations:
        Membership.objects.create(organisation=organisation, network=network)
    meeting = services.meeting_create(
        network=network,
        by=manager,
        data={
            "title": "Kooperation in der Region: Netzwerke, Verbünde und Qualifizierung",
            "kind": "workshop",
            "venue_name": "Kreishaus Steinfurt",
            "venue_address": "Tecklenburger Str. 10, 48565 Steinfurt",
            "starts_at": services.meeting_at(date(2026, 6, 17), 9, 0),
            "ends_at": services.meeting_at(date(2026, 6, 17), 17, 0),
            "capacity": 80,
        },
    )
    meeting.moderation = "Dr. Anna Keller, Verbundbüro"
    meeting.description = "Ein Tag zu Kooperation, Qualifizierung und Förderung im Verbund.\n\n" + PARAGRAPH.format(org="der Region")
    meeting.save(update_fields=["moderation", "description"])
    programme = [
        ("09:00", "09:30", "welcome", "Begrüßung und Einführung in den Tag", "Landrat Martin Sommer"),
        ("09:30", "10:15", "talk", "Cluster Management – ein Job wie jeder andere?", "Prof. Judith Terstriep"),
        ("10:15", "11:00", "talk", "Regionale Verbünde für nachhaltige Entwicklung", "Thomas Möller"),
        ("11:00", "11:15", "break", "Pause", ""),
        ("11:15", "12:00", "talk", "Fachkräfte gemeinsam qualifizieren: Erfahrungen aus drei Jahren", "Sabine Hölscher"),
        ("12:00", "12:30", "discussion", "Beiträge und Anregungen der Teilnehmenden", ""),
        ("12:30", "13:30", "break", "Mittagspause", ""),
        ("13:30", "14:15", "talk", "Förderprogramme für Verbünde 2027", "Dr. Peter Lindemann"),
        ("14:15", "15:00", "talk", "Erfolg messen: Indikatoren für Netzwerke", "Maria Große-Kleimann"),
        ("15:00", "15:45", "discussion", "Arbeitsgruppen: Qualifizierungsbedarfe der Mitglieder", ""),
        ("15:45", "16:30", "excursion", "Der Bioenergiepark Saerbeck als gebauter Verbund", "Wilfried Roos"),
        ("16:30", "17:00", "discussion", "Verabredungen und Ausblick", ""),
    ]
    items = []
    for start, end, kind, title, speaker in programme:
        starts, ends = clock.fromisoformat(start), clock.fromisoformat(end)
        items.append(
            services.agenda_item_save(
                meeting=meeting, by=manager, data={"starts_at": starts, "ends_at": ends, "kind": kind, "title": title, "speaker": speaker}
            )
        )
    for item in items:
        if item.kind in {"talk", "excursion"}:  # a chapter each; welcome and discussions are in the programme and the minutes
            paragraphs = [PARAGRAPH.format(org=rng.choice(organisations).name) for _ in range(5)]
            summary = (
                "\n\n".join(paragraphs[:2])
                + "\n\n- Kooperation braucht Vertrauen\n- Qualifizierung im Verbund\n- Förderung gezielt nutzen\n\n"
                + "\n\n".join(paragraphs[2:])
            )
            attachments.agenda_summary_save(item=item, by=manager, summary=summary)
    for item in items:
        if not item.takes_summary:
            continue
        question = f"Frage zu „{item.title}“: Wie lässt sich das im eigenen Betrieb umsetzen?"
        services.minute_add(meeting=meeting, by=manager, data={"kind": "question", "agenda_item": item, "text": question})
        services.minute_add(meeting=meeting, by=manager, data={"kind": "answer", "agenda_item": item, "text": PARAGRAPH.format(org="den Betrieben")})
    services.minute_add(meeting=meeting, by=manager, data={"kind": "decision", "text": "Der Verbund richtet eine Arbeitsgruppe Qualifizierung ein."})
    contacts = []
    for i, (first, last) in enumerate(_people(PARTICIPANTS, rng)):
        contacts.append(
            Contact.objects.create(organisation=organisations[i % len(organisations)], first_name=first, last_name=last, email=f"p{i}@bench.example")
        )
    for contact in contacts:
        services.registration_register(meeting=meeting, by=manager, contact=contact, by_manager=True, consent_participant_list=True, consent_photos=True)
    for n in range(8):
        services.action_item_create(
            network=network,
            by=manager,
            meeting=meeting,
            data={"title": f"Verabredung {n + 1}: Termin für die Arbeitsgruppe abstimmen", "owner": contacts[n], "due_on": date(2026, 9, n + 1)},
        )
    for n in range(PHOTOS):
        data, extension = _photo(n, rng)
        upload = SimpleUploadedFile(f"foto-{n}.{extension}", data, content_type=f"image/{'png' if extension == 'png' else 'jpeg'}")
        attachments.attachment_add(
            meeting=meeting,
            by=manager,
            kind=MeetingAttachment.Kind.PHOTO,
            upload=upload,
            title=f"Foto {n + 1}: Arbeitsgruppe am Nachmittag",
            people_shown=MeetingAttachment.PeopleShown.CONSENTED,
        )
    return manager, meeting


def _names(count: int, rng: random.Random, kind: str) -> list[str]:
    stems = ["Hölscher", "Brüggemann", "Terfort", "Wessels", "Overbeck", "Schulte", "Lammers", "Kemper", "Elfering", "Große-Kleimann"]
    trades = ["Metallbau", "Elektrotechnik", "Holzbau", "Energietechnik", "Logistik", "Kunststofftechnik"]
    return [f"{rng.choice(stems)} {rng.choice(trades)} {i}" for i in range(count)]


def _people(count: int, rng: random.Random) -> list[tuple[str, str]]:
    firsts = ["Anna", "Jörg", "Birgit", "Heinz", "Mareike", "Özlem", "Tobias", "Ute", "Klaus", "Sandra"]
    lasts = ["Albers", "Zimmermann", "Möllers", "Schröer", "Bußmann", "Lütke-Wöstmann", "Niehues", "Krüßel", "Tönnies", "Wiesmann"]
    return [(rng.choice(firsts), f"{rng.choice(lasts)}{'' if i < 10 else f'-{i}'}") for i in range(count)]


def _build_matrix(organisations: int, topics: int):
    """One network of `organisations` members × `topics` topics, a need in about half of the cells (as scripts/bench_matrix.py)."""
    from members.models import Membership, Organisation
    from qualification.models import Need, Topic
    from verbund.models import ManagerRole, Network, User

    rng = random.Random(2013)
    network = Network.objects.create(name="Bench-Matrix", slug="bench-matrix")
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Firma {i:03d} GmbH", municipality=rng.choice(["Rheine", "Steinfurt", "Emsdetten", "Ibbenbüren"])) for i in range(organisations)]
    )
    Membership.objects.bulk_create([Membership(organisation=o, network=network) for o in orgs])
    made = Topic.objects.bulk_create([Topic(network=network, title=f"Qualifizierungsthema {i:02d}", position=i) for i in range(topics)])
    Need.objects.bulk_create(
        [
            Need(network=network, organisation=o, topic=t, priority=rng.randint(1, 3), head_count=rng.randint(1, 8), preferred_format="in_house")
            for o in orgs
            for t in made
            if rng.random() < 0.5
        ]
    )
    manager = User.objects.create_user(email="bench-matrix@example.org", password=secrets.token_hex(8))
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    return manager, network


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _free_name() -> str:
    return f"bench-pdf-{os.getpid()}-{secrets.token_hex(3)}@{socket.gethostname()}"


def _worker_peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", required=True, help="where to write the figures (a flat JSON object)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each figure (median)")
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--topics", type=int, default=40)
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        sys.exit("REDIS_URL must point to Redis (the Celery broker of the worker this benchmark starts)")
    server_url, database_url = _database_urls()
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    media = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    queue = f"bench-pdf-{secrets.token_hex(4)}"
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "verbund.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "testserver,localhost",
        "MFA_REQUIRED_FOR_MANAGERS": "false",  # the benchmark's manager logs in with force_login
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database {name} migrated in {time.perf_counter() - t0:.1f} s", flush=True)

    from events.documents import TEMPLATES, document_context, document_render
    from events.models import MeetingDocument, MinuteEntry
    from qualification import exports
    from verbund.celery import app

    # The render task goes to this run's own queue, which only the worker started below reads; what else the
    # services enqueue while the world is built (confirmation mails) goes to a queue nobody reads, dropped at the end.
    discard = f"{queue}-discard"
    app.conf.task_routes = {"events.tasks.render_document_task": {"queue": queue}, "*": {"queue": discard}}
    results: dict[str, float | int] = {}

    t0 = time.perf_counter()
    manager, meeting = _build_workshop()
    print(f"workshop built in {time.perf_counter() - t0:.1f} s", flush=True)

    kind = MeetingDocument.Kind.DOCUMENTATION
    client = Client()
    client.force_login(manager)
    slug = meeting.network.slug
    render_url = reverse("events:document_request", kwargs={"network_slug": slug, "pk": meeting.pk, "kind": kind})
    download_url = reverse("events:document_download", kwargs={"network_slug": slug, "pk": meeting.pk, "kind": kind})
    minute = MinuteEntry.objects.filter(meeting=meeting).order_by("position").first()
    assert minute is not None

    def click_to_file(edit: int) -> tuple[float, bytes]:
        """Edit the minutes (the stored file becomes stale), then the manager's click, the worker's render, the download."""
        MinuteEntry.objects.filter(pk=minute.pk).update(text=f"Frage (Fassung {edit}): Wie lässt sich das im eigenen Betrieb umsetzen?")
        start = time.perf_counter()
        response = client.post(render_url, secure=True)
        assert response.status_code == 302, response.status_code
        deadline = start + 300
        while True:
            status, error = MeetingDocument.objects.filter(meeting=meeting, kind=kind).values_list("status", "error").get()
            if status == MeetingDocument.Status.DONE:
                break
            if status == MeetingDocument.Status.FAILED or time.perf_counter() > deadline:
                raise SystemExit(f"the documentation did not render: {status} {error}")
            time.sleep(0.02)
        response = client.get(download_url, secure=True)
        assert response.status_code == 200, response.status_code
        data = b"".join(response.streaming_content)
        return time.perf_counter() - start, data

    worker_env = {**os.environ, **env}
    worker_name = _free_name()
    worker_log = (media / "worker.log").open("wb")  # a file, not a pipe: a worker that logs much never blocks
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "verbund", "worker", "--pool=solo", "-Q", queue, "-n", worker_name]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=worker_log,
    )
    peak_kib = 0
    try:
        deadline = time.monotonic() + 600  # a loaded machine takes long to import Django and Celery
        while not app.control.ping(destination=[worker_name], timeout=1):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start; see {media / 'worker.log'}")
        cold, data = click_to_file(0)
        results["pdf_click_to_file_cold_s"] = round(cold, 3)
        print(f"click-to-file, first after the worker started: {cold:.2f} s", flush=True)
        warm = []
        for n in range(args.runs):
            seconds, data = click_to_file(n + 1)
            warm.append(seconds)
            peak_kib = max(peak_kib, _worker_peak_kib(worker.pid))
        results["pdf_click_to_file_s"] = round(statistics.median(warm), 3)
        results["pdf_pages"] = _pages(data)
        results["pdf_file_kib"] = len(data) // 1024
        print(f"click-to-file, warm worker: {', '.join(f'{s:.2f}' for s in warm)} s; {results['pdf_pages']} pages, {len(data) // 1024} KiB", flush=True)
    finally:
        worker.terminate()
        try:
            _pid, _status, usage = os.wait4(worker.pid, 0)
            peak_kib = max(peak_kib, usage.ru_maxrss)  # KiB on Linux
        except ChildProcessError:
            worker.wait(timeout=30)
        worker_log.close()
    results["pdf_peak_rss_mib"] = round(peak_kib / 1024, 1)

    # Warm render in this process: the worker's code path, then WeasyPrint alone on the HTML it renders.
    import weasyprint

    document = MeetingDocument.objects.get(meeting=meeting, kind=kind)

    def app_render() -> float:
        MeetingDocument.objects.filter(pk=document.pk).update(status=MeetingDocument.Status.PENDING)
        start = time.perf_counter()
        document_render(document_id=document.pk)
        seconds = time.perf_counter() - start
        assert MeetingDocument.objects.get(pk=document.pk).status == MeetingDocument.Status.DONE
        return seconds

    app_render()  # warm-up: fonts, templates, the images' first decoding
    app_times = [app_render() for _ in range(args.runs)]
    with translation.override("de"):
        html = __import__("django.template.loader", fromlist=["render_to_string"]).render_to_string(TEMPLATES[kind], document_context(meeting, kind))
    weasyprint.HTML(string=html).write_pdf()  # warm-up
    alone = []
    for _ in range(args.runs):
        start = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf()
        alone.append(time.perf_counter() - start)
    results["pdf_render_s"] = round(statistics.median(app_times), 3)
    results["pdf_weasyprint_s"] = round(statistics.median(alone), 3)
    results["pdf_ratio"] = round(results["pdf_render_s"] / results["pdf_weasyprint_s"], 2)
    print(f"warm render: app {', '.join(f'{s:.2f}' for s in app_times)} s; WeasyPrint alone {', '.join(f'{s:.2f}' for s in alone)} s", flush=True)

    # The 200 × 40 matrix PDF, rendered in the request (the portal hands matrices this large to a background job).
    manager, network = _build_matrix(args.organisations, args.topics)
    exports.INLINE_PDF_CELLS = 10**9
    client = Client()
    client.force_login(manager)
    url = reverse("qualification:matrix_pdf", kwargs={"network_slug": network.slug})
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        content = b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    results["matrix_pdf_s"] = round(statistics.median(times), 3)
    results["matrix_pdf_pages"] = _pages(content)
    print(f"matrix PDF {args.organisations} × {args.topics}: {', '.join(f'{s:.2f}' for s in times)} s, {results['matrix_pdf_pages']} pages", flush=True)

    import redis

    redis.Redis.from_url(redis_url).delete(queue, discard)
    results["bench_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    ordered = {key: results[key] for key in KEYS} | {key: value for key, value in results.items() if key not in KEYS}
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(ordered, indent=2) + "\n")
    print(json.dumps(ordered, indent=2))


if __name__ == "__main__":
    main()
