"""Charts as server-rendered, accessible SVG: no JavaScript, nothing from a CDN, a data table beside each.

Each function returns one `<figure>`: the `<svg role="img">` named by its `<title>` and described by its `<desc>`
(aria-labelledby), a legend for several series, and the same numbers as a table in a `<details>` ("Daten als
Tabelle"). Colours are classes (`chart-tone-1` …) that static/css/verbund.css maps to the design tokens, so they follow
the dark scheme; the light colours also stand in the elements' attributes for documents without the stylesheet (PDF).

Horizontal positions are percentages and heights pixels, so a chart fills its column at any width while its text
keeps its size (a viewBox would shrink the text on phones). Labels longer than LABEL_MAX are cut in the picture and
shown whole in the table.

    bar_chart(chart_id="sectors", title=…, description=…, items=[("Rheine", 12), …])          horizontal bars
    column_chart(chart_id="mix", title=…, description=…, labels=["2024", …], series=[Series(…)], stacked=True)
    line_chart(chart_id="members", title=…, description=…, labels=["Jan", …], series=[Series(…)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from health.indicators import DEFINITIONS, NetworkIndicators
from verbund.formatting import format_number, format_percent

Number = int | Decimal | float | None

# Tone → the light scheme's token value (fallback for documents without the stylesheet). The CSS classes carry the tokens.
TONES = {1: "#0b5572", 2: "#1b6b3a", 3: "#7a4a00", 4: "#434b55", 5: "#a3161a"}
LABEL_MAX = 40
BAR_ROW = 46  # px per bar of a horizontal bar chart: label line, bar, gap
COLUMN_HEIGHT = 220
VALUE_LABELS_MAX = 16  # more bars than this get no number above them (the table and the hover titles have them)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number]
    tone: int = 1


def format_value(value: Number, unit: str = "count") -> str:
    """A chart's number as people read it: "1.234", "42,5 %", "12.000 €"; "–" for none."""
    if value is None:
        return "–"
    if unit == "percent":
        return format_percent(value, 1)
    if unit == "money":
        return format_number(value, 0) + "\u00a0€"
    return format_number(value)


def _pct(part: float, whole: float) -> str:
    return f"{(part / whole * 100) if whole else 0:.3f}%"


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def _tone(tone: int) -> tuple[str, str]:
    """(class, fallback colour) of a tone."""
    tone = tone if tone in TONES else 1
    return f"chart-tone-{tone}", TONES[tone]


