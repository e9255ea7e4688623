"""A network's indicators (health.indicators) against hand-computed values, with empty networks, empty years and zero denominators."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import ActionItem, Meeting, MeetingDocument, Registration
from health import indicators as ind
from health.indicators import Period, figures, indicators_for, membership_intervals, network_indicators
from members.models import Consent, Contact, EconomicActivity, GovernancePosition, Membership, MembershipStatusChange, Organisation
from members.selectors import member_count
from members.services import membership_change_status, organisation_create
from newsletters.models import Bounce, Delivery, Infobrief, Subscriber, Suppression
from qualification.indicators import indicators as qualification_indicators
from qualification.models import Course
from verbund.models import FundingSource, ManagerRole, Network, User

TODAY = date(2026, 12, 7)  # only for the pure functions and past years: the current year is computed from the real today


def aware(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def member(network: Network, name: str, steps: list[tuple[str, str, date]], *, status: str | None = None, joined_on=None, left_on=None, **org) -> Membership:
    """An organisation and its membership with the given status steps (from, to, effective); the status is the last step's."""
    organisation = Organisation.objects.create(name=name, **org)
    membership = Membership.objects.create(
        organisation=organisation, network=network, status=status or steps[-1][1], joined_on=joined_on or steps[0][2], left_on=left_on
    )
    for from_status, to_status, effective_on in steps:
        MembershipStatusChange.objects.create(membership=membership, from_status=from_status, to_status=to_status, effective_on=effective_on)
    return membership


def contact(membership: Membership, email: str = "") -> Contact:
    return Contact.objects.create(organisation=membership.organisation, last_name=membership.organisation.name, email=email)


# --- intervals of one membership (pure) ---------------------------------------------------------------------------


def test_a_membership_created_active_counts_from_its_first_step():
    assert membership_intervals(
        status="active", joined_on=date(2024, 3, 1), left_on=None, recorded_on=date(2024, 3, 1), changes=[("", "active", date(2024, 3, 1))], today=TODAY
    ) == [(date(2024, 3, 1), None)]


def test_a_left_membership_counts_until_the_day_it_left():
    steps = [("", "active", date(2020, 1, 1)), ("active", "paused", date(2021, 1, 1)), ("paused", "left", date(2024, 6, 30))]
    assert membership_intervals(status="left", joined_on=date(2020, 1, 1), left_on=date(2024, 6, 30), recorded_on=TODAY, changes=steps, today=TODAY) == [
        (date(2020, 1, 1), date(2024, 6, 30))
    ]


def test_leaving_and_joining_again_makes_two_intervals():
    steps = [("", "active", date(2018, 1, 1)), ("active", "left", date(2022, 4, 1)), ("left", "active", date(2024, 11, 20))]
    assert membership_intervals(status="active", joined_on=date(2018, 1, 1), left_on=None, recorded_on=TODAY, changes=steps, today=TODAY) == [
        (date(2018, 1, 1), date(2022, 4, 1)),
        (date(2024, 11, 20), None),
    ]


def test_steps_that_disagree_with_the_status_give_way_to_the_dates():
    # The steps end in "active", but the membership says "left" (changed outside the services): the dates decide.
    steps = [("", "active", date(2019, 1, 1))]
    assert membership_intervals(status="left", joined_on=date(2019, 1, 1), left_on=date(2023, 5, 1), recorded_on=TODAY, changes=steps, today=TODAY) == [
        (date(2019, 1, 1), date(2023, 5, 1))
    ]


def test_without_steps_and_join_date_a_member_counts_from_the_day_it_was_recorded():
    assert membership_intervals(status="paused", joined_on=None, left_on=None, recorded_on=date(2025, 2, 2), changes=[], today=TODAY) == [
        (date(2025, 2, 2), None)
    ]
    assert membership_intervals(status="prospect", joined_on=None, left_on=None, recorded_on=date(2025, 2, 2), changes=[], today=TODAY) == []
    assert membership_intervals(status="left", joined_on=None, left_on=date(2025, 1, 1), recorded_on=date(2020, 1, 1), changes=[], today=TODAY) == []


