"""R-3: a PostgreSQL restart under load loses no acknowledged write (QUALITY.md; full profile).

A throwaway PostgreSQL holds a copy of this test's database (20 managers with their sessions); the portal runs on it
in gunicorn as in production (DEBUG off, persistent connections with health checks). Twenty simulated users create
organisations through the real form for 120 s; at 30 s the server is restarted with `pg_ctl restart -m fast`.
Afterwards every organisation whose creation was answered with the redirect (the acknowledgement) must be in the
database, and the only errors are the friendly 503 page within 10 s of the restart.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user
from tests.members.test_duplicates import org_post
from tests.processes import Processes, ThrowawayPostgres, csrf_token, free_port, wait_for
from tests.services import database_url, require_postgres, require_redis
from verbund.models import ManagerRole

pytestmark = [pytest.mark.services, pytest.mark.full_only, pytest.mark.anchor("R-3"), pytest.mark.django_db(transaction=True)]

USERS = 20
SECONDS = int(os.environ.get("R3_SECONDS", "120"))
RESTART_AT = int(os.environ.get("R3_RESTART_AT", "30"))
WINDOW = 10  # seconds around the restart in which errors are allowed


@dataclass
class Outcome:
    started: float
    ended: float
    name: str
    status: int | None  # None: no HTTP answer at all
    friendly: bool


def organisation_post(name: str, token: str) -> dict[str, str]:
    return org_post(name, csrfmiddlewaretoken=token, create_anyway="on")


def test_r3_a_postgresql_restart_under_load_loses_no_acknowledged_write(world, tmp_path, anchor, settings):
    import requests

    require_postgres()
    redis_url = require_redis()
    settings.SECRET_KEY = "r3-restart-test-" + uuid.uuid4().hex * 2  # production refuses the development key; sessions are signed with this one
    sessions = []
    for index in range(USERS):
        user = make_user(f"r3-manager-{index:02d}@example.org")
        ManagerRole.objects.create(user=user, network=world.network_x, role=ManagerRole.Role.MANAGER)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)

    pg = ThrowawayPostgres().start()
    procs = Processes(tmp_path)
    try:
        pg.copy_database(database_url(), "verbund_r3")
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.scale_settings",  # production, with static files from the finders
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": origin,
            "CSRF_TRUSTED_ORIGINS": origin,
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "MFA_REQUIRED_FOR_MANAGERS": "false",
            "DATABASE_URL": pg.url("verbund_r3"),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "VAR_DIR": str(tmp_path / "var"),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("CI", None)
        procs.start("web", [sys.executable, "-m", "gunicorn", "verbund.wsgi:application", "-c", "gunicorn.conf.py"], env)

        def healthy() -> bool:
            procs.check_alive()
            try:
                return requests.get(f"{origin}/health/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_for(healthy, timeout=240, what="gunicorn to answer /health/")

        create_url = origin + reverse("directory:organisation_create", kwargs={"network_slug": world.network_x.slug})
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        start = time.monotonic()
        stop_at = start + SECONDS

        def user_loop(index: int, session_id: str) -> None:
            http = requests.Session()
            http.cookies.set(settings.SESSION_COOKIE_NAME, session_id, domain="127.0.0.1")
            token = None
            number = 0
            while time.monotonic() < stop_at:
                began = time.monotonic() - start
                try:
                    if token is None:
                        page = http.get(create_url, timeout=30)
                        if page.status_code == 200:
                            token = csrf_token(page.text)
                            continue
                        status, friendly, name = page.status_code, "gleich wieder da" in page.text, ""
                    else:
                        number += 1
                        name = f"R3 {index:02d}-{number:05d} {uuid.uuid4().hex[:10]}"
                        answer = http.post(create_url, organisation_post(name, token), allow_redirects=False, timeout=30)
                        status, friendly = answer.status_code, "gleich wieder da" in answer.text
                except requests.RequestException:
                    status, friendly, name = None, False, ""
                with lock:
                    outcomes.append(Outcome(began, time.monotonic() - start, name, status, friendly))
                if status not in (200, 302):
                    time.sleep(0.2)  # as a person would, before reloading

        threads = [threading.Thread(target=user_loop, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, start + RESTART_AT - time.monotonic()))
        restart_began = time.monotonic() - start
        pg.restart()
        restart_ended = time.monotonic() - start
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        procs.check_alive()

        writes = [o for o in outcomes if o.name]
        acknowledged = {o.name for o in writes if o.status == 302}
        stored = set(pg.psql("SELECT name FROM members_organisation WHERE name LIKE 'R3 %'", "verbund_r3").splitlines())
        lost = acknowledged - stored
        errors = [o for o in outcomes if o.status not in (200, 302)]
        distance = [max(0.0, restart_began - o.ended, o.started - restart_ended) for o in errors]
        outside = [o for o, d in zip(errors, distance, strict=True) if d > WINDOW]
        unfriendly = [o for o in errors if o.status != 503 or not o.friendly]

        statuses = collections.Counter((o.status, bool(o.name)) for o in outcomes)
        assert len(acknowledged) >= USERS * 5, (
            f"too little load to prove anything: {len(acknowledged)} acknowledged writes; (status, write): {statuses}\n{procs.tail('web', 60)}"
        )
        assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {sorted(lost)[:3]}"
        assert not outside, f"{len(outside)} errors more than {WINDOW} s from the restart ({restart_began:.1f}–{restart_ended:.1f} s): {outside[:3]}"
        assert not unfriendly, f"{len(unfriendly)} errors that were not the friendly 503: {unfriendly[:3]}\n{procs.tail('web')}"
        anchor(
            users=USERS,
            seconds=SECONDS,
            restart_at=RESTART_AT,
            acknowledged=len(acknowledged),
            lost=len(lost),
            errors=len(errors),
            max_error_window=round(max(distance, default=0.0), 1),
            friendly_503=not unfriendly,
            restart_seconds=round(restart_ended - restart_began, 1),
        )
    finally:
        procs.stop_all()
        pg.stop()
