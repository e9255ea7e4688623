"""The heat map's cells as HTML, built in Python: 8,000 cells through the template engine took most of the page's time.

Each cell is a link to its cell page; with JavaScript htmx opens the cell's
editor in a row inserted right below the cell's row (static/js/matrix.js). Its
text is the head count, the priority as a symbol for the eye and as a word for
screen readers (shade and symbol both carry it, never colour alone). The row and
column headers name organisation and topic for assistive technology, as WCAG
2.4.4 allows for links in table cells.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qualification.matrix import Grid
from qualification.models import Need


def _labels() -> dict[int, str]:
    return {p.value: escape(p.label) for p in Need.Priority}


def _cell(labels: dict[int, str], base: str, org: int, topic: int, need: Need | None, extra: str = "") -> str:
    priority = need.priority if need is not None else 0
    href = f"{base}{org}/{topic}/"
    if need is not None and priority:
        text = f'{need.head_count}<span aria-hidden="true"> {"+" * priority}</span><span class="visually-hidden"> {labels[priority]}</span>'
        return f'<td class="cell heat-{priority}" id="cell-{org}-{topic}"{extra}><a href="{href}">{text}</a></td>'
    return f'<td class="cell" id="cell-{org}-{topic}"{extra}><a href="{href}">–<span class="visually-hidden"> {labels[0]}</span></a></td>'


def row_cells(grid: Grid, cell_base: str) -> list[SafeString]:
    """Per row of the grid, its topic cells as one safe HTML string."""
    labels = _labels()
    base = escape(cell_base)
    return [mark_safe("".join(_cell(labels, base, row.organisation.pk, topic.pk, need) for topic, need in row.entries)) for row in grid.rows]


def cell_oob(cell_base: str, organisation_pk: int, topic_pk: int, need: Need | None) -> SafeString:
    """One cell as it is after a save, marked for htmx to swap it in place of the cell with the same id."""
    return mark_safe(_cell(_labels(), escape(cell_base), int(organisation_pk), int(topic_pk), need, ' hx-swap-oob="true"'))