def test_dates_in_the_future_are_held_to_today_so_today_agrees_with_the_status():
    # Active today but with a join date next year: a member from today. Left today with a leave dated next month: gone today.
    assert membership_intervals(status="active", joined_on=date(2027, 1, 1), left_on=None, recorded_on=TODAY, changes=[], today=TODAY) == [(TODAY, None)]
    steps = [("", "active", date(2020, 1, 1)), ("active", "left", date(2027, 1, 31))]
    assert membership_intervals(status="left", joined_on=date(2020, 1, 1), left_on=date(2027, 1, 31), recorded_on=TODAY, changes=steps, today=TODAY) == [
        (date(2020, 1, 1), TODAY)
    ]


def test_a_future_year_is_refused_and_the_current_one_ends_today():
    with pytest.raises(ValueError):
        Period.of(2027, TODAY)
    current = Period.of(2026, TODAY)
    assert current.end == TODAY and current.is_current
    past = Period.of(2024, TODAY)
    assert past.end == date(2024, 12, 31) and not past.is_current


# --- one network's year by hand -----------------------------------------------------------------------------------


@pytest.fixture
def network(db) -> Network:
    return Network.objects.create(name="Kennzahlen-Netz", slug="kennzahlen", meetings_per_year=4, goals="Wachsen", rules_of_play="")


