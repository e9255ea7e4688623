"""The manifest of a backup folder (ops/backup.sh, ops/restore.sh): written once, checked before and after a restore.

    manifest.py write FOLDER --stamp … --database … --commit … --started-ns …
        manifest.json from FOLDER/database.json (the figures the database query wrote) and the files beside it.
    manifest.py verify-files FOLDER
        exit 3 when a file is missing or its sha256 differs from the manifest (nothing has been touched yet).
    manifest.py compare FOLDER FACTS_JSON
        the restored database's figures against the manifest: one line per difference, exit 1 when there is any.

Standard library only: it runs in the app image and on any host with Python 3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

FORMAT = 1
FILES = ("database.dump", "media.tar.gz", "media.sha256")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def media_summary(folder: Path) -> dict[str, int] | None:
    listing = folder / "media.sha256"
    if not listing.exists():
        return None
    lines = [line for line in listing.read_text(encoding="utf-8", errors="surrogateescape").splitlines() if line]
    return {"files": len(lines)}


def write(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    facts = json.loads((folder / "database.json").read_text(encoding="utf-8"))
    tables = facts["tables"]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.strptime(args.stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC).isoformat(),
        "database": args.database,
        "git_commit": args.commit,
        "backup_seconds": round((time.time_ns() - args.started_ns) / 1e9, 3),
        "migrations": facts["migrations"],
        "totals": {"tables": len(tables), "rows": sum(t["rows"] for t in tables.values())},
        "media": media_summary(folder),
        "files": {name: {"sha256": sha256_of(folder / name), "bytes": (folder / name).stat().st_size} for name in FILES if (folder / name).exists()},
        "tables": tables,
        "sequences": facts["sequences"],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def load(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"no readable manifest.json in {folder}: {e}", file=sys.stderr)
        raise SystemExit(3) from e


def verify_files(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    manifest = load(folder)
    if manifest.get("format") != FORMAT or "database.dump" not in manifest.get("files", {}):
        print(f"{folder}/manifest.json is not a backup manifest of format {FORMAT}", file=sys.stderr)
        return 3
    bad = 0
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists():
            print(f"{name}: missing", file=sys.stderr)
            bad += 1
        elif (actual := sha256_of(path)) != expected["sha256"]:
            print(f"{name}: sha256 {actual} does not match the manifest's {expected['sha256']}", file=sys.stderr)
            bad += 1
    if manifest.get("media") is not None and "media.tar.gz" not in manifest["files"]:
        print("the manifest lists media but no media.tar.gz", file=sys.stderr)
        bad += 1
    return 3 if bad else 0


def sequence_restored(want: dict[str, Any], got: dict[str, Any]) -> bool:
    """Sequences stand outside transactions: pg_dump reads each one's value when it gets to it, the manifest a moment
    later, so under writes the manifest may be ahead. The restored value is right when it equals the manifest's, or
    lies below it but at or above every value the restored rows use (the next id is free)."""
    if want == got:
        return True
    last, backed_up, used = got["last_value"] or 0, want["last_value"] or 0, got["max_used"] or 0
    return got["max_used"] == want["max_used"] and used <= last <= backed_up


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for section in ("tables", "sequences", "migrations"):
        want, got = expected.get(section, {}), actual.get(section, {})
        for name in sorted(want.keys() | got.keys()):
            if name not in got:
                found.append(f"{section[:-1]} {name}: missing after the restore")
            elif name not in want:
                found.append(f"{section[:-1]} {name}: not in the backup")
            elif want[name] != got[name] and not (section == "sequences" and sequence_restored(want[name], got[name])):
                found.append(f"{section[:-1]} {name}: {json.dumps(want[name])} in the backup, {json.dumps(got[name])} restored")
    return found


def compare(args: argparse.Namespace) -> int:
    manifest = load(Path(args.folder))
    actual = json.loads(Path(args.facts).read_text(encoding="utf-8"))
    found = differences(manifest, actual)
    for line in found:
        print(line)
    tables = manifest["totals"]["tables"]
    print(f"database: {tables} tables, {manifest['totals']['rows']} rows compared: {len(found)} differences", file=sys.stderr)
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    w = commands.add_parser("write")
    w.add_argument("folder")
    w.add_argument("--stamp", required=True)
    w.add_argument("--database", required=True)
    w.add_argument("--commit", default="unknown")
    w.add_argument("--started-ns", type=int, required=True)
    w.set_defaults(run=write)
    v = commands.add_parser("verify-files")
    v.add_argument("folder")
    v.set_defaults(run=verify_files)
    c = commands.add_parser("compare")
    c.add_argument("folder")
    c.add_argument("facts")
    c.set_defaults(run=compare)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