def _svg_open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def _legend(series: Sequence[Series]) -> str:
    if len(series) < 2:
        return ""
    # The swatch is a small SVG (a fill attribute, no inline style): coloured by the stylesheet's token, or by the attribute in a PDF.
    items = "".join(
        f'<li><svg class="chart-swatch" width="14" height="14" aria-hidden="true"><rect class="{_tone(s.tone)[0]}" width="14" height="14" rx="2" '
        f'fill="{_tone(s.tone)[1]}"></rect></svg>{escape(s.label)}</li>'
        for s in series
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _table(chart_id: str, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col"{' class="num"' if i else ""}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="num" data-label="{escape(headers[i + 1])}">{escape(cell)}</td>' for i, cell in enumerate(row[1:]))
        + "</tr>"
        for row in rows
    )
    summary = _("Daten als Tabelle")
    return (
        f'<details class="chart-data"><summary>{escape(summary)}<span class="visually-hidden">: {escape(title)}</span></summary>'
        f'<div class="table-wrap" role="region" aria-label="{escape(title)}" tabindex="0">'
        f'<table{' class="stack"' if len(headers) > 3 else ""} id="{escape(chart_id)}-table"><caption class="visually-hidden">{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(chart_id: str, title: str, parts: Sequence[str]) -> SafeString:
    caption = f'<figcaption class="chart-title">{escape(title)}</figcaption>'
    return mark_safe(f'<figure class="chart" id="{escape(chart_id)}">{caption}{"".join(parts)}</figure>')  # every text in the parts went through escape()


def _empty(chart_id: str, title: str) -> SafeString:
    text = _("Für diesen Zeitraum gibt es keine Daten.")
    return _figure(chart_id, title, [f'<p class="chart-empty">{escape(text)}</p>'])


def bar_chart(
    *, chart_id: str, title: str, description: str, items: Sequence[tuple[str, Number]], unit: str = "count", shares: Sequence[Number] | None = None
) -> SafeString:
    """Horizontal bars, one per (label, value), longest = full width; `shares` (per cent) adds a column to the table."""
    if not items:
        return _empty(chart_id, title)
    top = max((float(v) for _label, v in items if v is not None), default=0.0)
    height = len(items) * BAR_ROW + 4
    css, colour = _tone(1)
    svg = _svg_open(chart_id, title, description, height)
    for index, (label, value) in enumerate(items):
        y = index * BAR_ROW
        shown = format_value(value, unit)
        svg.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(_cut(label))}</text>')
        svg.append(f'<text class="chart-value" x="100%" y="{y + 15}" text-anchor="end">{escape(shown)}</text>')
        svg.append(f'<rect class="chart-track" x="0" y="{y + 21}" width="100%" height="14" fill="#eef1f4"></rect>')
        svg.append(
            f'<rect class="chart-bar {css}" x="0" y="{y + 21}" width="{_pct(float(value or 0), top)}" height="14" fill="{colour}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
        )
    svg.append("</svg>")
    headers = [_("Kategorie"), _("Wert")] + ([_("Anteil")] if shares is not None else [])
    rows = [[label, format_value(value, unit)] + ([format_value(shares[i], "percent")] if shares is not None else []) for i, (label, value) in enumerate(items)]
    return _figure(chart_id, title, ["".join(svg), _table(chart_id, title, headers, rows)])


def _columns_frame(labels: Sequence[str], height: int) -> tuple[list[str], int, int]:
    """Category labels under the plot and its baseline; returns (svg parts, plot top, plot bottom) in px."""
    plot_top, plot_bottom = 22, height - 26
    parts = [f'<line class="chart-axis" x1="0" x2="100%" y1="{plot_bottom}" y2="{plot_bottom}" stroke="#6b737b"></line>']
    slot = 100 / len(labels)
    for index, label in enumerate(labels):
        parts.append(f'<text class="chart-label" x="{slot * (index + 0.5):.3f}%" y="{height - 6}" text-anchor="middle">{escape(_cut(label))}</text>')
    return parts, plot_top, plot_bottom


def _series_table(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], unit: str, total: bool) -> str:
    headers = [_("Zeitraum"), *[s.label for s in series]] + ([_("Summe")] if total else [])
    rows = []
    for index, label in enumerate(labels):
        values = [s.values[index] if index < len(s.values) else None for s in series]
        row = [label, *[format_value(v, unit) for v in values]]
        if total:
            row.append(format_value(sum((Decimal(str(v)) for v in values if v is not None), Decimal(0)), unit))
        rows.append(row)
    return _table(chart_id, title, headers, rows)


def column_chart(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series], stacked: bool = False, unit: str = "count"
) -> SafeString:
    """Vertical columns per label: the series side by side, or stacked (with the sum above each column)."""
    if not labels or not series:
        return _empty(chart_id, title)

    def value(s: Series, index: int) -> float:
        v = s.values[index] if index < len(s.values) else None
        return float(v) if v is not None else 0.0

    sums = [sum(value(s, i) for s in series) for i in range(len(labels))]
    top = max(sums if stacked else [value(s, i) for s in series for i in range(len(labels))], default=0.0)
    svg = _svg_open(chart_id, title, description, COLUMN_HEIGHT)
    frame, plot_top, plot_bottom = _columns_frame(labels, COLUMN_HEIGHT)
    span = plot_bottom - plot_top
    slot = 100 / len(labels)
    bars = len(labels) * (1 if stacked else len(series))
    for index, label in enumerate(labels):
        if stacked:
            width, left, base = slot * 0.6, slot * (index + 0.2), float(plot_bottom)
            for s in series:
                h = value(s, index) / top * span if top else 0.0
                css, colour = _tone(s.tone)
                svg.append(
                    f'<rect class="chart-bar chart-segment {css}" x="{left:.3f}%" y="{base - h:.1f}" width="{width:.3f}%" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(label)}, {escape(s.label)}: {escape(format_value(s.values[index] if index < len(s.values) else None, unit))}</title></rect>"
                )
                base -= h
            if bars <= VALUE_LABELS_MAX:
                svg.append(
                    f'<text class="chart-value" x="{slot * (index + 0.5):.3f}%" y="{base - 5:.1f}" text-anchor="middle">{escape(format_value(sums[index], unit))}</text>'
                )
        else:
            width = slot * 0.7 / len(series)
            for k, s in enumerate(series):
                h = value(s, index) / top * span if top else 0.0
                left = slot * (index + 0.15) + width * k
                css, colour = _tone(s.tone)
                shown = format_value(s.values[index] if index < len(s.values) else None, unit)
                svg.append(
                    f'<rect class="chart-bar {css}" x="{left:.3f}%" y="{plot_bottom - h:.1f}" width="{width:.3f}%" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(label)}, {escape(s.label)}: {escape(shown)}</title></rect>"
                )
                if bars <= VALUE_LABELS_MAX:
                    svg.append(
                        f'<text class="chart-value" x="{left + width / 2:.3f}%" y="{plot_bottom - h - 5:.1f}" text-anchor="middle">{escape(shown)}</text>'
                    )
    svg += frame
    svg.append("</svg>")
    return _figure(chart_id, title, ["".join(svg), _legend(series), _series_table(chart_id, title, labels, series, unit, total=stacked and len(series) > 1)])