@pytest.fixture
def year_2024(network):
    """Memberships, meetings, action items, Infobriefe and funding of 2024 (see the comments for the sums)."""
    wz_c = EconomicActivity.objects.get(version="2008", code="C")
    a = member(network, "A GmbH", [("", "active", date(2020, 5, 1))], kind="company", employees=5, municipality="Rheine", activity=wz_c)
    b = member(network, "B Hochschule", [("", "active", date(2024, 3, 15))], kind="research", municipality="Rheine")
    c = member(network, "C KG", [("", "active", date(2019, 1, 1)), ("active", "left", date(2024, 6, 30))], kind="company", left_on=date(2024, 6, 30))
    member(network, "D Interessent", [("", "prospect", date(2023, 1, 1))])
    e = member(network, "E GmbH", [("", "active", date(2024, 2, 1)), ("active", "left", date(2024, 10, 1))], kind="company", left_on=date(2024, 10, 1))
    trashed = member(network, "F im Papierkorb", [("", "active", date(2021, 1, 1))])
    Membership.objects.filter(pk=trashed.pk).update(archived_at=timezone.now())
    gone = member(network, "G archiviert", [("", "active", date(2021, 1, 1))])
    Organisation.objects.filter(pk=gone.organisation_id).update(archived_at=timezone.now())
    h = member(
        network, "H Gemeinde", [("", "active", date(2018, 1, 1)), ("active", "paused", date(2022, 1, 1))], kind="administration", municipality="Steinfurt"
    )
    i = member(
        network,
        "I Beratung",
        [("", "active", date(2018, 1, 1)), ("active", "left", date(2022, 4, 1)), ("left", "active", date(2024, 11, 20))],
        kind="consultancy",
        employees=300,
    )
    people = {key: contact(m, f"{key}@example.org") for key, m in {"a": a, "b": b, "c": c, "e": e, "h": h}.items()}

    # Meetings: M1 held with attendance recorded, M2 started but never marked (no attendance), M3 cancelled, M4 next year.
    m1 = Meeting.objects.create(network=network, title="M1", starts_at=aware(2024, 2, 20, 10), ends_at=aware(2024, 2, 20, 12), status="held", is_public=True)
    m2 = Meeting.objects.create(network=network, title="M2", starts_at=aware(2024, 5, 14, 10), ends_at=aware(2024, 5, 14, 12), status="invited")
    m3 = Meeting.objects.create(network=network, title="M3", starts_at=aware(2024, 7, 1, 10), ends_at=aware(2024, 7, 1, 12), status="cancelled")
    Meeting.objects.create(network=network, title="M4", starts_at=aware(2025, 1, 10, 10), ends_at=aware(2025, 1, 10, 12), status="held")
    for key, status in [("a", "attended"), ("b", "attended"), ("c", "no_show"), ("e", "registered"), ("h", "cancelled")]:
        Registration.objects.create(meeting=m1, contact=people[key], status=status)
    Registration.objects.create(meeting=m1, guest_name="Gast", status="attended")
    Registration.objects.create(meeting=m1, guest_name="Warteliste", status="waitlisted")
    Registration.objects.create(meeting=m2, contact=people["a"], status="registered")
    Registration.objects.create(meeting=m2, contact=people["h"], status="registered")
    Registration.objects.create(meeting=m3, contact=people["a"], status="attended")
    MeetingDocument.objects.create(meeting=m1, kind="documentation", status="done")

    # Action items on 31 Dec 2024: two open (one of them overdue).
    def item(title, created, due=None, done=None, deleted=False):
        made = ActionItem.objects.create(network=network, title=title, due_on=due, done_at=done)
        ActionItem.with_deleted.filter(pk=made.pk).update(created_at=created, deleted_at=timezone.now() if deleted else None)

    item("überfällig", aware(2024, 1, 10), due=date(2024, 3, 1))
    item("erledigt im Juni", aware(2024, 1, 10), due=date(2024, 3, 1), done=aware(2024, 6, 1))
    item("erst 2025 erledigt", aware(2024, 11, 1), due=date(2025, 1, 15), done=aware(2025, 2, 1))
    item("erst 2025 angelegt", aware(2025, 1, 5), due=date(2025, 1, 6))
    item("gelöscht", aware(2024, 1, 10), due=date(2024, 3, 1), deleted=True)

    # Infobriefe: two sent in 2024 (5 accepted mails to 4 addresses, 2 refused), a draft and one of 2023.
    i1 = Infobrief.objects.create(network=network, subject="März", status="sent", sent_at=aware(2024, 3, 5, 9))
    i2 = Infobrief.objects.create(network=network, subject="September", status="sent", sent_at=aware(2024, 9, 5, 9))
    i3 = Infobrief.objects.create(network=network, subject="Entwurf")
    old = Infobrief.objects.create(network=network, subject="2023", status="sent", sent_at=aware(2023, 12, 1, 9))
    for email, status in [("p@x.de", "sent"), ("q@x.de", "sent"), ("r@x.de", "sent"), ("s@x.de", "failed"), ("t@x.de", "parked"), ("u@x.de", "cancelled")]:
        Delivery.objects.create(infobrief=i1, email=email, status=status)
    Delivery.objects.create(infobrief=i2, email="p@x.de", status="sent")
    Delivery.objects.create(infobrief=i2, email="v@x.de", status="sent")
    Delivery.objects.create(infobrief=i3, email="p@x.de", status="pending")
    Delivery.objects.create(infobrief=old, email="p@x.de", status="sent")
    # Unsubscribes: x@ by link and by withdrawing the consent (one address), y@ as a subscriber; a bounce block and a 2023 one do not count.
    for email, reason, created in [
        ("x@x.de", "unsubscribed", aware(2024, 4, 1)),
        ("b@x.de", "bounced", aware(2024, 4, 1)),
        ("z@x.de", "unsubscribed", aware(2023, 4, 1)),
    ]:
        made = Suppression.objects.create(network=network, email=email, reason=reason)
        Suppression.objects.filter(pk=made.pk).update(created_at=created)
    x = Contact.objects.create(organisation=a.organisation, last_name="X", email="X@x.de")
    Consent.objects.create(
        contact=x, network=network, purpose="newsletter", granted_at=aware(2023, 1, 1), withdrawn_at=aware(2024, 4, 2), source="portal", text_version="1"
    )
    Subscriber.objects.create(
        network=network,
        email="y@x.de",
        status="unsubscribed",
        requested_at=aware(2023, 1, 1),
        consent_text="t",
        consent_version=1,
        unsubscribed_at=aware(2024, 8, 1),
    )
    for received in (aware(2024, 3, 6), aware(2024, 9, 6), aware(2023, 3, 6)):
        bounce = Bounce.objects.create(network=network, email="s@x.de", kind="hard")
        Bounce.objects.filter(pk=bounce.pk).update(received_at=received)

    # Funding: 2023 20 % own, 2024 40 % own (public programme ending 31 Dec 2024), 2025 without public money.
    for year, kind, amount, end in [
        (2023, "public_programme", 80000, None),
        (2023, "member_fees", 20000, None),
        (2024, "public_programme", 60000, date(2024, 12, 31)),
        (2024, "member_fees", 25000, None),
        (2024, "paid_services", 15000, None),
        (2025, "member_fees", 30000, None),
    ]:
        FundingSource.objects.create(
            network=network, year=year, kind=kind, amount=Decimal(amount), name="Programm" if kind == "public_programme" else "", period_end=end
        )
    return {"a": a, "b": b, "h": h, "i": i}


