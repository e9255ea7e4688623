"""Reaching the real services; with CI=true a missing service fails the test instead of skipping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require(name: str, reason: str | None) -> None:
    """Skip (locally) or fail (CI) when `reason` says the service is missing."""
    if reason is None:
        return
    message = f"{name} unavailable: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        require("Redis", "REDIS_URL is not set")
    parsed = urllib.parse.urlparse(url)
    require("Redis", None if _reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379) else f"nothing listens at {url}")
    return url


def require_postgres() -> None:
    from django.db import connection

    require("PostgreSQL", None if connection.vendor == "postgresql" else "DATABASE_URL does not point to PostgreSQL")


def require_chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    require("Chromium", None if os.path.exists(path) else f"{path} not found (apt-get install chromium)")
    return path


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker process that must see the rows this test commits."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_celery_worker(queue: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """A real Celery worker (solo pool) on one queue, in its own process; the caller terminates it."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "verbund", "worker", "--pool=solo", "-Q", queue]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
