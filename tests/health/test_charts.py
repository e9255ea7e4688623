"""Server-rendered SVG charts (health.charts): named and described for screen readers, the numbers in a table beside them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from health.charts import Series, bar_chart, column_chart, line_chart
from tests.health.test_indicators import network, year_2024  # noqa: F401 – fixtures

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    """The chart's <svg> parsed as XML: it must be well-formed."""
    return ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_a_bar_chart_is_an_image_named_by_its_title_and_description():
    html = str(
        bar_chart(
            chart_id="orte",
            title="Mitglieder nach Ort",
            description="Rheine hat die meisten Mitglieder.",
            items=[("Rheine", 12), ("Steinfurt", 6), ("Emsdetten", 0)],
            shares=[Decimal("66.7"), Decimal("33.3"), Decimal("0.0")],
        )
    )
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "orte-title orte-desc"
    assert svg.find(f"{SVG}title").get("id") == "orte-title" and svg.find(f"{SVG}title").text == "Mitglieder nach Ort"
    assert svg.find(f"{SVG}desc").get("id") == "orte-desc" and svg.find(f"{SVG}desc").text == "Rheine hat die meisten Mitglieder."
    bars = [r for r in svg.iter(f"{SVG}rect") if "chart-bar" in r.get("class")]
    assert [b.get("width") for b in bars] == ["100.000%", "50.000%", "0.000%"]  # the longest fills the row
    assert [b.find(f"{SVG}title").text for b in bars] == ["Rheine: 12", "Steinfurt: 6", "Emsdetten: 0"]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["12", "6", "0"]
    assert table_rows(html) == [["Rheine", "12", "66,7\u00a0%"], ["Steinfurt", "6", "33,3\u00a0%"], ["Emsdetten", "0", "0,0\u00a0%"]]
    assert '<details class="chart-data"><summary>Daten als Tabelle' in html
    assert 'role="region" aria-label="Mitglieder nach Ort" tabindex="0"' in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_text_is_escaped_and_long_labels_are_cut_only_in_the_picture():
    long = "Erbringung von freiberuflichen, wissenschaftlichen und technischen Dienstleistungen"
    html = str(bar_chart(chart_id="x", title="<b>T</b>", description='"D" & <i>', items=[(long, 1), ("<script>alert(1)</script>", 2)]))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;T&lt;/b&gt;" in html
    svg = svg_of(html)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels[0].endswith("…") and len(labels[0]) == 40
    assert table_rows(html)[0][0] == long


def test_an_empty_chart_says_so_and_all_zero_values_draw_no_bar():
    assert "Für diesen Zeitraum gibt es keine Daten." in bar_chart(chart_id="e", title="Leer", description="", items=[])
    assert "<svg" not in bar_chart(chart_id="e", title="Leer", description="", items=[])
    html = str(column_chart(chart_id="z", title="Null", description="", labels=["Jan", "Feb"], series=[Series("Eintritte", [0, 0])]))
    assert {r.get("height") for r in svg_of(html).iter(f"{SVG}rect")} == {"0.0"}


def test_grouped_columns_show_each_series_with_a_legend():
    html = str(
        column_chart(
            chart_id="wechsel",
            title="Ein- und Austritte",
            description="Je Monat.",
            labels=["Jan", "Feb", "Mär"],
            series=[Series("Eintritte", [2, 0, 1], tone=2), Series("Austritte", [1, 1, 0], tone=5)],
        )
    )
    svg = svg_of(html)
    bars = list(svg.iter(f"{SVG}rect"))
    assert len(bars) == 6
    assert [b.find(f"{SVG}title").text for b in bars[:2]] == ["Jan, Eintritte: 2", "Jan, Austritte: 1"]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"] == ["Jan", "Feb", "Mär"]
    assert "chart-tone-2" in bars[0].get("class") and "chart-tone-5" in bars[1].get("class")
    assert '<ul class="chart-legend">' in html and "Eintritte</li>" in html
    assert table_rows(html) == [["Jan", "2", "1"], ["Feb", "0", "1"], ["Mär", "1", "0"]]


def test_stacked_columns_add_up_and_show_the_sum():
    html = str(
        column_chart(
            chart_id="mix",
            title="Finanzierungsmix",
            description="Nach Jahr.",
            labels=["2024", "2025"],
            series=[Series("Förderung", [Decimal(60000), Decimal(0)]), Series("Beiträge", [Decimal(40000), Decimal(50000)], tone=2)],
            stacked=True,
            unit="money",
        )
    )
    svg = svg_of(html)
    segments = list(svg.iter(f"{SVG}rect"))
    # 2024: 60 000 (103,2 px) and 40 000 (68,8 px) fill the plot’s 172 px (220 − 22 − 26) from its baseline at 194; 2025: half of it.
    assert [(s.get("y"), s.get("height")) for s in segments] == [("90.8", "103.2"), ("22.0", "68.8"), ("194.0", "0.0"), ("108.0", "86.0")]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["100.000\u00a0€", "50.000\u00a0€"]
    assert table_rows(html)[0] == ["2024", "60.000\u00a0€", "40.000\u00a0€", "100.000\u00a0€"]


def test_a_line_breaks_where_a_value_is_missing():
    html = str(
        line_chart(
            chart_id="quote",
            title="Eigenfinanzierungsquote",
            description="Steigt.",
            labels=["2022", "2023", "2024", "2025"],
            series=[Series("Quote", [Decimal("20.0"), None, Decimal("40.0"), Decimal("50.0")])],
            unit="percent",
        )
    )
    svg = svg_of(html)
    assert len(list(svg.iter(f"{SVG}circle"))) == 3
    assert len([line for line in svg.iter(f"{SVG}line") if "chart-line" in line.get("class")]) == 1  # only 2024–2025
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["20,0\u00a0%", "40,0\u00a0%", "50,0\u00a0%"]
    assert [row[1] for row in table_rows(html)] == ["20,0\u00a0%", "–", "40,0\u00a0%", "50,0\u00a0%"]