def test_members_over_the_year(year_2024, network):
    m = network_indicators(network, 2024, today=TODAY).members
    # On 31 Dec 2023: A, C, H (paused counts). Joins: E (Feb), B (Mar), I again (Nov). Leaves: C (30 Jun), E (1 Oct).
    assert (m.start, m.joins, m.leaves, m.end) == (3, 3, 2, 4)
    assert m.growth == Decimal("33.3")  # (4 − 3) ÷ 3
    assert [p.members for p in m.months] == [3, 4, 5, 5, 5, 4, 4, 4, 4, 3, 4, 4]
    assert [p.joins for p in m.months] == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert [p.leaves for p in m.months] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]


def test_composition_at_the_end_of_the_year(year_2024, network):
    c = network_indicators(network, 2024, today=TODAY).composition
    # A company (5 staff, micro), B research, H administration, I consultancy (300 staff, large) — counted with the companies.
    assert c.total == 4
    assert [(s.key, s.count, s.percent) for s in c.helix] == [
        ("companies", 2, Decimal("50.0")),
        ("science", 1, Decimal("25.0")),
        ("administration", 1, Decimal("25.0")),
        ("others", 0, Decimal("0.0")),
    ]
    assert c.helix_types == 3
    sizes = {s.key: s.count for s in c.size_classes}
    assert sizes == {"micro": 1, "small": 0, "medium": 0, "large": 1, "unknown": 0}
    assert c.sme_share == Decimal("50.0")
    assert [(s.label, s.count) for s in c.municipalities] == [("Rheine", 2), ("Steinfurt", 1), ("ohne Angabe", 1)]
    assert [(s.label, s.count) for s in c.sectors] == [("C Verarbeitendes Gewerbe", 1), ("ohne Angabe", 3)]


def test_meetings_attendance_and_action_items(year_2024, network):
    t = network_indicators(network, 2024, today=TODAY).meetings
    assert t.held == 2 and t.public_held == 1 and t.documented == 1  # M1 and M2; M3 cancelled, M4 next year
    assert (t.planned, t.due, t.cadence, t.behind) == (4, 4, Decimal("50.0"), True)
    # M1 only (M2 has no attendance recorded): seats of registered, attended, no-show = 2 + guest + 1 + 1 = 5; 3 attended.
    assert (t.registered, t.attended, t.attendance_rate, t.recorded_meetings) == (5, 3, Decimal("60.0"), 1)
    # A and B came; both are members at the end (of 4): 50 %. The guest is nobody's member.
    assert (t.participating_members, t.participation) == (2, Decimal("50.0"))
    assert (t.open_items, t.overdue_items) == (2, 1)


def test_infobrief_reach(year_2024, network):
    i = network_indicators(network, 2024, today=TODAY).infobrief
    assert (i.sent, i.deliveries, i.recipients, i.failed) == (2, 5, 4, 2)
    assert i.delivery_rate == Decimal("71.4")  # 5 ÷ 7
    assert i.unsubscribes == 2  # x@ (link and consent, once) and y@
    assert i.bounces == 2


