"""`make bench`: a large world, the real portal beside a bare Django project of the same shapes, and the figures.

bench.world builds the data, bench.bare is the ceiling, bench.run measures (see bench/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432"


def database_url(name: str, base: str | None = None) -> str:
    """`base` (a DATABASE_URL) with its database name replaced by `name`."""
    parts = urlsplit(base or os.environ.get("DATABASE_URL") or f"{PG_DEFAULT}/verbund_bench")
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_url(url: str) -> str:
    """The same server's maintenance database, to create and drop the bench databases."""
    return database_url("postgres", url)
