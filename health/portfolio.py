"""The portfolio: one table of every network a user holds a role in (any role, reading ones included), with its key
indicators of one year, sortable by any column and exportable. The queries do not grow with the number of networks
(health.indicators.indicators_for; the cluster criteria are computed from its results)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from health.cluster import Assessment, assess
from health.indicators import NetworkIndicators, indicators_for
from verbund.models import ManagerRole, Network, User


@dataclass(frozen=True)
class Row:
    role: ManagerRole
    ind: NetworkIndicators
    assessment: Assessment

    @property
    def network(self) -> Network:
        return self.role.network


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    value: Callable[[Row], Any]  # what the column sorts by and exports (None: not computable, sorted last)
    unit: str = "count"  # "text", "count", "percent"


COLUMNS: list[Column] = [
    Column("name", gettext_lazy("Verbund"), lambda r: r.network.name, "text"),
    Column("role", gettext_lazy("Ihre Rolle"), lambda r: r.role.get_role_display(), "text"),
    Column("members", gettext_lazy("Mitglieder"), lambda r: r.ind.members.end),
    Column("joins", gettext_lazy("Eintritte"), lambda r: r.ind.members.joins),
    Column("leaves", gettext_lazy("Austritte"), lambda r: r.ind.members.leaves),
    Column("meetings", gettext_lazy("Treffen durchgeführt"), lambda r: r.ind.meetings.held),
    Column("planned", gettext_lazy("Treffen geplant bis Stichtag"), lambda r: r.ind.meetings.due),
    Column("attendance", gettext_lazy("Teilnahmequote"), lambda r: r.ind.meetings.attendance_rate, "percent"),
    Column("open_items", gettext_lazy("Offene Verabredungen"), lambda r: r.ind.meetings.open_items),
    Column("overdue_items", gettext_lazy("Überfällige Verabredungen"), lambda r: r.ind.meetings.overdue_items),
    Column("infobriefe", gettext_lazy("Versendete Infobriefe"), lambda r: r.ind.infobrief.sent),
    Column("self_financing", gettext_lazy("Eigenfinanzierungsquote"), lambda r: r.ind.financing.year.ratio, "percent"),
    Column("criteria", gettext_lazy("Cluster-Kriterien erfüllt"), lambda r: r.assessment.met),
]
BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> str:
    """`name`, `-members`, …; anything else is the default (never an error)."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in BY_KEY else DEFAULT_SORT


def _key(column: Column, row: Row) -> Any:
    value = column.value(row)
    return value.casefold() if isinstance(value, str) else value


def portfolio_rows(user: User, year: int, sort: str = DEFAULT_SORT) -> list[Row]:
    """The user's networks (not archived) with their indicators of `year`, sorted by `sort`; None values always last."""
    roles = list(ManagerRole.objects.filter(user=user, network__archived_at__isnull=True).select_related("network"))
    found = indicators_for([role.network for role in roles], year)
    rows = [Row(role=role, ind=found[role.network_id], assessment=assess(found[role.network_id])) for role in roles]
    column = BY_KEY[sort.removeprefix("-")]
    descending = sort.startswith("-")
    rows.sort(key=lambda r: r.network.name.casefold())  # ties keep the networks in name order
    present = [r for r in rows if _key(column, r) is not None]
    missing = [r for r in rows if _key(column, r) is None]
    present.sort(key=lambda r: _key(column, r), reverse=descending)
    return present + missing


def export_table(rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    """Headers and typed rows (numbers as numbers) for members.exports.write_csv / write_xlsx."""
    # A percentage is exported as a plain number (25.0 for 25 %): the header says so.
    headers = [_("%(label)s (%%)") % {"label": c.label} if c.unit == "percent" else str(c.label) for c in COLUMNS]
    headers += [_("Cluster-Kriterien gesamt"), _("Zeitraum")]
    table: list[list[Any]] = []
    for row in rows:
        values: list[Any] = []
        for column in COLUMNS:
            value = column.value(row)
            values.append(_("nicht berechenbar") if value is None and column.unit == "percent" else value)
        values += [row.assessment.total, row.ind.period.label]
        table.append(values)
    return headers, table