def line_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series], unit: str = "count") -> SafeString:
    """Lines through the values of each series over the labels (a missing value breaks the line), the numbers at the points."""
    if not labels or not series:
        return _empty(chart_id, title)
    numbers = [float(v) for s in series for v in s.values if v is not None]
    top = max(numbers, default=0.0)
    svg = _svg_open(chart_id, title, description, COLUMN_HEIGHT)
    frame, plot_top, plot_bottom = _columns_frame(labels, COLUMN_HEIGHT)
    span = plot_bottom - plot_top
    slot = 100 / len(labels)
    show_values = len(labels) * len(series) <= VALUE_LABELS_MAX
    for s in series:
        css, colour = _tone(s.tone)
        points = []
        for index in range(len(labels)):
            v = s.values[index] if index < len(s.values) else None
            points.append(None if v is None else (slot * (index + 0.5), plot_bottom - (float(v) / top * span if top else 0), v))
        for a, b in zip(points, points[1:]):
            if a is not None and b is not None:
                svg.append(
                    f'<line class="chart-line {css}" x1="{a[0]:.3f}%" y1="{a[1]:.1f}" x2="{b[0]:.3f}%" y2="{b[1]:.1f}" stroke="{colour}" stroke-width="2.5"></line>'
                )
        for index, point in enumerate(points):
            if point is None:
                continue
            x, y, v = point
            shown = format_value(v, unit)
            svg.append(
                f'<circle class="chart-point {css}" cx="{x:.3f}%" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(labels[index])}, {escape(s.label)}: {escape(shown)}</title></circle>'
            )
            if show_values:
                svg.append(f'<text class="chart-value" x="{x:.3f}%" y="{y - 8:.1f}" text-anchor="middle">{escape(shown)}</text>')
    svg += frame
    svg.append("</svg>")
    return _figure(chart_id, title, ["".join(svg), _legend(series), _series_table(chart_id, title, labels, series, unit, total=False)])


# --- the indicators' charts (the indicators page and the annual report) ---------------------------------------------


@dataclass(frozen=True)
class Chart:
    html: SafeString
    definition: str


def _month_label(day) -> str:
    return dateformat.format(day, "M")


