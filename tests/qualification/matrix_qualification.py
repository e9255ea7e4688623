"""URL × persona expectations for the qualification pages of managers and members."""

from __future__ import annotations

from tests.matrix import Case

QUALIFICATION_MATRIX: dict[str, Case] = {}

from tests.matrix import Target, rev, statuses  # noqa: E402

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)

QUALIFICATION_MATRIX.update({
    "qualification:home": Case([
        Target(rev("qualification:home", network_slug="netz-x"), X_ONLY),
        Target(rev("qualification:home", network_slug="netz-y"), statuses(404, anonymous=302, manager_y=200, manager_xy=200)),
    ]),
})

QUALIFICATION_MATRIX.update({
    "qualification_portal:home": Case([Target(rev("qualification_portal:home"), statuses(403, anonymous=302, members=200))]),
})
