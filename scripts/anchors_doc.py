"""Write the ANCHOR lines of the last whole-suite runs into docs/SECURITY.md (between the anchors markers).

Reads var/anchors-ci.json (`make test`) and var/anchors-full.json (`make test-full`), whichever exist; an anchor the
full profile ran is shown from it (larger counts), the others from ci. Each line says the profile, date and commit.
Run: `uv run python scripts/anchors_doc.py` after `make test-full` (or `make test`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "SECURITY.md"
ORDER = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "R-1", "R-2", "R-3", "R-4", "D-1", "D-2", "D-3"]


def _line(anchor_id: str, entry: dict) -> str:
    """The line from the run's figures in today's wording (tests/anchors.py FORMATS); the printed line if that fails."""
    sys.path.insert(0, str(ROOT))
    from tests.anchors import Tally

    tally = Tally(passed=entry["tests_passed"], failed=entry["tests_failed"], figures=entry["figures"])
    try:
        return tally.line(anchor_id).split(": ", 1)[1]
    except (KeyError, ValueError):
        return entry["line"].split(": ", 1)[1]


def main() -> int:
    runs = {}
    for profile in ("ci", "full"):
        path = ROOT / "var" / f"anchors-{profile}.json"
        if path.exists():
            runs[profile] = json.loads(path.read_text(encoding="utf-8"))
    if not runs:
        print("no var/anchors-ci.json or var/anchors-full.json: run make test or make test-full first", file=sys.stderr)
        return 1
    rows = ["| id | profile, date, commit | the line the suite printed |", "|---|---|---|"]
    for anchor_id in ORDER:
        for profile in ("full", "ci"):
            entry = runs.get(profile, {}).get("anchors", {}).get(anchor_id)
            if entry:
                run = runs[profile]
                line = _line(anchor_id, entry).replace("|", "\\|")
                rows.append(f"| {anchor_id} | {profile}, {run['date'][:10]}, `{run['commit'][:7]}` | {line} |")
                break
        else:
            rows.append(f"| {anchor_id} | — | not run yet |")
    text = DOC.read_text(encoding="utf-8")
    block = "<!-- anchors:start -->\n" + "\n".join(rows) + "\n<!-- anchors:end -->"
    DOC.write_text(re.sub(r"<!-- anchors:start -->.*?<!-- anchors:end -->", lambda _m: block, text, flags=re.S), encoding="utf-8")
    print(f"docs/SECURITY.md: {len(ORDER)} anchors from {', '.join(sorted(runs))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