def indicator_charts(ind: NetworkIndicators) -> dict[str, list[Chart]]:
    """The charts of one network's year by section key (health.indicators.SECTIONS); ids are unique on one page."""
    d = {key: str(text) for key, text in DEFINITIONS.items()}
    year = ind.period.year
    m, c, t, f = ind.members, ind.composition, ind.meetings, ind.financing
    months = [_month_label(p.month) for p in m.months]
    peak = max(m.months, key=lambda p: p.members, default=None)
    charts: dict[str, list[Chart]] = {key: [] for key in ("members", "composition", "meetings", "financing")}
    charts["members"].append(
        Chart(
            line_chart(
                chart_id="chart-members",
                title=_("Mitglieder am Monatsende %(year)s") % {"year": year},
                description=_("Von %(start)s Mitgliedern zu Jahresbeginn auf %(end)s zum Stichtag; höchster Stand %(peak)s.")
                % {"start": format_number(m.start), "end": format_number(m.end), "peak": format_number(peak.members if peak else 0)},
                labels=months,
                series=[Series(_("Mitglieder"), [p.members for p in m.months])],
            ),
            d["months"],
        )
    )
    charts["members"].append(
        Chart(
            column_chart(
                chart_id="chart-changes",
                title=_("Ein- und Austritte je Monat %(year)s") % {"year": year},
                description=_("%(joins)s Eintritte und %(leaves)s Austritte im Zeitraum.")
                % {"joins": format_number(m.joins), "leaves": format_number(m.leaves)},
                labels=months,
                series=[Series(_("Eintritte"), [p.joins for p in m.months], tone=2), Series(_("Austritte"), [p.leaves for p in m.months], tone=5)],
            ),
            d["joins"] + " " + d["leaves"],
        )
    )
    for key, shares, title, definition in (
        ("helix", c.helix, _("Mitglieder nach Akteursgruppe (Triple Helix)"), d["helix"]),
        ("size", c.size_classes, _("Unternehmen nach Größenklasse"), d["size"]),
        ("sector", c.sectors, _("Mitglieder nach Wirtschaftszweig"), d["sector"]),
        ("municipality", c.municipalities, _("Mitglieder nach Ort"), d["municipality"]),
    ):
        # The biggest named group: not the "übrige" rest nor "ohne Angabe"; the total is what this chart counts (sizes: companies).
        biggest = max((s for s in shares if s.key not in ("*", "")), key=lambda s: s.count, default=None)
        counted = sum(s.count for s in shares)
        if biggest is not None and biggest.count:
            description = _("%(total)s zum Stichtag; am häufigsten: %(label)s (%(count)s).") % {
                "total": format_number(counted),
                "label": biggest.label,
                "count": format_number(biggest.count),
            }
        elif counted:
            description = _("%(total)s zum Stichtag.") % {"total": format_number(counted)}
        else:
            description = _("Keine Mitglieder zum Stichtag.")
        items = [(s.label, s.count) for s in shares] if c.total else []
        html = bar_chart(chart_id=f"chart-{key}", title=str(title), description=description, items=items, shares=[s.percent for s in shares])
        charts["composition"].append(Chart(html, definition))
    meeting_items: list[tuple[str, Number]] = [(_("Durchgeführt"), t.held)]
    if t.planned:
        meeting_items += [(_("Geplant bis zum Stichtag"), t.due), (_("Geplant im Jahr"), t.planned)]
    charts["meetings"].append(
        Chart(
            bar_chart(
                chart_id="chart-meetings",
                title=_("Treffen %(year)s: durchgeführt und geplant") % {"year": year},
                description=_("%(held)s Treffen durchgeführt; geplant: %(planned)s pro Jahr.")
                % {"held": format_number(t.held), "planned": format_number(t.planned) if t.planned else _("keine Angabe")},
                items=meeting_items,
            ),
            d["meetings_held"] + " " + d["meetings_planned"],
        )
    )
    years = [str(h.year) for h in f.history]
    if any(h.total for h in f.history):
        kinds = [(kind, label) for kind, label, _amount in f.year.amounts]
        tones = {"public_programme": 1, "member_fees": 2, "paid_services": 3, "third_party": 4}
        charts["financing"].append(
            Chart(
                column_chart(
                    chart_id="chart-funding",
                    title=_("Finanzierungsmix nach Jahr"),
                    description=_("Summe %(year)s: %(total)s, davon eigene Mittel %(own)s.")
                    % {"year": year, "total": format_value(f.year.total, "money"), "own": format_value(f.year.own, "money")},
                    labels=years,
                    series=[Series(label, [{k: a for k, _l, a in h.amounts}[kind] for h in f.history], tone=tones.get(kind, 4)) for kind, label in kinds],
                    stacked=True,
                    unit="money",
                ),
                d["funding_total"],
            )
        )
        charts["financing"].append(
            Chart(
                line_chart(
                    chart_id="chart-self-financing",
                    title=_("Eigenfinanzierungsquote nach Jahr"),
                    description=_("%(year)s: %(ratio)s.") % {"year": year, "ratio": format_value(f.year.ratio, "percent")},
                    labels=years,
                    series=[Series(_("Eigenfinanzierungsquote"), [h.ratio for h in f.history], tone=2)],
                    unit="percent",
                ),
                d["self_financing"] + " " + d["self_financing_trend"],
            )
        )
    return charts
