"""The measured pages: one path on the portal and the same path on the bare project (bench.bare.urls mirrors it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.world import BIG_SLUG, QUALI_SLUG

SEARCH = "Müller"
# The portal's directory page size (members.views.manage.PAGE_SIZE; tests/test_bench.py keeps them equal).
DIRECTORY_PAGE_SIZE = 25
HTMX = {"HX-Request": "true", "HX-Target": "directory-results"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str  # "manager", "member" or "" (anonymous)
    bare: str  # the bare project's path
    headers: dict[str, str] = field(default_factory=dict)
    label: str = ""


def deep_page(summary: dict[str, Any]) -> int:
    """Half-way through the big network's directory (page 1,000 of 2,000 at scale 1)."""
    return max(2, summary["organisations"] // DIRECTORY_PAGE_SIZE // 2)


def pages(summary: dict[str, Any]) -> list[Page]:
    big = f"/manage/{BIG_SLUG}"
    organisation, meeting = summary["sample_organisation"], summary["big_meeting"]
    q = SEARCH.replace("ü", "%C3%BC")
    deep = deep_page(summary)
    listed = [
        Page("health", "/health/", "", "/hello/", label="/health/ vs hello"),
        Page("directory", f"{big}/organisations/", "manager", "", label="directory, page 1"),
        Page("directory_filtered", f"{big}/organisations/?kind=company&status=active", "manager", "", label="directory, filtered"),
        Page("directory_search", f"{big}/organisations/?q={q}", "manager", "", label=f"directory, search „{SEARCH}“"),
        Page("directory_deep", f"{big}/organisations/?page={deep}", "manager", "", label=f"directory, page {deep}"),
        Page("directory_htmx", f"{big}/organisations/", "manager", "", headers=HTMX, label="directory, htmx fragment"),
        Page("org_detail", f"{big}/organisations/{organisation}/", "manager", "", label="organisation detail"),
        Page("network_start", f"{big}/", "manager", "", label="network start page"),
        Page("manager_start", "/manage/", "manager", "", label="manager start (20 networks)"),
        Page("meeting_detail", f"{big}/meetings/{meeting}/", "manager", "", label="meeting detail (300 registrations)"),
        Page("check_in", f"{big}/meetings/{meeting}/check-in/", "manager", "", label="check-in list"),
        Page("matrix", f"/manage/{QUALI_SLUG}/qualification/matrix/", "manager", "", label="qualification matrix 200 × 40"),
        Page("portal_start", "/portal/", "member", "", label="member portal start"),
        Page("search", f"/search/?q={q}", "manager", "", label=f"global search „{SEARCH}“"),
    ]
    return [Page(p.name, p.path, p.who, p.bare or p.path, p.headers, p.label) for p in listed]