def test_many_columns_leave_the_numbers_to_the_table():
    labels = [f"M{i}" for i in range(12)]
    html = str(column_chart(chart_id="m", title="T", description="D", labels=labels, series=[Series("a", [1] * 12), Series("b", [2] * 12)]))
    svg = svg_of(html)
    assert not [t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert len(table_rows(html)) == 12


# --- on the wire: the indicators page ---------------------------------------------------------------------------


def test_the_indicators_page_carries_its_charts_with_their_numbers(client, year_2024, network):  # noqa: F811
    from verbund.models import ManagerRole, User

    user = User.objects.create_user(email="netz@example.org")
    ManagerRole.objects.create(user=user, network=network)
    client.force_login(user)
    html = client.get("/manage/kennzahlen/health/?year=2024").content.decode()
    charts = [ET.fromstring(s) for s in re.findall(r'<svg class="chart-svg".*?</svg>', html, re.S)]
    svgs = {svg.get("aria-labelledby").split("-title")[0]: svg for svg in charts}
    assert set(svgs) == {
        "chart-members",
        "chart-changes",
        "chart-helix",
        "chart-size",
        "chart-sector",
        "chart-municipality",
        "chart-meetings",
        "chart-funding",
        "chart-self-financing",
    }
    members = svgs["chart-members"]
    assert members.find(f"{SVG}title").text == "Mitglieder am Monatsende 2024"
    assert members.find(f"{SVG}desc").text == "Von 3 Mitgliedern zu Jahresbeginn auf 4 zum Stichtag; höchster Stand 5."
    assert [t.text for t in members.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["3", "4", "5", "5", "5", "4", "4", "4", "4", "3", "4", "4"]
    assert [t.text for t in members.iter(f"{SVG}text") if t.get("class") == "chart-label"][:3] == ["Jan", "Feb", "Mär"]
    helix = svgs["chart-helix"]
    assert [r.find(f"{SVG}title").text for r in helix.iter(f"{SVG}rect") if "chart-bar" in r.get("class")] == [
        "Unternehmen: 2",
        "Wissenschaft: 1",
        "Verwaltung: 1",
        "Sonstige: 0",
    ]
    funding = svgs["chart-funding"]
    assert [t.text for t in funding.iter(f"{SVG}text") if t.get("class") == "chart-value"] == [
        "100.000\u00a0€",
        "100.000\u00a0€",
    ]  # 2023 and 2024; 2025 comes later
    assert len(list(funding.iter(f"{SVG}rect"))) == 2 * 4  # two years (up to the chosen one) × four kinds of funding
    assert html.count('<details class="chart-data">') == 9
    assert "Die öffentliche Förderung „Programm“ endet am 31.12.2024." in html


def test_a_network_without_data_shows_empty_charts_not_errors(client, db):
    from verbund.models import ManagerRole, Network, User

    empty = Network.objects.create(name="Leer", slug="leer")
    user = User.objects.create_user(email="leer@example.org")
    ManagerRole.objects.create(user=user, network=empty)
    client.force_login(user)
    page = client.get("/manage/leer/health/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Für diesen Zeitraum gibt es keine Daten." in html  # composition: nobody to count
    assert "chart-funding" not in html and "Für dieses Jahr sind keine Finanzierungsquellen erfasst." in html
    assert "nicht berechenbar" in html


def test_the_descriptions_name_a_real_biggest_group_and_count_what_the_chart_shows(client, db):
    """ "Am häufigsten" is never the "übrige" rest or "ohne Angabe"; the size chart counts companies, not all members."""
    from datetime import date

    from tests.health.test_indicators import member
    from verbund.models import ManagerRole, Network, User

    net = Network.objects.create(name="Orte", slug="orte")
    member(net, "Rheine 1", [("", "active", date(2020, 1, 1))], kind="company", employees=5, municipality="Rheine")
    member(net, "Rheine 2", [("", "active", date(2020, 1, 1))], kind="company", employees=5, municipality="Rheine")
    for i in range(8):  # eight more towns with one member each: the ninth and later go into "übrige"
        member(net, f"Ort {i}", [("", "active", date(2020, 1, 1))], kind="administration", municipality=f"Ort {i:02d}")
    for i in range(3):
        member(net, f"Ohne Ort {i}", [("", "active", date(2020, 1, 1))], kind="administration")
    user = User.objects.create_user(email="orte@example.org")
    ManagerRole.objects.create(user=user, network=net)
    client.force_login(user)
    html = client.get("/manage/orte/health/").content.decode()
    svgs = {
        svg.get("aria-labelledby").split("-title")[0]: svg for svg in (ET.fromstring(s) for s in re.findall(r'<svg class="chart-svg".*?</svg>', html, re.S))
    }
    # Rheine 2, eight towns with 1 each (7 shown, 1 in "übrige (1)"), 3 without a town: Rheine is the biggest real town.
    assert svgs["chart-municipality"].find(f"{SVG}desc").text == "13 zum Stichtag; am häufigsten: Rheine (2)."
    # Only the two companies have a size class.
    assert svgs["chart-size"].find(f"{SVG}desc").text == "2 zum Stichtag; am häufigsten: Kleinstunternehmen (2)."