def test_financing_mix_ratio_trend_and_warnings(year_2024, network):
    f = network_indicators(network, 2024, today=TODAY).financing
    assert f.year.total == Decimal(100000) and f.year.own == Decimal(40000) and f.year.ratio == Decimal("40.0")
    assert {kind: amount for kind, _label, amount in f.year.amounts} == {
        "public_programme": Decimal(60000),
        "member_fees": Decimal(25000),
        "paid_services": Decimal(15000),
        "third_party": Decimal(0),
    }
    assert [(h.year, h.ratio) for h in f.history] == [(2023, Decimal("20.0")), (2024, Decimal("40.0"))]  # 2025 is later: no trend
    assert [h.year for h in network_indicators(network, 2025, today=TODAY).financing.history] == [2023, 2024, 2025]
    assert f.previous is not None and f.previous.year == 2023 and f.ratio_change == Decimal("20.0")
    assert f.warnings == ["Die öffentliche Förderung „Programm“ endet am 31.12.2024.", "Für 2025 ist keine öffentliche Förderung mehr eingetragen."]
    earlier = network_indicators(network, 2023, today=TODAY).financing
    assert earlier.ratio_change is None and earlier.previous is None
    assert any("Eigenfinanzierungsquote liegt bei 20,0" in w for w in earlier.warnings)
    later = network_indicators(network, 2025, today=TODAY).financing
    assert later.ratio_change == Decimal("60.0") and later.warnings == []


def test_falling_own_share_is_a_warning(network):
    for year, fees, public in [(2022, 50, 50), (2023, 40, 60)]:
        FundingSource.objects.create(network=network, year=year, kind="member_fees", amount=Decimal(fees))
        FundingSource.objects.create(network=network, year=year, kind="public_programme", amount=Decimal(public))
    f = network_indicators(network, 2023, today=TODAY).financing
    assert f.ratio_change == Decimal("-10.0")
    assert f.warnings == ["Die Eigenfinanzierungsquote ist gegenüber 2022 um 10,0 Prozentpunkte gesunken."]


def test_an_empty_network_has_zeros_and_no_rates(db):
    empty = Network.objects.create(name="Leer", slug="leer")
    result = network_indicators(empty, 2024, today=TODAY)
    m, c, t, i, f = result.members, result.composition, result.meetings, result.infobrief, result.financing
    assert (m.start, m.end, m.joins, m.leaves, m.growth) == (0, 0, 0, 0, None)
    assert [p.members for p in m.months] == [0] * 12
    assert c.total == 0 and c.helix_types == 0 and c.sme_share is None
    assert all(s.percent is None for s in c.helix) and c.sectors == [] and c.municipalities == []
    assert (t.held, t.planned, t.due, t.cadence, t.behind, t.attendance_rate, t.participation) == (0, None, None, None, None, None, None)
    assert (i.sent, i.delivery_rate, i.unsubscribes, i.bounces) == (0, None, 0, 0)
    assert (f.year.total, f.year.ratio, f.ratio_change, f.warnings) == (Decimal(0), None, None, [])
    assert [h.year for h in f.history] == [2024]
    assert result.qualification is not None and result.qualification.realisation is None
    rows = figures(result)
    assert any(row.value is None and row.display == "nicht berechenbar" for row in rows)
    assert all(row.definition for row in rows)


def test_an_empty_year_of_a_busy_network(year_2024, network):
    result = network_indicators(network, 2010, today=TODAY)
    assert (result.members.start, result.members.end, result.members.joins) == (0, 0, 0)
    assert (result.meetings.held, result.meetings.cadence, result.meetings.attendance_rate) == (0, Decimal("0.0"), None)
    assert (result.meetings.open_items, result.infobrief.sent, result.financing.year.ratio) == (0, 0, None)


def test_the_current_year_ends_today_with_the_member_count(db):
    network = Network.objects.create(name="Heute", slug="heute")
    user = User.objects.create_user(email="m@example.org")
    today = timezone.localdate()
    left = member(network, "Geht KG", [("", "active", date(today.year - 1, 6, 1))])
    kept = organisation_create(network=network, by=user, data={"name": "Bleibt GmbH"})
    organisation_create(network=network, by=user, data={"name": "Interessiert AG"}, status=Membership.Status.PROSPECT)
    membership_change_status(membership=left, to_status=Membership.Status.LEFT, by=user)
    membership_change_status(membership=kept, to_status=Membership.Status.PAUSED, by=user)
    result = network_indicators(network, today.year)
    assert result.period.end == today and result.period.is_current
    assert result.members.end == member_count(network) == 1
    assert (result.members.start, result.members.joins, result.members.leaves) == (1, 1, 1)
    assert len(result.members.months) == today.month


