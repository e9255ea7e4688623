"""The portfolio (/portfolio/): every network the user holds a role in, key indicators, sorting, exports, constant queries."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from events.models import ActionItem, Meeting, Registration
from members.models import Contact, Membership, MembershipStatusChange, Organisation
from newsletters.models import Infobrief
from verbund.models import FundingSource, ManagerRole, Network, User


def add_members(network: Network, n: int, *, joined: date | None = None) -> list[Membership]:
    made = []
    for k in range(n):
        organisation = Organisation.objects.create(name=f"{network.slug} Org {k}", kind="company", employees=5)
        membership = Membership.objects.create(organisation=organisation, network=network, joined_on=joined or date(2020, 1, 1))
        MembershipStatusChange.objects.create(membership=membership, to_status="active", effective_on=membership.joined_on)
        made.append(membership)
    return made


@pytest.fixture
def lead(db) -> User:
    """The county's economic development office: manages Alpha, reads Beta (observer), and has nothing to do with Gamma."""
    user = User.objects.create_user(email="kreis@example.org")
    this_year = timezone.localdate().year
    alpha = Network.objects.create(name="Alpha-Netz", slug="alpha", meetings_per_year=2, goals="Ziele")
    beta = Network.objects.create(name="beta-Verbund", slug="beta")
    gamma = Network.objects.create(name="Gamma", slug="gamma")
    ManagerRole.objects.create(user=user, network=alpha, role=ManagerRole.Role.MANAGER)
    ManagerRole.objects.create(user=user, network=beta, role=ManagerRole.Role.OBSERVER)
    archived = Network.objects.create(name="Archiv", slug="archiv", archived_at=timezone.now())
    ManagerRole.objects.create(user=user, network=archived)
    add_members(alpha, 3)
    add_members(alpha, 1, joined=date(this_year, 1, 1))
    add_members(beta, 5)
    add_members(gamma, 9)
    # Alpha: one meeting held this year, 1 of 2 registrations attended; an overdue action item; an Infobrief; 25 % own funding.
    started = timezone.now() - timedelta(minutes=30)
    meeting = Meeting.objects.create(network=alpha, title="Treffen", starts_at=started, ends_at=started + timedelta(hours=1))
    people = [Contact.objects.create(organisation=m.organisation, last_name="P") for m in Membership.objects.filter(network=alpha)[:2]]
    Registration.objects.create(meeting=meeting, contact=people[0], status="attended")
    Registration.objects.create(meeting=meeting, contact=people[1], status="no_show")
    ActionItem.objects.create(network=alpha, title="Zu spät", due_on=timezone.localdate() - timedelta(days=3))
    Infobrief.objects.create(network=alpha, subject="Infobrief", status="sent", sent_at=timezone.now())
    FundingSource.objects.create(network=alpha, year=this_year, kind="member_fees", amount=Decimal(25))
    FundingSource.objects.create(network=alpha, year=this_year, kind="public_programme", amount=Decimal(75))
    return user


def cells(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>|[ \t\r\n]+", " ", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_table_has_every_network_of_the_user_and_only_those(client, lead):
    client.force_login(lead)
    page = client.get("/portfolio/")
    assert page.status_code == 200
    rows = cells(page.content.decode())
    assert [row[0] for row in rows] == ["Alpha-Netz", "beta-Verbund"]  # A–Z regardless of case; no Gamma, nothing archived
    alpha = rows[0]
    # name, role, members, joins, leaves, held, planned, attendance, open, overdue, Infobriefe, own funding, criteria
    assert alpha[1:12] == ["Netzwerkmanager:in", "4", "1", "0", "1", alpha[6], "50,0\u00a0%", "1", "1", "1", "25,0\u00a0%"]
    assert rows[1][1] == "Lesezugriff" and rows[1][7] == "nicht berechenbar" and rows[1][6] == "keine Angabe"
    assert re.fullmatch(r"\d+ von 18", alpha[12])
    assert 'href="/manage/alpha/health/?year=' in page.content.decode()


def test_sorting_by_a_column_marks_it_for_screen_readers_and_keeps_none_last(client, lead):
    client.force_login(lead)
    html = client.get("/portfolio/?sort=-members").content.decode()
    assert [row[0] for row in cells(html)] == ["beta-Verbund", "Alpha-Netz"]  # 5 before 4
    assert re.search(r'<th scope="col" class="num" aria-sort="descending">\s*<a class="sort-link" href="\?year=\d+&amp;sort=members">Mitglieder', html)
    assert html.count("aria-sort=") == 1
    for order in ("attendance", "-attendance"):  # Beta has no attendance rate: last either way
        assert [row[0] for row in cells(client.get(f"/portfolio/?sort={order}").content.decode())] == ["Alpha-Netz", "beta-Verbund"]
    html = client.get("/portfolio/?sort=nonsense").content.decode()
    assert [row[0] for row in cells(html)] == ["Alpha-Netz", "beta-Verbund"]
    assert 'aria-sort="ascending"' in html


def test_csv_and_xlsx_carry_the_same_table(client, lead):
    client.force_login(lead)
    year = timezone.localdate().year
    csv = client.get("/portfolio/portfolio.csv?sort=-members")
    assert csv.status_code == 200 and csv["Content-Disposition"] == f'attachment; filename="portfolio-{year}.csv"'
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeffVerbund;Ihre Rolle;Mitglieder;")
    lines = text.strip().split("\r\n")
    assert lines[1].startswith("beta-Verbund;Lesezugriff;5;") and lines[2].startswith("Alpha-Netz;Netzwerkmanager:in;4;1;0;1;")
    xlsx = client.get("/portfolio/portfolio.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:5] == ["Alpha-Netz", "Netzwerkmanager:in", 4, 1, 0]
    assert rows[1][11] == Decimal("25.0") or rows[1][11] == 25.0
    assert rows[2][7] == "nicht berechenbar"
    assert rows[0][7] == "Teilnahmequote (%)" and rows[0][11] == "Eigenfinanzierungsquote (%)"  # the numbers are percentages
    assert ";Teilnahmequote (%);" in lines[0] and ";Eigenfinanzierungsquote (%);" in lines[0]


def test_a_refused_year_shows_the_reason_and_an_export_answers_400(client, lead):
    client.force_login(lead)
    page = client.get("/portfolio/?year=abc")
    assert page.status_code == 200 and "Bitte ein Jahr als Zahl angeben" in page.content.decode()
    assert client.get("/portfolio/portfolio.csv?year=2999").status_code == 400


def test_people_without_a_role_are_refused(client, lead):
    member = User.objects.create_user(email="mitglied@example.org")
    client.force_login(member)
    assert client.get("/portfolio/").status_code == 403
    client.logout()
    assert client.get("/portfolio/").status_code == 302


def test_the_page_takes_the_same_number_of_queries_for_2_and_20_networks(client, db):
    def user_with(n: int) -> User:
        user = User.objects.create_user(email=f"viele{n}@example.org")
        for k in range(n):
            network = Network.objects.create(name=f"Netz {n}-{k}", slug=f"netz-{n}-{k}", meetings_per_year=4)
            ManagerRole.objects.create(user=user, network=network)
            add_members(network, 2)
            started = timezone.now() - timedelta(days=2)
            Meeting.objects.create(network=network, title="T", starts_at=started, ends_at=started + timedelta(hours=1))
            FundingSource.objects.create(network=network, year=timezone.localdate().year, kind="member_fees", amount=Decimal(10))
        return user

    def queries(user: User) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/portfolio/").status_code == 200
        return len(ctx.captured_queries)

    assert queries(user_with(2)) == queries(user_with(20))
