"""The quality anchors of QUALITY.md: each suite prints one `ANCHOR <id>: …` line and lands in `var/anchors.json`.

A test belongs to an anchor by its marker, `@pytest.mark.anchor("S-1")`, and adds its figures through the `anchor`
fixture: `anchor(requests=412, unexpected=0)`. The figures travel with the test report (`user_properties`), so they
reach the controlling process under pytest-xdist as well. At the end of the session the controller sums each figure
over the anchor's tests (`max_…`/`peak_…` take the largest, `min_…` the smallest), prints the lines and writes
`var/anchors.json` with the profile, date and commit.

Profiles (`--profile`): `ci` is `make test`; `full` is `make test-full` and also runs the tests marked
`@pytest.mark.full_only` (R-3, D-1) and the larger counts that tests read from the `quality_profile` fixture.
`--anchors-required` fails the session when an anchor of the profile printed no line or one of its tests failed; the
Makefile passes it when the whole suite runs.

Loaded with `-p tests.anchors` (pyproject's addopts).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "var" / "anchors.json"

CI_ANCHORS = ("S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "R-1", "R-2", "R-4", "D-2", "D-3")
FULL_ANCHORS = (*CI_ANCHORS, "R-3", "D-1")

# What each anchor's line says; `{name}` are its summed figures. A figure without a place here is appended as name=value.
FORMATS: dict[str, str] = {
    "S-1": "{patterns} URL patterns × {personas} personas, {requests} requests ({htmx_requests} with HX-Request): {unexpected} unexpected statuses, "
    "{canary_hits} foreign canaries in {documents} pages/exports/feeds/PDFs, {missing_patterns} patterns missing from the matrix",
    "S-2": "{forms} forms in the registry, {submissions} Hypothesis submissions through the real views: {errors} HTTP 500, "
    "{privileged_changed} privileged fields changed, {missing_forms} forms missing from the registry",
    "S-3": "{payloads} XSS payloads × {fields} text fields in {sinks} sinks ({checks} checks): {executions} executions, "
    "{dangerous} dangerous attributes surviving",
    "S-4": "{payloads} SSRF/local-file payloads through the real render path: {canary_hits} canary hits, {file_bytes} file bytes, "
    "{attachments} embedded attachments, {foreign_images} foreign images; {oversized_clean} oversized inputs ended cleanly",
    "S-5": "{formula_payloads} formula payloads in {columns} exported columns: {formulas} formulas; {header_payloads} header payloads: "
    "{extra_recipients} extra recipients or headers; {redirect_payloads} redirect payloads on {redirect_endpoints} endpoints: "
    "{offsite} off-site redirects",
    "S-6": "6th wrong attempt refused with the right password: {lockout_holds}; wrong TOTP codes limited per account, per address "
    "only as a backstop (colleagues behind the same address unaffected: {colleagues_unaffected}); {enumeration_pairs} reset/signup answer pairs identical: {enumeration_differences} "
    "differences; admin login through allauth: {admin_via_allauth}",
    "S-7": "{files} hostile files × {forms} upload forms: {errors} HTTP 500, peak RSS {peak_rss_mb} MB, {exif_left} images with EXIF, "
    "{active_pdfs_accepted} PDFs with active content accepted, {inline_served} non-images served inline",
    "S-8": "check --deploy --fail-level WARNING: exit {deploy_exit}; CSP script-src without unsafe-*: {csp_strict}; "
    "{crawled_pages} pages crawled as {roles} roles: {csp_violations} CSP violations",
    "R-1": "{recipients} recipients, 2 kills at ~30 %/~60 %, 1 % 451: {missing} without the mail, {duplicates} second copies "
    "(≤ {allowed_duplicates}, each attempts ≥ 2); {fault_points} deterministic fault points: {fault_point_duplicates} duplicates "
    "(1 expected at after_smtp)",
    "R-2": "Redis down at send: {errors} HTTP 500, {rows_committed}/{recipients} rows committed, {delivered}/{recipients} delivered "
    "after Redis returned; frozen Redis: enqueue failed within {max_enqueue_seconds} s",
    "R-3": "{users} users for {seconds} s, PostgreSQL restarted at {restart_at} s: {acknowledged} acknowledged writes, {lost} lost; "
    "{errors} errors, none more than {max_error_window} s outside the restart ({restart_seconds} s), all the friendly 503: {friendly_503}",
    "R-4": "one-click POST without cookies unsubscribes: {one_click}; idempotent: {idempotent}; GET changes nothing: {get_safe}; "
    "{external_subscribers} external subscribers with complete double opt-in; {to_withdrawn} Infobriefe to withdrawn addresses",
    "D-1": "{tables} tables, {rows} rows, {files} media files: {differences} differences after restore; backup {max_backup_seconds} s, "
    "restore {max_restore_seconds} s",
    "D-2": "{places} places seeded with canaries: {canary_hits} hits in {columns} text columns and {files} stored files after erasure (tombstone hashed)",
    "D-3": "{writes} service writes and ORM saves/bulk operations on {max_models} protected models: {unaudited} without a history "
    "entry, {without_user} without the acting user",
}


def _merge(name: str, old: Any, new: Any) -> Any:
    if old is None:
        return new
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) and bool(new)
    if isinstance(new, int | float) and isinstance(old, int | float):
        if name.startswith(("max_", "peak_")):
            return max(old, new)
        if name.startswith("min_"):
            return min(old, new)
        return old + new
    return new


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return f"{{{key}?}}"


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, figures: dict[str, Any]) -> None:
        for name, value in figures.items():
            self.figures[name] = _merge(name, self.figures.get(name), value)

    def line(self, anchor_id: str) -> str:
        template = FORMATS.get(anchor_id, "")
        text = template.format_map(_Missing(self.figures)) if template else ""
        extra = ", ".join(f"{k}={v}" for k, v in self.figures.items() if f"{{{k}}}" not in template)
        parts = [p for p in (text, extra) if p]
        verdict = "PASS" if self.failed == 0 and self.passed else "FAIL"
        return f"ANCHOR {anchor_id}: {'; '.join(parts)} [{verdict}: {self.passed} tests passed, {self.failed} failed]"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verbund quality anchors")
    group.addoption("--profile", choices=("ci", "full"), default="ci", help="QUALITY.md profile: ci (make test) or full (make test-full)")
    group.addoption("--anchors-required", action="store_true", help="fail when an anchor of the profile printed no line or failed")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "anchor(id): the test proves (part of) the QUALITY.md anchor `id`")
    config.addinivalue_line("markers", "full_only: runs only in the full profile (make test-full)")
    config._verbund_anchors = defaultdict(Tally)  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--profile") == "full":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("full_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("anchor"):
        item.user_properties.append(("anchor", marker.args[0]))


@pytest.fixture
def quality_profile(request: pytest.FixtureRequest) -> str:
    """`ci` or `full`: tests take their counts from it (QUALITY.md names both)."""
    return request.config.getoption("--profile")


@pytest.fixture
def anchor(request: pytest.FixtureRequest):
    """`anchor(**figures)` adds this test's figures to its anchor (the test's `anchor` marker names it); a test that
    proves two anchors names the one with `of=`: `anchor(of="D-3", writes=12)`."""
    ids = [marker.args[0] for marker in request.node.iter_markers("anchor")]
    assert ids, f"{request.node.nodeid} uses the anchor fixture without @pytest.mark.anchor(...)"

    def add(*, of: str | None = None, **figures: Any) -> None:
        assert of is None or of in ids, f"{request.node.nodeid} is not marked as proving {of}"
        assert of is not None or len(ids) == 1, f"{request.node.nodeid} proves {ids}: say which with of="
        request.node.user_properties.append(("anchor_figures", (of or ids[0], figures)))

    return add


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _CONFIG.get("config")
    if config is None or _is_worker(config):
        return
    ids = [value for name, value in report.user_properties if name == "anchor"]
    if not ids:
        return
    tallies: dict[str, Tally] = config._verbund_anchors  # type: ignore[attr-defined]
    if report.when == "call":
        for anchor_id in ids:
            if report.passed:
                tallies[anchor_id].passed += 1
            elif report.failed:
                tallies[anchor_id].failed += 1
        if report.passed:
            for name, value in report.user_properties:
                if name == "anchor_figures":
                    anchor_id, figures = value
                    tallies[anchor_id].add(figures)
    elif report.failed:  # an error in setup or teardown fails the anchor too
        for anchor_id in ids:
            tallies[anchor_id].failed += 1


_CONFIG: dict[str, pytest.Config] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG["config"] = session.config


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _expected(config: pytest.Config) -> tuple[str, ...]:
    return FULL_ANCHORS if config.getoption("--profile") == "full" else CI_ANCHORS


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _is_worker(config):
        return
    tallies: dict[str, Tally] = config._verbund_anchors  # type: ignore[attr-defined]
    if not tallies:
        return
    profile = config.getoption("--profile")
    report = {
        "profile": profile,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "anchors": {
            anchor_id: {
                "passed": t.failed == 0 and t.passed > 0,
                "tests_passed": t.passed,
                "tests_failed": t.failed,
                "figures": t.figures,
                "line": t.line(anchor_id),
            }
            for anchor_id, t in sorted(tallies.items())
        },
    }
    missing = [a for a in _expected(config) if a not in tallies]
    failed = [a for a, entry in report["anchors"].items() if not entry["passed"]]
    report["missing"] = missing
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    if config.getoption("--anchors-required"):  # a whole-suite run: kept per profile for docs/SECURITY.md (scripts/anchors_doc.py)
        (OUTPUT.parent / f"anchors-{profile}.json").write_text(text, encoding="utf-8")
    if config.getoption("--anchors-required") and (missing or failed) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    tallies: dict[str, Tally] = config._verbund_anchors  # type: ignore[attr-defined]
    if _is_worker(config) or not tallies:
        return
    terminalreporter.section(f"quality anchors ({config.getoption('--profile')} profile) → var/anchors.json")
    for anchor_id in sorted(tallies, key=lambda a: (a[0] != "S", a[0] != "R", a)):
        terminalreporter.write_line(tallies[anchor_id].line(anchor_id))
    missing = [a for a in _expected(config) if a not in tallies]
    if missing:
        terminalreporter.write_line(f"ANCHORS MISSING: {', '.join(missing)}" + (" (the session fails)" if config.getoption("--anchors-required") else ""))