def test_courses_held_agree_with_the_qualification_indicators(network):
    for status in ("held", "held", "planned", "cancelled"):
        Course.objects.create(network=network, title=status, status=status, year=2024)
    Course.objects.create(network=network, title="2023", status="held", year=2023)
    result = network_indicators(network, 2024, today=TODAY)
    assert result.profile.courses_held == qualification_indicators(network, 2024).held == 2


def test_profile_reads_management_goals_and_bodies(year_2024, network):
    user = User.objects.create_user(email="lesend@example.org")
    ManagerRole.objects.create(user=user, network=network, role=ManagerRole.Role.OBSERVER)
    person = Contact.objects.create(organisation=year_2024["a"].organisation, last_name="Vorsitz")
    GovernancePosition.objects.create(network=network, contact=person, function="chair", since=date(2020, 1, 1))
    GovernancePosition.objects.create(network=network, contact=person, function="board", until=date(2023, 12, 31))
    profile = network_indicators(network, 2024, today=TODAY).profile
    assert not profile.has_management  # a reading role is no management
    assert profile.has_goals and not profile.has_rules
    assert profile.governance_functions == ["chair"]
    ManagerRole.objects.create(user=User.objects.create_user(email="gs@example.org"), network=network, role=ManagerRole.Role.OFFICE)
    assert network_indicators(network, 2024, today=TODAY).profile.has_management


def test_csv_rows_carry_every_indicator_with_its_definition(year_2024, network):
    headers, rows = ind.csv_rows(network_indicators(network, 2024, today=TODAY))
    assert headers == ["Bereich", "Kennzahl", "Wert", "Einheit", "Zeitraum", "Definition"]
    by_label = {row[1]: row for row in rows}
    assert by_label["Mitglieder zum Stichtag"][2:5] == [4, "Anzahl", "Stichtag 31.12.2024"]
    assert by_label["Teilnahmequote"][2] == Decimal("60.0")
    assert by_label["Eigenfinanzierungsquote"][2] == Decimal("40.0")
    assert by_label["Realisierungsquote"][2] == "nicht berechenbar"
    assert all(row[5] for row in rows)


