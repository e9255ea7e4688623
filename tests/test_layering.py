"""Imports go one way: newsletters → events; events, qualification, newsletters → members → verbund (STYLE.md).

`composition` composes several apps (the manager's start pages, the demo data): it may import all of them,
and none imports it.

The Infobrief fills its dates from meetings, so newsletters may read events; events never reads newsletters
(the network's iCal feed learns about Infobrief dates through a signal events sends).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "verbund": set(),
    "members": {"verbund"},
    "events": {"verbund", "members"},
    "qualification": {"verbund", "members"},
    "newsletters": {"verbund", "members", "events"},
    "cooperation": {"verbund", "members", "events", "qualification", "newsletters"},
    "health": {"verbund", "members", "events", "qualification", "newsletters", "cooperation"},
    "composition": {"verbund", "members", "events", "qualification", "newsletters", "cooperation", "health"},
}
# The project URLconf and settings wire all apps together by design.
PROJECT_FILES = {ROOT / "verbund" / "urls.py", ROOT / "verbund" / "settings.py"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


def test_apps_import_only_downwards():
    wrong = []
    checked = 0
    for app, allowed in ALLOWED.items():
        for path in (ROOT / app).rglob("*.py"):
            if path in PROJECT_FILES or "migrations" in path.parts:
                continue
            checked += 1
            for other in imported_apps(path) - allowed - {app}:
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert checked > 20
    assert not wrong, "\n".join(wrong)
