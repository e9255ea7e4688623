"""R-1 and R-2 with real processes: a Celery worker (prefork) on a throwaway Redis of the test's own, a real SMTP sink,
and the test's own PostgreSQL database. Workers are killed (process group, one pool child), Redis is stopped at "send",
the sink answers 451 for 1 % and 550 for chosen addresses. Afterwards: every recipient has the mail, duplicates only
for mails in flight at a kill, each traceable to a delivery with attempts >= 2.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from newsletters import sending
from newsletters.models import Delivery, Infobrief
from tests.newsletters import factories
from tests.processes import free_port, listening
from tests.services import require_postgres

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# QUALITY.md R-1: 5,000 recipients in the full profile, 1,000 in ci.
RECIPIENTS = {"ci": 1000, "full": 5000}


def wait_for(predicate, timeout: float = 60.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(step)
    return predicate()


class Redis:
    """A redis-server of the test's own (stopped and started at will)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: listening(self.port), timeout=10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


class Sink:
    def __init__(self, tmp: Path, *, fail_share: float = 0.0, reject: str = "", latency: float = 0.0) -> None:
        self.out = tmp / f"sink-{free_port()}.jsonl"
        args = [sys.executable, "tests/smtp_sink.py", "--out", str(self.out), "--fail-share", str(fail_share), "--latency", str(latency)]
        if reject:
            args += ["--reject", reject]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])

    def received(self) -> collections.Counter:
        if not self.out.exists():
            return collections.Counter()
        return collections.Counter(json.loads(line)["rcpt_tos"][0] for line in self.out.read_text().splitlines() if line.strip())

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()] if self.out.exists() else []

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Worker:
    """`celery worker` (prefork) in a process group of its own, so the whole group can be SIGKILLed."""

    def __init__(self, env: dict[str, str], *, concurrency: int = 2) -> None:
        self.env = env
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "verbund",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill_group(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)


def reset_pool(app) -> None:
    """Producers are pooled per broker URL: drop the pool so the next one connects to the URL now configured."""
    from kombu import pools

    pools.reset()  # kombu keeps producer pools per connection in a global registry: clear it, not just ours
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def rig(tmp_path, settings):
    """Throwaway Redis, the Celery app pointed at it (not eager), the test database's URL for the worker."""
    require_postgres()
    from verbund.celery import app

    redis = Redis(tmp_path)
    redis.start()
    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = redis.url
    reset_pool(app)
    settings.REDIS_URL = redis.url
    settings.NEWSLETTER_CLAIM_TIMEOUT = 4
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    sinks: list[Sink] = []
    workers: list[Worker] = []

    class Rig:
        def sink(self, **kwargs) -> Sink:
            sink = Sink(tmp_path, **kwargs)
            sinks.append(sink)
            return sink

        def worker(self, sink: Sink, *, concurrency: int = 2, **extra: str) -> Worker:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "REDIS_URL": redis.url,
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "NEWSLETTER_EMAIL_HOST": "127.0.0.1",
                "NEWSLETTER_EMAIL_PORT": str(sink.port),
                "NEWSLETTER_RATE_PER_SECOND": "2000",
                "NEWSLETTER_BATCH_SIZE": "25",
                "NEWSLETTER_CLAIM_TIMEOUT": "4",
                "NEWSLETTER_BACKOFF_FACTOR": "0.02",
                **extra,
            }
            worker = Worker(env, concurrency=concurrency)
            workers.append(worker)
            worker.start()
            return worker

        redis_server = redis

    yield Rig()
    for worker in workers:
        worker.stop()
    for sink in sinks:
        sink.stop()
    redis.stop()
    app.conf.task_always_eager, app.conf.broker_url = before
    reset_pool(app)


def swept(predicate):
    sending.sweep()
    return predicate()


def sent_count(letter: Infobrief) -> int:
    return Delivery.objects.filter(infobrief=letter, status=Delivery.Status.SENT).count()


