"""Benchmark (not a test): an Infobrief to 10,000 recipients through the real Celery path, beside a raw smtplib loop.

Usage (PostgreSQL and Redis running; DATABASE_URL and REDIS_URL in the environment):
    .venv/bin/python -m bench.infobrief --json OUT [--recipients 10000] [--concurrency 2] [--port 8300]

It creates a database of its own, `<name of DATABASE_URL>_infobrief` on the same server (dropped first), migrates
it, builds a network with N consenting member contacts and an Infobrief of six entries, starts a local aiosmtpd
sink and a Celery worker (prefork, `--concurrency` processes, as production runs it) and then:

    start     the manager's POST that starts the send, through the real view (Django's test client, DEBUG off),
              in ms — what the manager waits for before the progress page;
    celery    from that POST until no delivery row is open: the workers claim batches (SKIP LOCKED), send over
              one SMTP connection each and mark the rows; recipients per second;
    raw       a raw smtplib loop over one connection with pre-rendered bytes (the same message as serialised
              for the first recipient), N messages, run once before and once after the Celery path (the
              machine is shared: the mean of the two is the ceiling the ratio is taken against).

Afterwards it checks what the sink received: every recipient exactly once (the JSON says how many were
missing or doubled). The sink is aiosmtpd answering 250 and noting each recipient (no fsync: the sink's disk
is not what is measured; the fault tests' sink in tests/smtp_sink.py does fsync). It runs `--sink-processes`
processes on one port (SO_REUSEPORT), as a mail relay serves several connections at once.

The rate limit (NEWSLETTER_RATE_PER_SECOND) is set high for the workers here only, so that it is not the
bottleneck. Writes a flat JSON: infobrief_ratio, infobrief_celery_s, infobrief_celery_per_s,
infobrief_raw_per_s, infobrief_start_request_ms, infobrief_worker_peak_rss_mib and a few more.
Without --json it prints the figures.
"""

# Django is imported after setup(), in the process that measures
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the sink ---------------------------------------------------------------------------------


class _Handler:
    def __init__(self, out) -> None:
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        self.out.write("\n".join(envelope.rcpt_tos) + "\n")
        self.out.flush()
        return "250 Message accepted"


def sink_serve(port: int, out: str) -> None:
    """One sink process: aiosmtpd on 127.0.0.1:port (SO_REUSEPORT), one line per accepted recipient in `out`."""
    from aiosmtpd.smtp import SMTP

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    with open(out, "a", encoding="utf-8") as fh:
        handler = _Handler(fh)

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            server = await loop.create_server(lambda: SMTP(handler, hostname="127.0.0.1", data_size_limit=0), sock=sock)
            stop = asyncio.Event()
            loop.add_signal_handler(signal.SIGTERM, stop.set)
            print("LISTENING", flush=True)
            await stop.wait()
            server.close()

        asyncio.run(serve())


