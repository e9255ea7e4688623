"""Personas in two networks and three organisations (like healthchecks' alice/bob/charlie).

Network X has organisations A and B as members; network Y has organisation C.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress

from members.models import Contact, Membership, Organisation
from members.services import organisation_refresh_search
from verbund.models import ManagerRole, Network, User

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-9"


def make_user(email: str, *, staff: bool = False) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, is_staff=staff, is_superuser=staff)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@dataclass
class World:
    network_x: Network
    network_y: Network
    org_a: Organisation
    org_b: Organisation
    org_c: Organisation
    users: dict[str, User | None]


PERSONAS = [
    "anonymous",
    "member_a_x",
    "member_b_x",
    "member_c_y",
    "manager_x",
    "manager_y",
    "manager_xy",
    "staff",
]


@pytest.fixture
def world(db) -> World:
    network_x = Network.objects.create(name="Netzwerk X", slug="netz-x", goals="Ziel X-CANARY", rules_of_play="Regel X")
    network_y = Network.objects.create(name="Netzwerk Y", slug="netz-y", goals="Ziel Y-CANARY", rules_of_play="Regel Y")
    org_a = Organisation.objects.create(name="Alpha GmbH", postcode="48431", municipality="Rheine", employees=12)
    org_b = Organisation.objects.create(name="Beta KG", postcode="48565", municipality="Steinfurt", employees=80)
    org_c = Organisation.objects.create(name="Gamma AG", postcode="49477", municipality="Ibbenbüren", employees=400)
    for org in (org_a, org_b, org_c):
        organisation_refresh_search(org)  # the folded search columns, as organisation_create writes them
    Membership.objects.create(organisation=org_a, network=network_x)
    Membership.objects.create(organisation=org_b, network=network_x)
    Membership.objects.create(organisation=org_c, network=network_y)

    users: dict[str, User | None] = {"anonymous": None}
    for key, org in [("member_a_x", org_a), ("member_b_x", org_b), ("member_c_y", org_c)]:
        user = make_user(f"{key}@example.org")
        Contact.objects.create(organisation=org, first_name="Mia", last_name=key, email=user.email, user=user, is_primary=True)
        users[key] = user
    for key, networks in [("manager_x", [network_x]), ("manager_y", [network_y]), ("manager_xy", [network_x, network_y])]:
        user = make_user(f"{key}@example.org")
        for network in networks:
            ManagerRole.objects.create(user=user, network=network, role=ManagerRole.Role.MANAGER)
        users[key] = user
    users["staff"] = make_user("staff@example.org", staff=True)
    return World(network_x, network_y, org_a, org_b, org_c, users)


@pytest.fixture
def manager_x(world: World) -> User:
    return world.users["manager_x"]  # type: ignore[return-value]


@pytest.fixture
def manager_y(world: World) -> User:
    return world.users["manager_y"]  # type: ignore[return-value]


@pytest.fixture
def member_a_x(world: World) -> User:
    return world.users["member_a_x"]  # type: ignore[return-value]


@pytest.fixture(autouse=True, scope="session")
def _own_cache_per_test_process(worker_id):
    """`make test` runs in two processes (pytest-xdist): each gets a Redis database of its own for the cache, so that a
    test's `cache.clear()` (Redis FLUSHDB) or rate limit never reaches into the other's. The broker stays as configured."""
    from django.conf import settings as django_settings
    from django.test.utils import override_settings

    cache = django_settings.CACHES["default"]
    if worker_id == "master" or "redis" not in cache["BACKEND"].lower():
        yield
        return
    url = urllib.parse.urlsplit(str(cache["LOCATION"]))
    number = (int(url.path.strip("/") or 0) + int(worker_id.removeprefix("gw"))) % 16
    location = urllib.parse.urlunsplit(url._replace(path=f"/{number}"))
    with override_settings(CACHES={"default": {**cache, "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploads and rendered files of a test land in a directory of its own, never in var/media.

    With TEST_STORAGE=s3 they land in a bucket of moto's in-process S3 instead, through django-storages as in
    production with S3_BUCKET set (docs/DEPLOYMENT.md): any code that still reads or writes files on disk fails.
    """
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    if os.environ.get("TEST_STORAGE", "") != "s3":
        yield
        return
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="verbund-test")
        options = {"bucket_name": "verbund-test", "region_name": "us-east-1", "access_key": "test", "secret_key": "test"}
        options |= {"signature_version": "s3v4", "default_acl": None, "file_overwrite": False, "max_memory_size": 2 * 1024 * 1024}
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media-unused")
        yield


@pytest.fixture(autouse=True)
def _german_after_each_test():
    """A request in English leaves English active in the thread (LocaleMiddleware never resets it): start every test in German."""
    from django.conf import settings as django_settings
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _background_jobs_inline(settings) -> None:
    """Background jobs run where they are enqueued, not in a server thread: a test sees the finished job."""
    settings.BACKGROUND_THREADS = False


@pytest.fixture
def mailoutbox_files(settings, tmp_path):
    """Route both mailers to .eml files in tmp_path (the embedded default) and read them back."""
    mail_dir = tmp_path / "mail"
    settings.MAILERS = {
        "default": {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(mail_dir)}},
        "newsletter": {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(mail_dir)}},
    }

    def read() -> list[str]:
        return [p.read_text() for p in sorted(mail_dir.glob("*.eml"))] if mail_dir.exists() else []

    from verbund.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield read
    app.conf.task_always_eager = eager


def start_smtp_sink(out, *args: str):
    """tests/smtp_sink.py (aiosmtpd) in its own process, writing accepted messages to `out`; returns (process, port)."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "tests/smtp_sink.py", "--out", str(out), *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("LISTENING"), line
    return proc, int(line.split()[1])


@pytest.fixture
def smtp_sink(tmp_path):
    """A real SMTP server (aiosmtpd) in its own process; yields (port, read_messages)."""
    import json

    out = tmp_path / "smtp.jsonl"
    proc, port = start_smtp_sink(out)

    def read() -> list[dict]:
        if not out.exists():
            return []
        return [json.loads(row) for row in out.read_text().splitlines() if row.strip()]

    yield port, read
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def member_b_x(world: World) -> User:
    return world.users["member_b_x"]  # type: ignore[return-value]


def mail_text(raw: str) -> str:
    """The decoded text/plain part of a stored message."""
    import email

    message = email.message_from_string(raw)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


# --- Chromium (Debian's /usr/bin/chromium through Playwright) ------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """One Chromium per test process, for tests/browser/ and the browser checks elsewhere (a second sync Playwright in
    the same process fails: "Sync API inside the asyncio loop")."""
    from playwright.sync_api import expect, sync_playwright

    from tests.services import require_chromium

    # The tests wait with expect(...) for what a page shows instead of reading it at one instant. On a busy CI machine a
    # page load can take longer than Playwright's 5 s default; the same 30 s as for actions and wait_for().
    expect.set_options(timeout=30_000)
    path = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
