"""Child processes and ports for the tests that run real servers (gunicorn, Celery, redis-server, PostgreSQL)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, step: float = 0.25):
    """Poll until `predicate()` is truthy; fail naming `what` after `timeout` seconds (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)
        time.sleep(step)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Processes:
    """Child processes in their own process groups; all are stopped at the end, whatever happened."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.running.append((name, proc))
        return proc

    def check_alive(self) -> None:
        for name, proc in self.running:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{self.tail(name)}", pytrace=False)

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop_all(self) -> None:
        for _name, proc in reversed(self.running):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.running):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (initdb, pg_ctl) of the machine's version: they are not on PATH on Debian."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    path = str(found[-1]) if found else shutil.which(name)
    if not path:
        pytest.fail(f"{name} not found (apt-get install postgresql)", pytrace=False)
    return path


class ThrowawayPostgres:
    """A PostgreSQL server of its own (initdb into a temporary directory, a free port), for tests that stop or restart it.

    PostgreSQL refuses to run as root, so on a root machine its programs run as the `postgres` system user, in a
    directory of its own under /tmp (pytest's tmp_path is private to root). `stop()` removes the directory.
    """

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="verbund-pg-"))
        self.data = self.base / "pgdata"
        self.port = free_port()
        self.log = self.base / "postgres.log"
        self._as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *argv], capture_output=True, text=True, timeout=timeout, check=False)

    def _ctl(self, *args: str, timeout: float = 120) -> None:
        result = self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "90", *args, timeout=timeout)
        if result.returncode != 0:
            pytest.fail(f"pg_ctl {' '.join(args)} failed: {result.stderr}\n{self.log.read_text(errors='replace')[-2000:]}", pytrace=False)

    def start(self) -> ThrowawayPostgres:
        if self._as:
            shutil.chown(self.base, "postgres", "postgres")
        result = self._run(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        if result.returncode != 0:
            pytest.fail(f"initdb failed: {result.stderr}", pytrace=False)
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} -c max_connections=100"
        self._ctl("-o", options, "start")
        return self

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m fast`: sessions are disconnected, the server shuts down cleanly and starts again."""
        self._ctl("-m", mode, "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", self.url(database), "-c", sql], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            pytest.fail(f"psql failed: {result.stderr}", pytrace=False)
        return result.stdout.strip()

    def copy_database(self, source_url: str, database: str) -> None:
        """A copy of another server's database (schema and rows) through pg_dump | pg_restore."""
        self.psql(f'CREATE DATABASE "{database}"')
        dump = subprocess.run(["pg_dump", "-Fc", "--no-owner", source_url], capture_output=True, timeout=300, check=False)
        if dump.returncode != 0:
            pytest.fail(f"pg_dump failed: {dump.stderr.decode(errors='replace')}", pytrace=False)
        restore = subprocess.run(["pg_restore", "--no-owner", "-d", self.url(database)], input=dump.stdout, capture_output=True, timeout=300, check=False)
        if restore.returncode != 0:
            pytest.fail(f"pg_restore failed: {restore.stderr.decode(errors='replace')}", pytrace=False)