def _received(files: list[Path]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in files:
        if path.exists():
            for line in path.read_text().splitlines():
                if line:
                    counts[line] = counts.get(line, 0) + 1
    return counts


# --- the run ----------------------------------------------------------------------------------


def _database_url(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "verbund") + "_infobrief"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _recreate(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _peak_rss_mib(pid: int) -> float:
    """The largest VmHWM among the worker's processes (main and pool children)."""
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    peak = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return round(peak / 1024, 1)


def _network(slug: str, recipients: int, *, letter_subject: str):
    from django.utils import timezone

    from members.models import Consent, Contact, Membership, Organisation
    from newsletters.models import Entry, Infobrief, InfobriefEntry
    from verbund.models import ManagerRole, Network, User

    network = Network.objects.create(name=f"Netz {slug}", slug=slug)
    orgs = Organisation.objects.bulk_create([Organisation(name=f"Firma {i}") for i in range(max(1, recipients // 10))], batch_size=2000)
    Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in orgs], batch_size=2000)
    contacts = Contact.objects.bulk_create(
        [Contact(organisation=orgs[i % len(orgs)], first_name="Empf", last_name=f"N{i}", email=f"{slug}{i:06d}@bench.example") for i in range(recipients)],
        batch_size=2000,
    )
    Consent.objects.bulk_create(
        [Consent(contact=c, network=network, purpose="newsletter", granted_at=timezone.now(), source="portal", text_version="bench") for c in contacts],
        batch_size=2000,
    )
    letter = Infobrief.objects.create(network=network, subject=letter_subject, intro="Guten Tag, **hier** die Neuigkeiten.")
    for n in range(6):
        entry = Entry.objects.create(
            network=network, kind="member_news", title=f"Neuigkeit {n}", body="Ein Absatz mit *Markdown* und einem [Link](https://example.org). " * 4
        )
        InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=n)
    manager = User.objects.create_user(email=f"manager@{slug}.example", password="x")
    ManagerRole.objects.create(user=manager, network=network, role=ManagerRole.Role.MANAGER)
    return network, letter, manager


def _raw_loop(port: int, raw: bytes, count: int, prefix: str) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            smtp.sendmail("infobrief@bench.example", [f"{prefix}{i:06d}@raw.example"], raw)
    return time.perf_counter() - started


def run(*, recipients: int, concurrency: int, port: int, sink_processes: int) -> dict:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/verbund")
    url, name = _database_url(base)
    _recreate(url, name)
    tmp = Path(tempfile.mkdtemp(prefix="bench-infobrief-"))
    os.environ.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(tmp / "media"),
            "DJANGO_SETTINGS_MODULE": "verbund.settings",
            # as production runs: DEBUG off (no query log in the workers), no 2FA prompt for the bench's manager
            "DEBUG": "false",
            "SECRET_KEY": "bench-infobrief-" + "k" * 40,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "MFA_REQUIRED_FOR_MANAGERS": "false",
            "NEWSLETTER_EMAIL_HOST": "127.0.0.1",
            "NEWSLETTER_EMAIL_PORT": str(port),
        }
    )
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # DEBUG off: pages need the manifest, as in production
        call_command("collectstatic", interactive=False, verbosity=0)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()

    from django.test import Client
    from django.urls import reverse

    from newsletters import sending
    from newsletters.models import Delivery

    network, letter, manager = _network("bench", recipients, letter_subject="Infobrief Benchmark")
    # A small Infobrief first, sent through the same workers before anything is timed: each pool child has then
    # imported the URLconf and loaded the templates once, as a worker that has been running does.
    _warm_network, warm_letter, warm_manager = _network("warm", 4 * sending.batch_size(), letter_subject="Aufwärmen")

    sink_files = [tmp / f"sink-{n}.txt" for n in range(sink_processes)]
    sinks = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.infobrief", "--sink", str(port), "--sink-out", str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for path in sink_files
    ]
    for sink in sinks:
        assert sink.stdout is not None and sink.stdout.readline().startswith("LISTENING")
    env = {**os.environ, "NEWSLETTER_RATE_PER_SECOND": "1000000", "NEWSLETTER_PARALLEL_BATCHES": str(concurrency)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "verbund", "worker", "--pool=prefork", f"--concurrency={concurrency}"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    result: dict = {}
    try:
        # The raw ceiling is sent as Django serialises the first recipient's message.
        import email.policy

        sample = sending.build_message(letter, Delivery(infobrief=letter, pk=1, email="bench000000@bench.example", name="Empf N0"))
        raw = sample.message(policy=email.policy.SMTP).as_bytes()
        sending.send_start(infobrief=warm_letter, by=warm_manager)
        deadline = time.monotonic() + 300
        while Delivery.objects.filter(infobrief=warm_letter).open().exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        raw_first = _raw_loop(port, raw, recipients, "a")
        time.sleep(1)

        client = Client()
        client.force_login(manager)
        send_url = reverse("newsletters:send", kwargs={"network_slug": network.slug, "pk": letter.pk})
        assert client.get(send_url, secure=True).status_code == 200  # the manager comes from the send step
        load_before = os.getloadavg()
        started = time.perf_counter()
        response = client.post(send_url, {"mode": "now", "confirm": "1"}, secure=True)
        start_request = time.perf_counter() - started
        assert response.status_code == 302, (response.status_code, response.content[:500])
        letter.refresh_from_db()
        result["infobrief_status_after_start"] = letter.status
        rows = Delivery.objects.filter(infobrief=letter)
        while not rows.exists() or rows.open().exists():  # made by the first batch task, then all closed (rows never vanish)
            time.sleep(0.05)
        celery_seconds = time.perf_counter() - started
        result["infobrief_worker_peak_rss_mib"] = _peak_rss_mib(worker.pid)
        sent = Delivery.objects.filter(infobrief=letter, status=Delivery.Status.SENT).count()

        raw_second = _raw_loop(port, raw, recipients, "b")
        load_after = os.getloadavg()
        time.sleep(0.5)
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(worker.pid, signal.SIGKILL)
        for sink in sinks:
            sink.terminate()
            sink.wait(timeout=10)
    received = _received(sink_files)
    addresses = set(Delivery.objects.filter(infobrief=letter).values_list("email", flat=True))
    result["infobrief_warmup_sent"] = Delivery.objects.filter(infobrief=warm_letter, status=Delivery.Status.SENT).count()
    raw_per_s = [recipients / raw_first, recipients / raw_second]
    raw_mean = sum(raw_per_s) / 2
    celery_per_s = sent / celery_seconds
    letter.refresh_from_db()
    result.update(
        {
            "infobrief_ratio": round(celery_per_s / raw_mean, 3),
            "infobrief_celery_s": round(celery_seconds, 2),
            "infobrief_celery_per_s": round(celery_per_s, 1),
            "infobrief_raw_per_s": round(raw_mean, 1),
            "infobrief_raw_runs_per_s": [round(r, 1) for r in raw_per_s],
            "infobrief_start_request_ms": round(start_request * 1000, 1),
            "infobrief_recipients": recipients,
            "infobrief_sent": sent,
            "infobrief_missing": sum(1 for a in addresses if received.get(a, 0) == 0),
            "infobrief_duplicates": sum(1 for a in addresses if received.get(a, 0) > 1),
            "infobrief_final_status": letter.status,
            "infobrief_worker_concurrency": concurrency,
            "infobrief_batch_size": sending.batch_size(),
            "infobrief_load_before": [round(x, 2) for x in load_before],
            "infobrief_load_after": [round(x, 2) for x in load_after],
            "infobrief_cpu_count": os.cpu_count(),
        }
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--port", type=int, default=8300, help="the sink's port")
    parser.add_argument("--sink-processes", type=int, default=2)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sink-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        sink_serve(args.sink, args.sink_out)
        return
    result = run(recipients=args.recipients, concurrency=args.concurrency, port=args.port, sink_processes=args.sink_processes)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
