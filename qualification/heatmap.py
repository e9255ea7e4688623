"""The heat map's cells as HTML, built in Python: 8,000 cells through the template engine took most of the page's time.

Each cell is a link to its editor (the table is hx-boost'ed into the editor
above it); its text is the head count, the priority as a symbol for the eye and
as a word for screen readers (shade and symbol both carry it, never colour
alone). The row and column headers name organisation and topic for assistive
technology, as WCAG 2.4.4 allows for links in table cells.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qualification.matrix import Grid
from qualification.models import Need


def row_cells(grid: Grid, cell_base: str) -> list[SafeString]:
    """Per row of the grid, its topic cells as one safe HTML string."""
    labels = {p.value: escape(p.label) for p in Need.Priority}
    base = escape(cell_base)
    rows = []
    for row in grid.rows:
        org = row.organisation.pk
        parts = []
        for topic, need in row.entries:
            priority = need.priority if need is not None else 0
            href = f"{base}{org}/{topic.pk}/"
            if need is not None and priority:
                text = f'{need.head_count}<span aria-hidden="true"> {"+" * priority}</span><span class="visually-hidden"> {labels[priority]}</span>'
                parts.append(f'<td class="cell heat-{priority}" id="cell-{org}-{topic.pk}"><a href="{href}">{text}</a></td>')
            else:
                parts.append(f'<td class="cell" id="cell-{org}-{topic.pk}"><a href="{href}">–<span class="visually-hidden"> {labels[0]}</span></a></td>')
        rows.append(mark_safe("".join(parts)))
    return rows
