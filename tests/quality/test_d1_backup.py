"""D-1: a backup restores to an identical database (QUALITY.md; the drill runs in the full profile).

The drill: a throwaway PostgreSQL, a database filled by the bench world (scale 0.1) and `seed_demo`, a media folder with awkward
files; ops/backup.sh writes a backup while a writer keeps inserting rows, ops/restore.sh restores it into a second,
fresh database and a second media folder and must find it identical to the manifest (dump and manifest share one
snapshot). The test then compares the two sides itself, without the scripts' own figures: every table's row count
and checksum (md5 over the rows' texts in a fixed order), every sequence, the schema as pg_dump prints it and
every file's sha256. Restoring must take less than two minutes.

The refusals (a tampered file, a target that is not empty) and retention need no drill: they run in the ci
profile against the test database, unanchored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.processes import ROOT, ThrowawayPostgres

BACKUP = ROOT / "ops" / "backup.sh"
RESTORE = ROOT / "ops" / "restore.sh"
MAX_RESTORE_SECONDS = 120
WORLD_SCALE = os.environ.get("D1_WORLD_SCALE", "0.1")  # about 76,000 rows
STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def script_env(*, database_url: str, media_root: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k not in {"DATABASE_URL", "MEDIA_ROOT", "REDIS_URL"}}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["DATABASE_URL"] = database_url
    env["MEDIA_ROOT"] = str(media_root) if media_root else ""
    env.update(extra)
    return env


def run(argv: list[str | Path], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def table_figures(url: str) -> dict[str, tuple[int, str]]:
    """Row count and md5 over the rows' texts (sorted bytewise) per table of the public schema."""
    import psycopg
    from psycopg import sql

    figures = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        ]
        for table in tables:
            query = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\"), '')) FROM public.{} AS t")
            count, checksum = conn.execute(query.format(sql.Identifier(table))).fetchone()
            figures[table] = (count, checksum)
    return figures


def sequence_values(url: str) -> dict[str, tuple[int | None, bool]]:
    import psycopg
    from psycopg import sql

    values = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for (name,) in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall():
            last, called = conn.execute(sql.SQL("SELECT last_value, is_called FROM public.{}").format(sql.Identifier(name))).fetchone()
            values[name] = (last, called)
    return values


def schema_text(url: str) -> list[str]:
    """The schema as pg_dump prints it, without the random \\restrict keys of newer pg_dump versions."""
    result = subprocess.run(["pg_dump", "--schema-only", "--no-owner", url], capture_output=True, text=True, timeout=120, check=True)
    return [line for line in result.stdout.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]


def reparsed_schema_text(pg: ThrowawayPostgres, url: str) -> list[str]:
    """The schema of `url` after PostgreSQL has read it back once from pg_dump's text.

    A restore re-parses expressions, and a few come back spelled differently though they mean the same (an index
    predicate `x = ANY ((ARRAY['a'::varchar])::text[])` returns as `x = ANY (ARRAY[('a'::varchar)::text])`). The
    restored schema is compared with the source's schema after the same round trip, so only real differences count.
    """
    pg.psql("CREATE DATABASE verbund_d1_schema")
    dump = subprocess.run(["pg_dump", "--schema-only", "--no-owner", url], capture_output=True, text=True, timeout=120, check=True)
    load = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", pg.url("verbund_d1_schema")], input=dump.stdout, capture_output=True, text=True, timeout=120
    )
    assert load.returncode == 0, load.stderr
    return schema_text(pg.url("verbund_d1_schema"))


def file_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def diff_count(left: dict, right: dict) -> list[str]:
    return [f"{key}: {left.get(key)!r} vs {right.get(key)!r}" for key in sorted(left.keys() | right.keys()) if left.get(key) != right.get(key)]


