"""Reaching the real services; with CI=true a missing service fails the test instead of skipping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

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


class CeleryWorker:
    """A real Celery worker (solo pool) on one queue, in its own process.

    Its log is read on a thread, so that a test can wait for the worker to be ready before its own deadline starts
    (importing Django and Celery in a new process has taken most of a minute on a busy 2-core machine), and so that a
    failure shows what the worker said.
    """

    def __init__(self, queue: str, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "verbund", "worker", "--pool=solo", "-Q", queue]
            + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip())
            if " ready." in line:
                self._ready.set()
        self._ready.set()  # the process ended: waiting any longer is pointless

    def log(self) -> str:
        return "\n".join(self.lines[-40:])

    def wait_ready(self, timeout: float = 300) -> None:
        if not self._ready.wait(timeout) or self.process.poll() is not None:
            pytest.fail(f"the Celery worker did not start within {timeout:.0f} s:\n{self.log()}", pytrace=False)

    def wait_for(self, predicate: Callable[[], T], *, timeout: float, what: str, step: float = 0.2) -> T:
        """Poll `predicate` until it is truthy; fail with the worker's log when it stops or the deadline passes."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker stopped while waiting for {what}:\n{self.log()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; the worker said:\n{self.log()}", pytrace=False)
            time.sleep(step)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> CeleryWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_celery_worker(queue: str, env: dict[str, str]) -> CeleryWorker:
    """Start a worker and wait until it consumes; the caller stops it (or uses it as a context manager)."""
    worker = CeleryWorker(queue, env)
    try:
        worker.wait_ready()
    except BaseException:
        worker.stop()
        raise
    return worker
