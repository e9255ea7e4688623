"""Reference data: the German classification of economic activities (WZ 2008, WZ 2025).

Source: Statistisches Bundesamt (Destatis), Klassifikation der Wirtschaftszweige,
as packaged by `wz-code` (MIT). Loaded once into our own table so that queries,
filters and foreign keys do not depend on the package at run time.
"""

from __future__ import annotations

from typing import Any


def wz_rows() -> list[dict[str, Any]]:
    # Both tables are large and read only by the migration that loads them: not at import time of every process.
    from wz_code.data.wz2008 import WZ_2008_DATA  # noqa: PLC0415 – read by one migration only; not loaded at import of every process
    from wz_code.data.wz2025 import WZ_2025_DATA  # noqa: PLC0415 – read by one migration only; not loaded at import of every process

    rows = []
    for version, data in (("2008", WZ_2008_DATA), ("2025", WZ_2025_DATA)):
        for code, entry in data.items():
            section = code
            parent = entry.get("p") or ""
            # Walk up to the one-letter section (level 1).
            seen = 0
            while len(section) != 1 or not section.isalpha():
                section = data[section].get("p") or ""
                seen += 1
                if not section or seen > 10:
                    section = "?"
                    break
            rows.append({"version": version, "code": code, "title": entry["t"][:300], "level": entry["l"], "section": section, "parent_code": parent})
    return rows


def load_economic_activities(model) -> int:
    """Insert missing WZ entries; existing rows are left alone. Returns the number inserted."""
    existing = set(model.objects.values_list("version", "code"))
    new = [model(**row) for row in wz_rows() if (row["version"], row["code"]) not in existing]
    model.objects.bulk_create(new, batch_size=1000)
    return len(new)
