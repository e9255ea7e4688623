"""Benchmark (not a test): an Infobrief to N recipients through Celery to a local SMTP sink, beside a raw smtplib loop.

Usage (PostgreSQL and Redis running on 127.0.0.1):
    .venv/bin/python scripts/bench_newsletter.py [--recipients 10000] [--concurrency 2]

It creates a database of its own (verbund_bench), migrates it, builds a network
with N consenting recipients, starts the SMTP sink (tests/smtp_sink.py) and a
Celery worker, sends the Infobrief and measures recipients per second from
"send" until every delivery row is marked. Then, against the same sink in the
same run, a raw smtplib loop sends N pre-rendered messages over one connection.
Prints both rates and their ratio (the figure in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import email.policy
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", default="verbund_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    os.environ.update(
        {
            "DATABASE_URL": f"{args.pg}/{args.database}",
            "REDIS_URL": args.redis,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(tmp / "media"),
            "DJANGO_SETTINGS_MODULE": "verbund.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    redis.Redis.from_url(args.redis).flushdb()

    from django.utils import timezone

    from members.models import Consent, Contact, Membership, Organisation
    from newsletters import sending
    from newsletters.models import Delivery, Entry, Infobrief, InfobriefEntry
    from verbund.models import Network, User

    network = Network.objects.create(name="Bench-Netz", slug="bench")
    orgs = Organisation.objects.bulk_create([Organisation(name=f"Firma {i}") for i in range(args.recipients // 10)])
    Membership.objects.bulk_create([Membership(organisation=o, network=network, sort_name=o.search_name) for o in orgs])
    contacts = Contact.objects.bulk_create(
        [Contact(organisation=orgs[i % len(orgs)], first_name="Empf", last_name=f"N{i}", email=f"n{i:06d}@bench.example") for i in range(args.recipients)],
        batch_size=2000,
    )
    Consent.objects.bulk_create(
        [Consent(contact=c, network=network, purpose="newsletter", granted_at=timezone.now(), source="portal", text_version="bench") for c in contacts],
        batch_size=2000,
    )
    letter = Infobrief.objects.create(network=network, subject="Infobrief Benchmark", intro="Guten Tag, **hier** die Neuigkeiten.")
    for n in range(6):
        entry = Entry.objects.create(
            network=network, kind="member_news", title=f"Neuigkeit {n}", body="Ein Absatz mit *Markdown* und einem [Link](https://example.org). " * 4
        )
        InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=n)
    manager = User.objects.create_user(email="bench@example.org", password="x")

    out = tmp / "sink.jsonl"
    sink = subprocess.Popen([sys.executable, "tests/smtp_sink.py", "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    port = int(sink.stdout.readline().split()[1])
    env = {**os.environ, "NEWSLETTER_EMAIL_HOST": "127.0.0.1", "NEWSLETTER_EMAIL_PORT": str(port), "NEWSLETTER_RATE_PER_SECOND": "100000"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "verbund",
            "worker",
            "--pool=prefork",
            f"--concurrency={args.concurrency}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # the worker is up
        from verbund.celery import app

        app.conf.broker_url = args.redis
        started = time.perf_counter()
        sending.send_start(infobrief=letter, by=manager)
        sending.kick(letter.pk, parallel=args.concurrency)
        while Delivery.objects.filter(infobrief=letter).open().exists():
            time.sleep(0.2)
        pipeline = time.perf_counter() - started
        sent = Delivery.objects.filter(infobrief=letter, status="sent").count()
        print(f"Infobrief through Celery: {sent} sent in {pipeline:.1f} s", flush=True)

        sample = sending.build_message(letter, Delivery.objects.filter(infobrief=letter).first())
        raw = sample.message(policy=email.policy.SMTP).as_bytes()  # as Django's SMTP backend serialises it
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for i in range(args.recipients):
                smtp.sendmail("infobrief@bench.example", [f"raw{i:06d}@bench.example"], raw)
        raw_seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.terminate()
        sink.wait(timeout=10)
    ours, theirs = sent / pipeline, args.recipients / raw_seconds
    print(f"recipients: {args.recipients}, sent: {sent}, worker concurrency: {args.concurrency}, CPU cores: {os.cpu_count()}")
    print(f"Infobrief through Celery (render per recipient, claim, send, mark): {pipeline:.1f} s = {ours:.0f} recipients/s")
    print(f"raw smtplib loop over one connection (pre-rendered bytes):        {raw_seconds:.1f} s = {theirs:.0f} messages/s")
    print(f"ratio: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
