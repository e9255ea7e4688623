"""The cluster check (health.cluster): the benchmarking's six groups, criteria met or not by hand, the page and its XLSX and PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from health.cluster import assess
from health.indicators import network_indicators
from tests.health.test_indicators import TODAY, network, year_2024  # noqa: F401 – fixtures
from verbund.models import ManagerRole, Network, User


def results(assessment) -> dict[str, bool | None]:
    return {c.key: c.met for c in assessment.criteria}


def test_the_busy_year_meets_eleven_of_eighteen_criteria(year_2024, network):  # noqa: F811
    assessment = assess(network_indicators(network, 2024, today=TODAY))
    assert [g.key for g in assessment.groups] == ["structure", "governance", "financing", "services", "interaction", "achievements"]
    assert results(assessment) == {
        # 4 members (< 15); companies, science and administration; 1 of 2 companies an SME; 3 → 4 members.
        "members": False,
        "helix": True,
        "sme": True,
        "growth": True,
        # no manager role yet; goals written, no rules; no chair or board; 1 of 2 open items overdue (50 % > 25 %).
        "management": False,
        "goals": True,
        "rules": False,
        "bodies": False,
        "follow_up": False,
        # 100 000 € recorded; 40 % own funding (≥ 30 %), up 20 points.
        "funding_recorded": True,
        "own_funding": True,
        "own_funding_trend": True,
        # no course held; two Infobriefe.
        "courses": False,
        "infobriefe": True,
        # 2 of 4 planned meetings; 2 of 4 members came (50 %).
        "cadence": False,
        "participation": True,
        # 1 of 2 meetings documented (50 %); one public event.
        "documented": True,
        "public": True,
    }
    assert (assessment.met, assessment.total) == (11, 18)
    cadence = next(c for c in assessment.criteria if c.key == "cadence")
    assert cadence.value == "2 von 4" and cadence.status_label == "nicht erfüllt"


def test_management_counts_once_a_manager_or_office_is_there(year_2024, network):  # noqa: F811
    ManagerRole.objects.create(user=User.objects.create_user(email="m@example.org"), network=network, role=ManagerRole.Role.MANAGER)
    assert results(assess(network_indicators(network, 2024, today=TODAY)))["management"] is True


def test_an_empty_network_cannot_be_checked_where_nothing_is_known(db):
    empty = Network.objects.create(name="Leer", slug="leer")
    assessment = assess(network_indicators(empty, 2024, today=TODAY))
    found = results(assessment)
    assert {key for key, met in found.items() if met is None} == {"sme", "growth", "own_funding", "own_funding_trend", "participation", "documented"}
    assert [key for key, met in found.items() if met] == ["follow_up"]  # no open action item is none overdue
    assert assessment.met == 1
    cadence = next(c for c in assessment.criteria if c.key == "cadence")
    assert cadence.met is False and cadence.value == "keine Taktung im Profil"


@pytest.fixture
def manager(year_2024, network) -> User:  # noqa: F811
    user = User.objects.create_user(email="lead@example.org")
    ManagerRole.objects.create(user=user, network=network, role=ManagerRole.Role.OBSERVER)  # reading is enough
    return user


def test_the_page_shows_the_groups_the_count_and_that_it_is_no_label(client, manager):
    client.force_login(manager)
    page = client.get("/manage/kennzahlen/health/cluster/?year=2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kein offizielles Label." in html and "keine Zertifizierung" in html
    assert "11 von 18" in html
    for title in ("Struktur", "Management und Governance", "Finanzierung", "Leistungen", "Zusammenarbeit und Austausch", "Ergebnisse und Sichtbarkeit"):
        assert f">{title}</h2>" in html
    assert "Mindestens 15 Mitglieder" in html and "badge-success" in html and "badge-warning" in html


def test_xlsx_lists_every_criterion_with_its_result(client, manager):
    client.force_login(manager)
    response = client.get("/manage/kennzahlen/health/cluster.xlsx?year=2024")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cluster-check-kennzahlen-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Bereich", "Art", "Bezeichnung", "Wert", "Ergebnis"]
    assert rows[1][0] == "Hinweis" and "kein offizielles Label" in rows[1][2]
    assert ["Struktur", "Kriterium", "Mindestens 15 Mitglieder", "4", "nicht erfüllt"] in rows
    assert ["Finanzierung", "Kriterium", "Eigenfinanzierungsquote (Beiträge und Dienstleistungen) mindestens 30\u00a0%", "40,0\u00a0%", "erfüllt"] in rows
    assert sum(1 for row in rows if row[1] == "Kriterium") == 18


def test_pdf_carries_the_criteria_and_the_notice(client, manager):
    client.force_login(manager)
    response = client.get("/manage/kennzahlen/health/cluster.pdf?year=2024")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kein offizielles Label." in text
    assert "11 von 18 Kriterien erfüllt" in text
    assert "Mindestens 15 Mitglieder" in text


def test_a_download_for_a_refused_year_is_a_400_with_the_reason(client, manager):
    client.force_login(manager)
    for url in ("/manage/kennzahlen/health/cluster.pdf?year=3000", "/manage/kennzahlen/health/cluster.xlsx?year=zwanzig"):
        response = client.get(url)
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Für ein Jahr nach" in client.get("/manage/kennzahlen/health/cluster.pdf?year=3000").content.decode()
    page = client.get("/manage/kennzahlen/health/cluster/?year=1999")
    assert page.status_code == 200 and "Kennzahlen gibt es ab dem Jahr 2000." in page.content.decode()
    assert f"Cluster-Check {date.today().year}" in page.content.decode()


def test_an_outsider_gets_404(client, manager):
    outsider = User.objects.create_user(email="fremd@example.org")
    ManagerRole.objects.create(user=outsider, network=Network.objects.create(name="Anders", slug="anders"))
    client.force_login(outsider)
    assert client.get("/manage/kennzahlen/health/cluster/").status_code == 404
    assert client.get("/manage/kennzahlen/health/cluster.pdf").status_code == 404