def make_media(root: Path) -> None:
    """Files as uploads leave them, plus the awkward ones: umlauts, spaces, empty, nested, binary, a few MB."""
    rnd = random.Random(2013)
    for index in range(40):
        folder = root / "documents" / "2026" / f"{index % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Protokoll {index:03d} – Sitzung.pdf").write_bytes(b"%PDF-1.7\n" + rnd.randbytes(rnd.randint(100, 60_000)))
    (root / "logos").mkdir()
    (root / "logos" / "Förderer_Müller & Söhne.png").write_bytes(rnd.randbytes(3 * 1024 * 1024))
    (root / "logos" / "leer.svg").write_bytes(b"")
    (root / "newsletters" / "images" / "tief" / "verschachtelt").mkdir(parents=True)
    (root / "newsletters" / "images" / "tief" / "verschachtelt" / "bild.jpg").write_bytes(rnd.randbytes(12_345))


class ConcurrentWriter:
    """Inserts rows into d1_writes, one transaction each, from before the backup starts until it has finished."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.rows = 0
        self.rows_before_backup = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                while not self.stop.is_set():
                    conn.execute("INSERT INTO d1_writes (payload) VALUES (%s)", [f"Schreiben {self.rows} – während der Sicherung"])
                    self.rows += 1
                    time.sleep(0.002)
        except BaseException as e:  # noqa: BLE001 — reported by __exit__
            self.error = e

    def __enter__(self) -> ConcurrentWriter:
        self.thread.start()
        deadline = time.monotonic() + 30
        while self.rows < 20 and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        self.rows_before_backup = self.rows
        assert self.rows_before_backup >= 20, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)  # writes after the backup's end, too
        self.stop.set()
        self.thread.join(timeout=30)
        assert self.error is None, self.error


@pytest.mark.services
@pytest.mark.full_only
@pytest.mark.anchor("D-1")
def test_d1_a_backup_restores_to_an_identical_database(tmp_path, anchor):
    pg = ThrowawayPostgres().start()
    try:
        source_url, target_url = pg.url("verbund_d1"), pg.url("verbund_d1_restored")
        media, restored_media, backups = tmp_path / "media", tmp_path / "media-restored", tmp_path / "backups"
        media.mkdir()
        django_env = script_env(database_url=source_url, media_root=media, VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="verbund.settings")
        # The bench world (COPY-built: organisations, contacts, memberships, meetings, registrations, Infobriefe; it
        # creates and migrates the database), then the demo data on top (accounts, minutes, qualification, history).
        for argv in (["-m", "bench.world", "--scale", WORLD_SCALE, "--database-url", source_url], ["manage.py", "seed_demo"]):
            result = run([sys.executable, *argv], django_env, timeout=900)
            assert result.returncode == 0, result.stderr[-3000:]
        make_media(media)

        # Retention: an old backup goes, a recent one and anything that is not a backup folder stay.
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).strftime("%Y%m%dT%H%M%SZ")
        recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=29)).strftime("%Y%m%dT%H%M%SZ")
        for name in (old, recent, "handmade-copy"):
            (backups / name).mkdir(parents=True)

        # Writes go on while the backup runs: the dump and the manifest must still describe one moment.
        pg.psql("CREATE TABLE d1_writes (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text)", database="verbund_d1")
        with ConcurrentWriter(source_url) as writer:
            started = time.monotonic()
            backup = run([BACKUP], script_env(database_url=source_url, media_root=media, BACKUP_DIR=str(backups), BACKUP_KEEP_DAYS="30"))
            backup_seconds = time.monotonic() - started
        assert backup.returncode == 0, backup.stderr
        folder = Path(backup.stdout.strip().splitlines()[-1])
        assert STAMP.match(folder.name) and folder.parent == backups
        assert sorted(p.name for p in backups.iterdir()) == sorted([folder.name, recent, "handmade-copy"])
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {"database.dump", "media.tar.gz", "media.sha256"} <= set(manifest["files"])
        assert manifest["migrations"]["members"] and manifest["git_commit"]

        started = time.monotonic()
        restore = run([RESTORE, folder], script_env(database_url=target_url, media_root=restored_media))
        restore_seconds = time.monotonic() - started
        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "0 differences" in restore.stderr

        # The test's own comparison, independent of the scripts' manifest; the table written during the backup
        # differs by design: the restored copy holds what the manifest counted, the source what came after too.
        source, target = table_figures(source_url), table_figures(target_url)
        (written, _), (restored_writes, _) = source.pop("d1_writes"), target.pop("d1_writes")
        assert restored_writes == manifest["tables"]["d1_writes"]["rows"]
        assert writer.rows_before_backup <= restored_writes < written, (writer.rows_before_backup, restored_writes, written)
        differences = diff_count(source, target)
        source_sequences, target_sequences = sequence_values(source_url), sequence_values(target_url)
        source_sequences.pop("d1_writes_id_seq"), target_sequences.pop("d1_writes_id_seq")
        differences += diff_count(source_sequences, target_sequences)
        source_schema, target_schema = reparsed_schema_text(pg, source_url), schema_text(target_url)
        differences += [f"schema line {n}: {a!r} vs {b!r}" for n, (a, b) in enumerate(zip(source_schema, target_schema)) if a != b]
        if len(source_schema) != len(target_schema):
            differences.append(f"schema: {len(source_schema)} lines vs {len(target_schema)}")
        files_before, files_after = file_hashes(media), file_hashes(restored_media)
        differences += diff_count(files_before, files_after)

        # The comparison can see a change: one altered row in the restored copy is one difference.
        pg.psql("UPDATE django_migrations SET name = name || '-x' WHERE id = (SELECT min(id) FROM django_migrations)", database="verbund_d1_restored")
        altered = table_figures(target_url)
        altered.pop("d1_writes")
        assert diff_count(source, altered) == [f"django_migrations: {source['django_migrations']!r} vs {altered['django_migrations']!r}"]

        # Restoring over a database in use (the altered copy, a stray file) is refused, and with --force replaces it.
        (restored_media / "stray.txt").write_text("nicht aus der Sicherung")
        refused = run([RESTORE, folder], script_env(database_url=target_url, media_root=restored_media))
        assert refused.returncode == 2, refused.stderr
        started = time.monotonic()
        forced = run([RESTORE, "--force", folder], script_env(database_url=target_url, media_root=restored_media))
        restore_seconds = max(restore_seconds, time.monotonic() - started)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        replaced = table_figures(target_url)
        replaced.pop("d1_writes")
        differences += diff_count(source, replaced)
        differences += diff_count(files_before, file_hashes(restored_media))

        rows = sum(count for count, _ in source.values())
        anchor(
            tables=len(source),
            rows=rows,
            files=len(files_before),
            differences=len(differences),
            max_backup_seconds=round(backup_seconds, 1),
            max_restore_seconds=round(restore_seconds, 1),
        )
        assert len(source) >= 50 and rows >= 10_000 and len(files_before) >= 40, "the drill needs a filled database and media"
        assert manifest["totals"] == {"tables": len(source) + 1, "rows": rows + restored_writes}
        assert not differences, "\n".join(differences[:50])
        assert restore_seconds < MAX_RESTORE_SECONDS
    finally:
        pg.stop()


# --- refusals and retention (ci profile, the test database, no drill) ------------------------------------


@pytest.fixture
def test_database_url(db) -> str:
    """The pytest test database as a URL for the scripts (it has tables: a restore into it must be refused)."""
    from django.db import connection

    from tests.services import require_postgres

    require_postgres()
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def a_backup(test_database_url, tmp_path) -> Path:
    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "Anlage 1.pdf").write_bytes(b"%PDF-1.7\nInhalt")
    result = run([BACKUP], script_env(database_url=test_database_url, media_root=media, BACKUP_DIR=str(tmp_path / "backups")), timeout=300)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.mark.services
def test_restore_refuses_a_tampered_dump_before_touching_anything(a_backup, tmp_path):
    dump = a_backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit
    dump.write_bytes(bytes(data))
    # A target nobody listens on: the refusal must come before any connection is tried.
    target_media = tmp_path / "target-media"
    result = run([RESTORE, "--force", a_backup], script_env(database_url="postgres://postgres@127.0.0.1:1/never_touched", media_root=target_media))
    assert result.returncode == 3, result.stderr
    assert "database.dump: sha256" in result.stderr and "refused" in result.stderr
    assert not target_media.exists()


@pytest.mark.services
def test_restore_refuses_a_missing_media_archive(a_backup):
    (a_backup / "media.tar.gz").unlink()
    result = run([RESTORE, a_backup], script_env(database_url="postgres://postgres@127.0.0.1:1/never_touched", media_root=None))
    assert result.returncode == 3 and "media.tar.gz: missing" in result.stderr


@pytest.mark.services
def test_restore_refuses_a_database_that_is_not_empty_without_force(a_backup, test_database_url, tmp_path):
    result = run([RESTORE, a_backup], script_env(database_url=test_database_url, media_root=tmp_path / "empty-media"))
    assert result.returncode == 2, result.stderr
    assert "refused" in result.stderr and "--force" in result.stderr


@pytest.mark.services
def test_a_dump_that_pg_restore_rejects_leaves_the_new_database_empty(a_backup, test_database_url, tmp_path):
    """A dump damaged before its checksum was taken passes the sha256 check; pg_restore stops and commits nothing."""
    import psycopg

    dump = a_backup / "database.dump"
    dump.write_bytes(b"PGDMP" + bytes(4096))
    manifest = json.loads((a_backup / "manifest.json").read_text())
    manifest["files"]["database.dump"]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (a_backup / "manifest.json").write_text(json.dumps(manifest))
    server, name = test_database_url.rsplit("/", 1)
    target = f"{server}/{name}_d1_target"
    try:
        result = run([RESTORE, a_backup], script_env(database_url=target, media_root=tmp_path / "target-media"))
        assert result.returncode == 4, result.stderr
        assert "pg_restore failed" in result.stderr
        with psycopg.connect(target) as conn:
            assert conn.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'").fetchone() == (0,)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_d1_target" WITH (FORCE)')


@pytest.mark.services
def test_backup_writes_a_manifest_of_the_database_and_the_files(a_backup):
    manifest = json.loads((a_backup / "manifest.json").read_text())
    assert manifest["format"] == 1 and manifest["media"] == {"files": 1}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((a_backup / name).read_bytes()).hexdigest() == entry["sha256"], name
    assert manifest["tables"]["members_organisation"]["checksum"]
    assert manifest["totals"]["tables"] == len(manifest["tables"]) >= 50
    assert "verbund" in manifest["migrations"]
    assert not (a_backup / "database.json").exists()
    assert not list(a_backup.parent.glob(".*.partial"))


@pytest.mark.services
def test_backup_refuses_a_malformed_retention(test_database_url, tmp_path):
    env = script_env(database_url=test_database_url, media_root=None, BACKUP_DIR=str(tmp_path / "b"), BACKUP_KEEP_DAYS="a month")
    result = run([BACKUP], env)
    assert result.returncode != 0 and "BACKUP_KEEP_DAYS" in result.stderr
    assert not (tmp_path / "b").exists()


def test_a_sequence_may_trail_the_manifest_but_never_fall_below_the_rows():
    from ops.manifest import differences

    backed_up = {"sequences": {"s": {"last_value": 240, "max_used": 57}}}
    assert differences(backed_up, {"sequences": {"s": {"last_value": 240, "max_used": 57}}}) == []
    assert differences(backed_up, {"sequences": {"s": {"last_value": 57, "max_used": 57}}}) == []  # written during the dump
    assert len(differences(backed_up, {"sequences": {"s": {"last_value": 56, "max_used": 57}}})) == 1  # would hand out 57 again
    assert len(differences(backed_up, {"sequences": {"s": {"last_value": 241, "max_used": 57}}})) == 1
    assert len(differences(backed_up, {"sequences": {"s": {"last_value": 240, "max_used": 58}}})) == 1
    assert differences(backed_up, {"sequences": {}}) == ["sequence s: missing after the restore"]
    assert differences({"tables": {"t": {"rows": 1, "checksum": "a"}}}, {"tables": {"t": {"rows": 1, "checksum": "b"}}})
