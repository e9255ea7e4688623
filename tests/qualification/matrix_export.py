"""URL × persona expectations for the matrix exports (qualification/urls/exports.py)."""

from __future__ import annotations

from tests.matrix import Case, Target, rev, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)


def _targets(name: str) -> list[Target]:
    # Files, not pages: htmx requests make no difference, so they are not repeated.
    return [
        Target(rev(name, network_slug="netz-x"), X_ONLY, htmx=False),
        Target(rev(name, network_slug="netz-y"), Y_ONLY, htmx=False),
        Target(rev(name, network_slug="gibt-es-nicht"), NOBODY, htmx=False),
        Target(rev(name, network_slug="netz-x"), statuses(405), method="post", htmx=False),  # require_GET answers first
    ]


EXPORT_MATRIX: dict[str, Case] = {
    "qualification:matrix_xlsx": Case(_targets("qualification:matrix_xlsx")),
    "qualification:matrix_pdf": Case(_targets("qualification:matrix_pdf")),
}