def finish(letter: Infobrief, settings, *, timeout: float = 240) -> None:
    """Run the sweeper (as beat would, every second here) until the Infobrief is done."""
    settings.NEWSLETTER_CLAIM_TIMEOUT = 4

    def done() -> bool:
        sending.sweep()
        letter.refresh_from_db()
        return letter.status == Infobrief.Status.SENT

    assert wait_for(done, timeout=timeout, step=1.0), sending.progress(letter)


def assert_everyone_once(letter: Infobrief, received: collections.Counter, *, allowed_duplicates: int, rejected: set[str] = frozenset()) -> list[str]:
    addresses = set(Delivery.objects.filter(infobrief=letter).values_list("email", flat=True))
    missing = [a for a in addresses - rejected if received[a] == 0]
    assert not missing, f"{len(missing)} recipients without the mail, e.g. {missing[:3]}"
    duplicates = [a for a, n in received.items() if n > 1]
    assert len(duplicates) <= allowed_duplicates, duplicates
    for address in duplicates:  # each second copy is traceable: its row was tried more than once
        assert Delivery.objects.get(infobrief=letter, email=address).attempts >= 2
    for address in rejected:
        assert received[address] == 0
        row = Delivery.objects.get(infobrief=letter, email=address)
        assert row.status == "failed" and row.smtp_code == 550
    return duplicates


@pytest.mark.anchor("R-1")
def test_r1_worker_group_and_a_pool_child_killed_451_and_550(rig, world, manager_x, settings, quality_profile, anchor):
    RECIPIENTS = globals()["RECIPIENTS"][quality_profile]
    contacts = factories.recipients(world.network_x, RECIPIENTS)
    rejected = {contacts[7].email, contacts[400 % RECIPIENTS].email}
    letter = factories.infobrief(world.network_x)
    sink = rig.sink(fail_share=0.01, reject=",".join(sorted(rejected)), latency=0.002)
    worker = rig.worker(sink, concurrency=2)
    sending.send_start(infobrief=letter, by=manager_x)  # commits the rows, then enqueues on the throwaway Redis
    assert wait_for(lambda: sent_count(letter) >= RECIPIENTS * 0.3, timeout=180), sending.progress(letter)
    worker.kill_group()  # the worker's process group, SIGKILL, at ~30 %
    worker = rig.worker(sink, concurrency=2)
    # The killed worker's tasks stay unacknowledged in Redis; the sweeper (beat in production) restarts the sending.
    assert wait_for(lambda: swept(lambda: sent_count(letter) >= RECIPIENTS * 0.6), timeout=180, step=1.0), sending.progress(letter)
    children = wait_for(worker.children, timeout=10)
    os.kill(children[0], signal.SIGKILL)  # one pool child at ~60 %
    finish(letter, settings)
    received = sink.received()
    addresses = set(Delivery.objects.filter(infobrief=letter).values_list("email", flat=True))
    anchor(recipients=RECIPIENTS, missing=sum(1 for a in addresses - rejected if received[a] == 0), allowed_duplicates=2 * 2)
    duplicates = assert_everyone_once(letter, received, allowed_duplicates=2 * 2, rejected=rejected)
    report = sending.progress(letter)
    assert report["failed"] == len(rejected) and report["sent"] == RECIPIENTS - len(rejected)
    anchor(duplicates=len(duplicates))
    print(f"R-1: {RECIPIENTS} recipients, {len(duplicates)} second copies after 2 kills, {report['failed']} failed (550)")


@pytest.mark.parametrize("point, duplicates", [("after_claim", 0), ("after_smtp", 1), ("after_mark", 0), ("between_batches", 0)])
@pytest.mark.anchor("R-1")
def test_r1_deterministic_fault_points(rig, world, manager_x, settings, tmp_path, point, duplicates, anchor):
    factories.recipients(world.network_x, 60)
    letter = factories.infobrief(world.network_x)
    sink = rig.sink()
    marker = tmp_path / f"fault-{point}"
    rig.worker(sink, concurrency=1, NEWSLETTER_FAULT_POINT=point, NEWSLETTER_FAULT_MARKER=str(marker), NEWSLETTER_PARALLEL_BATCHES="1")
    sending.send_start(infobrief=letter, by=manager_x)
    assert wait_for(marker.exists, timeout=60), "the fault point was never reached"
    finish(letter, settings, timeout=120)
    received = sink.received()
    assert sum(received.values()) == 60 + duplicates
    assert len(assert_everyone_once(letter, received, allowed_duplicates=duplicates)) == duplicates
    anchor(fault_points=1, fault_point_duplicates=sum(received.values()) - 60)


