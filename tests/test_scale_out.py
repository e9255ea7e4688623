"""Beyond one machine: two web processes and two workers share nothing but PostgreSQL, Redis and object storage.

Two real `gunicorn` processes (the project's gunicorn.conf.py, DEBUG off, one sync worker each, psycopg pool on) on two
ports, two Celery workers (prefork), the test's own PostgreSQL database, a redis-server of the test's own, a local S3
endpoint (moto's server mode, offline) and an aiosmtpd sink. The test acts as a load balancer that alternates between
the two web processes; nothing may depend on which process answers:

- a public meeting sign-up posted to web A; its double-opt-in mail, sent by a worker, is confirmed on web B and
  web A then shows the registration;
- a manager logs in on web A; a PDF uploaded through web A lands in the bucket (not on any disk) and is downloaded
  through web B, byte for byte, with the access check (an outsider gets 404 from either process);
- an Infobrief started on web B is delivered by the workers to the sink, each recipient once, and its progress
  page on web A says so.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import re
import shutil
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from events.models import Meeting, MeetingAttachment, Registration
from events.services import meeting_at
from newsletters.models import Delivery, Infobrief
from tests.conftest import PASSWORD
from tests.newsletters import factories
from tests.processes import Processes, csrf_token, free_port, listening, wait_for
from tests.services import database_url, require, require_postgres

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "verbund-scale-test"
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _sink_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()] if out.exists() else []


def _text_of(record: dict) -> str:
    message = email.message_from_string(record["raw"], policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": f"scale-{uuid.uuid4().hex}"})  # distinct bytes per run
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def cluster(tmp_path, world):
    """Start Redis, S3, the SMTP sink, two gunicorns and two workers; yield what the test needs; stop everything."""
    import boto3
    import requests
    from moto.server import ThreadedMotoServer

    require_postgres()
    redis_server = shutil.which("redis-server")
    require("redis-server", None if redis_server else "redis-server is not on PATH")

    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    s3_port, redis_port, web_ports = free_port(), free_port(), [free_port(), free_port()]
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    try:
        procs.start(
            "redis",
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
            dict(os.environ),
        )
        sink_out = tmp_path / "sink.jsonl"
        sink = procs.start("sink", [sys.executable, "tests/smtp_sink.py", "--out", str(sink_out)], dict(os.environ))
        wait_for(lambda: listening(redis_port), timeout=20, what="redis-server")
        sink_port = int(wait_for(lambda: re.search(r"LISTENING (\d+)", procs.tail("sink")), timeout=30, what="the SMTP sink").group(1))
        assert sink.poll() is None

        credentials = {"aws_access_key_id": "scale-test", "aws_secret_access_key": "scale-test-secret", "region_name": "us-east-1"}
        bucket = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{s3_port}", **credentials)
        bucket.create_bucket(Bucket=BUCKET)

        media_root = tmp_path / "media-must-stay-empty"
        media_root.mkdir()
        origins = [f"http://127.0.0.1:{port}" for port in web_ports]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.scale_settings",
            "DEBUG": "false",
            "SECRET_KEY": "scale-out-test-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": origins[0],
            "CSRF_TRUSTED_ORIGINS": ",".join(origins),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "MFA_REQUIRED_FOR_MANAGERS": "false",
            "DATABASE_URL": database_url(),
            "DB_POOL_MAX_SIZE": "2",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_REGION": credentials["region_name"],
            "S3_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "S3_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
            "MEDIA_ROOT": str(media_root),
            "VAR_DIR": str(tmp_path / "var"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink_port),
            "NEWSLETTER_RATE_PER_SECOND": "1000",
            "NEWSLETTER_BATCH_SIZE": "5",
            "NEWSLETTER_PARALLEL_BATCHES": "2",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("CI", None)
        for index, port in enumerate(web_ports):
            procs.start(
                f"web{index}",
                [sys.executable, "-m", "gunicorn", "verbund.wsgi:application", "-c", "gunicorn.conf.py"],
                {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            )
        for index in range(2):
            procs.start(
                f"worker{index}",
                [sys.executable, "-m", "celery", "-A", "verbund", "worker", "--pool=prefork", "--concurrency=1", "-n", f"scale{index}@%h"]
                + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
                env,
            )

        def healthy(port: int) -> bool:
            procs.check_alive()
            try:
                return requests.get(f"http://127.0.0.1:{port}/health/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        for port in web_ports:
            wait_for(lambda port=port: healthy(port), timeout=240, what=f"gunicorn on {port} to answer /health/")

        yield {
            "web": origins,
            "bucket": bucket,
            "media_root": media_root,
            "sink": lambda: _sink_records(sink_out),
            "procs": procs,
        }
    finally:
        procs.stop_all()
        s3.stop()


def test_two_web_processes_and_two_workers_share_only_the_database_redis_and_object_storage(cluster, world, manager_x):
    import requests

    web_a, web_b = cluster["web"]
    procs: Processes = cluster["procs"]
    day = timezone.localdate() + timedelta(days=30)
    meeting = Meeting.objects.create(
        network=world.network_x, title="Skalierungstreffen", is_public=True, starts_at=meeting_at(day, 9), ends_at=meeting_at(day, 17)
    )

    # --- a meeting registration: signed up on A, confirmed on B, seen on A --------------------------------------
    guest = requests.Session()
    page = f"/n/{world.network_x.slug}/meetings/{meeting.pk}/"
    form = guest.get(web_a + page, timeout=30)
    assert form.status_code == 200, form.text[:500]
    signup = guest.post(
        web_a + page,
        data={"csrfmiddlewaretoken": csrf_token(form.text), "name": "Gast Skalierung", "email": "gast@skalierung.example", "organisation": "Gast GmbH"},
        timeout=30,
    )
    assert signup.status_code == 200, signup.text[:500]
    mails = wait_for(
        lambda: procs.check_alive() or [r for r in cluster["sink"]() if r["rcpt_tos"] == ["gast@skalierung.example"]],
        timeout=120,
        what="the sign-up mail from a worker",
    )
    link = re.search(r"https?://\S+?(/n/\S+?/confirm/\S+?/)", _text_of(mails[0]))
    assert link, _text_of(mails[0])
    ask = guest.get(web_b + link.group(1), timeout=30)  # the token was signed by web A's process
    assert ask.status_code == 200, ask.text[:500]
    confirmed = guest.post(web_b + link.group(1), data={"csrfmiddlewaretoken": csrf_token(ask.text)}, timeout=30)
    assert confirmed.status_code == 200 and "Sie sind angemeldet" in confirmed.text, confirmed.text[:500]
    registration = Registration.objects.get(meeting=meeting, guest_email="gast@skalierung.example")
    assert registration.status == Registration.Status.REGISTERED
    again = guest.get(web_a + link.group(1), timeout=30)
    assert again.status_code == 200 and "Sie sind angemeldet" in again.text and "Skalierungstreffen" in again.text
    wait_for(
        lambda: procs.check_alive() or len([r for r in cluster["sink"]() if r["rcpt_tos"] == ["gast@skalierung.example"]]) >= 2,
        timeout=120,
        what="the confirmation mail",
    )

    # --- an upload: through A into the bucket, out through B ----------------------------------------------------
    manager = requests.Session()
    login = manager.get(web_a + "/accounts/login/", timeout=30)
    logged_in = manager.post(
        web_a + "/accounts/login/", data={"csrfmiddlewaretoken": csrf_token(login.text), "login": manager_x.email, "password": PASSWORD}, timeout=30
    )
    assert logged_in.status_code == 200 and "/accounts/login/" not in logged_in.url, logged_in.text[:500]
    files_url = f"/manage/{world.network_x.slug}/meetings/{meeting.pk}/attachments/"
    files_page = manager.get(web_b + files_url, timeout=30)  # the session lives in PostgreSQL: B knows the login from A
    assert files_page.status_code == 200, files_page.text[:500]
    pdf = _blank_pdf()
    uploaded = manager.post(
        web_a + files_url,
        data={"csrfmiddlewaretoken": csrf_token(files_page.text), "kind": MeetingAttachment.Kind.DOCUMENT, "title": "Protokoll"},
        files={"file": ("protokoll.pdf", pdf, "application/pdf")},
        timeout=60,
    )
    assert uploaded.status_code == 200, uploaded.text[:500]
    attachment = MeetingAttachment.objects.get(meeting=meeting)
    stored = cluster["bucket"].get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored == pdf
    assert not any(cluster["media_root"].rglob("*")), "a web process wrote to its local MEDIA_ROOT"
    download = f"/manage/{world.network_x.slug}/meetings/{meeting.pk}/attachments/{attachment.pk}/download/"
    fetched = manager.get(web_b + download, timeout=60)
    assert fetched.status_code == 200 and fetched.content == pdf
    assert fetched.headers["Content-Type"] == "application/pdf" and fetched.headers["X-Content-Type-Options"] == "nosniff"
    outsider = requests.Session()
    login = outsider.get(web_b + "/accounts/login/", timeout=30)
    outsider.post(
        web_b + "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf_token(login.text), "login": world.users["manager_y"].email, "password": PASSWORD},
        timeout=30,
    )
    for web in (web_a, web_b):
        assert outsider.get(web + download, timeout=30).status_code == 404

    # --- an Infobrief: started on B, delivered by the workers, done on A ----------------------------------------
    contacts = factories.recipients(world.network_x, 30, prefix="scale")
    letter = factories.infobrief(world.network_x, subject="Infobrief Skalierung")
    send_url = f"/manage/{world.network_x.slug}/infobrief/{letter.pk}/send/"
    send_page = manager.get(web_b + send_url, timeout=30)
    assert send_page.status_code == 200, send_page.text[:500]
    started = manager.post(web_b + send_url, data={"csrfmiddlewaretoken": csrf_token(send_page.text), "mode": "now", "confirm": "1"}, timeout=60)
    assert started.status_code == 200 and "/progress/" in started.url, started.text[:500]
    expected = {c.email for c in contacts}

    def delivered() -> list[str]:
        procs.check_alive()
        got = [r["rcpt_tos"][0] for r in cluster["sink"]() if r["subject"] == "Infobrief Skalierung"]
        return got if set(got) >= expected else []

    got = wait_for(delivered, timeout=180, what="the Infobrief at every recipient")
    assert sorted(got) == sorted(expected), "a recipient got the Infobrief twice"
    wait_for(lambda: Infobrief.objects.get(pk=letter.pk).status == Infobrief.Status.SENT, timeout=60, what="the Infobrief to be marked sent")
    assert Delivery.objects.filter(infobrief=letter, status=Delivery.Status.SENT).count() == len(expected)
    progress = manager.get(web_a + urlsplit(started.url).path, timeout=30)
    assert progress.status_code == 200 and "Infobrief Skalierung" in progress.text