def test_many_networks_take_the_same_number_of_queries(db):
    def make(n: int) -> list[Network]:
        made = []
        for k in range(n):
            network = Network.objects.create(name=f"N{n}-{k}", slug=f"n{n}-{k}", meetings_per_year=2)
            m = member(network, f"Org {n}-{k}", [("", "active", date(2024, 1, 5))], kind="company", employees=3)
            meeting = Meeting.objects.create(network=network, title="T", starts_at=aware(2024, 3, 1, 9), ends_at=aware(2024, 3, 1, 10))
            Registration.objects.create(meeting=meeting, contact=contact(m), status="attended")
            FundingSource.objects.create(network=network, year=2024, kind="member_fees", amount=Decimal(10))
            made.append(network)
        return made

    def count(networks: list[Network]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            results = indicators_for(networks, 2024, today=TODAY)
        assert all(r.members.end == 1 and r.meetings.attended == 1 for r in results.values())
        return len(ctx.captured_queries)

    assert count(make(2)) == count(make(20))


def test_years_offered_run_from_the_first_recorded_year(year_2024, network):
    years = ind.years_available(network, today=TODAY)
    assert years[0] == 2026 and years[-1] == 2018  # I's first join
    Network.objects.filter(pk=network.pk).update(founded_on=date(1990, 1, 1))
    network.refresh_from_db()
    assert ind.years_available(network, today=TODAY)[-1] == 2026 - ind.MAX_YEARS_BACK


def test_month_end_of_the_current_month_is_today(db):
    network = Network.objects.create(name="Monat", slug="monat")
    today = timezone.localdate()
    member(network, "Heute GmbH", [("", "active", today - timedelta(days=400))])
    points = network_indicators(network, today.year).members.months
    assert points[-1].month == date(today.year, today.month, 1) and points[-1].members == 1


# --- the page and its CSV ---------------------------------------------------------------------------------------


@pytest.fixture
def reader(year_2024, network) -> User:
    user = User.objects.create_user(email="leser@example.org")
    ManagerRole.objects.create(user=user, network=network, role=ManagerRole.Role.OBSERVER)
    return user


def test_the_page_shows_each_indicator_with_its_period_and_definition(client, reader):
    client.force_login(reader)
    html = client.get("/manage/kennzahlen/health/?year=2024").content.decode()
    assert "<h1>Kennzahlen 2024</h1>" in html and "1. Januar 2024 bis 31. Dezember 2024" in html
    row = re.search(r'<th scope="row">Teilnahmequote</th>(.*?)</tr>', html, re.S).group(1)
    assert "60,0\u00a0%" in row and "01.01.–31.12.2024" in row and "Teilnahmen ÷ Anmeldungen" in row
    assert '<option value="2024" selected>' in html
    assert 'href="/manage/kennzahlen/health/cluster/?year=2024"' in html and 'href="/manage/kennzahlen/health/kennzahlen.csv?year=2024"' in html
    assert 'aria-current="page">Kennzahlen</a>' in html  # the sidebar entry


def test_a_refused_year_shows_this_year_with_the_reason(client, reader):
    client.force_login(reader)
    this_year = timezone.localdate().year
    for value, reason in [
        ("abc", "Bitte ein Jahr als Zahl angeben, z. B. 2025."),
        ("1999", "Kennzahlen gibt es ab dem Jahr 2000."),
        ("2999", "Für ein Jahr nach"),
    ]:
        page = client.get(f"/manage/kennzahlen/health/?year={value}")
        assert page.status_code == 200
        html = page.content.decode()
        assert reason in html and f"<h1>Kennzahlen {this_year}</h1>" in html


def test_the_csv_is_for_german_excel_and_refuses_a_bad_year(client, reader):
    client.force_login(reader)
    response = client.get("/manage/kennzahlen/health/kennzahlen.csv?year=2024")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kennzahlen-kennzahlen-2024.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffBereich;Kennzahl;Wert;Einheit;Zeitraum;Definition\r\n")
    assert "\r\nMitglieder;Mitglieder zum Stichtag;4;Anzahl;Stichtag 31.12.2024;" in text
    assert "\r\nTreffen und Verabredungen;Teilnahmequote;60,00;Prozent;" in text
    assert "\r\nQualifizierung;Realisierungsquote;nicht berechenbar;Prozent;" in text
    assert "\r\nFinanzierung;Summe;100000,00;Euro;2024;" in text
    assert client.get("/manage/kennzahlen/health/kennzahlen.csv?year=abc").status_code == 400


def test_an_outsider_gets_404(client, year_2024, network):
    outsider = User.objects.create_user(email="fremd@example.org")
    ManagerRole.objects.create(user=outsider, network=Network.objects.create(name="Anders", slug="anders"))
    client.force_login(outsider)
    assert client.get("/manage/kennzahlen/health/").status_code == 404
    assert client.get("/manage/kennzahlen/health/kennzahlen.csv").status_code == 404


def test_the_demo_adds_years_of_funding_and_some_movement_once(db):
    from health.demo import seed_indicators_demo

    network = Network.objects.create(name="Demo", slug="demo")
    today = timezone.localdate()
    FundingSource.objects.create(network=network, year=today.year, kind="public_programme", amount=Decimal(60000), name="Programm")
    FundingSource.objects.create(network=network, year=today.year, kind="member_fees", amount=Decimal(20000))
    for k in range(4):
        organisation = Organisation.objects.create(name=f"Demo {k}")
        Membership.objects.create(organisation=organisation, network=network, joined_on=date(2015, 1, 1))
    seed_indicators_demo(network)
    seed_indicators_demo(network)
    assert FundingSource.objects.filter(network=network).count() == 8
    result = network_indicators(network, today.year)
    ratios = [h.ratio for h in result.financing.history]
    assert len(ratios) == 4 and ratios == sorted(ratios)  # the own share grows year by year
    assert any("endet am" in w for w in result.financing.warnings)
    assert result.meetings.planned == 4
    assert (result.members.start, result.members.joins, result.members.leaves, result.members.end) == (3, 1, 2, 2)
    assert result.members.end == member_count(network)