@pytest.mark.parametrize("inline_rows", [1000, 50], ids=["rows-in-the-request", "large-audience"])
@pytest.mark.anchor("R-2")
def test_r2_redis_down_at_send_loses_nothing(client, rig, world, manager_x, settings, inline_rows, anchor):
    # Above NEWSLETTER_INLINE_ROWS the first batch task makes the rows; with the broker away the request makes them.
    settings.NEWSLETTER_INLINE_ROWS = inline_rows
    factories.recipients(world.network_x, 120)
    letter = factories.infobrief(world.network_x)
    sink = rig.sink()
    rig.redis_server.stop()
    client.force_login(manager_x)
    started = time.monotonic()
    # Through the real view, as the manager clicks "send": no 500, the rows are committed, the answer is the progress page.
    url = reverse("newsletters:send", kwargs={"network_slug": world.network_x.slug, "pk": letter.pk})
    response = client.post(url, {"mode": "now", "confirm": "1"})
    assert response.status_code == 302, response.status_code
    assert time.monotonic() - started < 30, "enqueueing must give up within the socket timeout, not hang"
    letter.refresh_from_db()
    assert letter.status == Infobrief.Status.SENDING
    if inline_rows < 120:  # a large audience: the first batch task makes the rows; with the broker away the sweeper does
        sending.sweep()
    rows = Delivery.objects.filter(infobrief=letter, status="pending").count()
    anchor(errors=int(response.status_code >= 500), recipients=120, rows_committed=rows)
    assert rows == 120
    rig.redis_server.start()
    rig.worker(sink, concurrency=2)
    # "within two sweeper periods": each call of finish() is one sweep, once a second here.
    finish(letter, settings, timeout=120)
    received = sink.received()
    anchor(delivered=sum(1 for e in Delivery.objects.filter(infobrief=letter).values_list("email", flat=True) if received[e] == 1))
    assert_everyone_once(letter, received, allowed_duplicates=0)
    check_a_received_message(sink.records()[0], letter)


def check_a_received_message(record: dict, letter: Infobrief) -> None:
    """What the worker sent, as the SMTP server received it: headers, both parts, a working one-click unsubscribe."""
    import email
    import email.policy
    import re

    from django.test import Client

    from newsletters import services

    message = email.message_from_string(record["raw"], policy=email.policy.default)
    delivery = Delivery.objects.get(infobrief=letter, email=record["rcpt_tos"][0])
    assert message["Message-ID"] == delivery.message_id
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(https?://\S+)>", message["List-Unsubscribe"]).group(1)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Förderaufruf Digitalisierung" in text and "Förderaufruf Digitalisierung" in html and link in text
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    assert delivery.email in [e for _n, e in services.audience(letter).excluded["unsubscribed"]]


@pytest.mark.anchor("R-2")
def test_r2_frozen_redis_makes_enqueueing_fail_fast(rig, world, manager_x, settings, anchor):
    factories.recipients(world.network_x, 5)
    letter = factories.infobrief(world.network_x)
    os.kill(rig.redis_server.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        sending.send_start(infobrief=letter, by=manager_x)
        elapsed = time.monotonic() - started
    finally:
        os.kill(rig.redis_server.proc.pid, signal.SIGCONT)
    assert Delivery.objects.filter(infobrief=letter).count() == 5
    anchor(max_enqueue_seconds=round(elapsed, 1))
    assert elapsed < 30, f"enqueueing hung for {elapsed:.0f} s"
