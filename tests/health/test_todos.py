"""Heute zu tun (health.todos): each kind appears with hand-built data, goes when it is resolved, and never shows another
network's things; the start pages cost a constant number of queries whatever the networks hold."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperation import projects as project_services
from cooperation.models.projects import Project
from events import services as event_services
from events.models import ActionItem, InvitationRecipient, Meeting, MeetingInvitation, MeetingMessage, MeetingMessageRecipient, Registration
from health.models import MemberReport, ReportPeriod, ReportRequest, Survey, SurveyInvitation, SurveyResponse
from health.todos import FUNDING_DEADLINE_DAYS, ITEMS_PER_KIND, TodoGroup, manager_todos, network_todos, todos
from members.imports import import_discard
from members.models import Contact, Membership, Organisation
from newsletters.models import Delivery, Entry, Infobrief, InfobriefEntry
from qualification import checks_service
from qualification.courses import course_set_status
from qualification.models import CheckRound, CheckShare, CheckTemplate, Course
from tests.conftest import World, make_user
from verbund.models import BackgroundJob, ManagerRole, Network

pytestmark = pytest.mark.django_db

_serial = itertools.count()


def by_kind(groups: list[TodoGroup]) -> dict[str, list[str]]:
    return {group.kind: [item.label for item in group.items] for group in groups}


def item(groups: list[TodoGroup], kind: str, label: str):
    matches = [i for group in groups if group.kind == kind for i in group.items if i.label == label]
    assert len(matches) == 1, by_kind(groups)
    return matches[0]


def labels(network: Network, user, kind: str, **kwargs) -> list[str]:
    return by_kind(network_todos(network, user=user, **kwargs)).get(kind, [])


def days(n: float) -> datetime:
    return timezone.now() + timedelta(days=n)


def make_meeting(network: Network, title: str, starts_in: float, **fields) -> Meeting:
    starts = days(starts_in)
    return Meeting.objects.create(network=network, title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields)


def guest(meeting: Meeting, name: str, **fields) -> Registration:
    return Registration.objects.create(meeting=meeting, guest_name=name, guest_email=f"{next(_serial)}@gast.example", **fields)


# --- action items ---------------------------------------------------------------------------------------------


def test_overdue_and_due_this_week_action_items_appear_and_go_when_done(world: World, manager_x):
    today = timezone.localdate()
    meeting = make_meeting(world.network_x, "Arbeitstreffen", -20, status=Meeting.Status.HELD)
    late = ActionItem.objects.create(network=world.network_x, meeting=meeting, title="Antrag stellen", due_on=today - timedelta(days=1))
    ActionItem.objects.create(network=world.network_x, title="Flyer drucken", due_on=today + timedelta(days=3))
    ActionItem.objects.create(network=world.network_x, title="Später", due_on=today + timedelta(days=20))
    ActionItem.objects.create(network=world.network_x, title="Schon erledigt", due_on=today - timedelta(days=5), done_at=timezone.now())
    ActionItem.objects.create(network=world.network_x, title="Entfernt", due_on=today - timedelta(days=5), deleted_at=timezone.now())
    ActionItem.objects.create(network=world.network_y, title="Y-CANARY", due_on=today - timedelta(days=1))

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["action_items"] == ["Antrag stellen", "Flyer drucken"]
    overdue, soon = item(groups, "action_items", "Antrag stellen"), item(groups, "action_items", "Flyer drucken")
    assert (overdue.urgency, overdue.badge, overdue.due) == ("overdue", "überfällig", today - timedelta(days=1))
    assert overdue.url == reverse("events:meeting", args=["netz-x", meeting.pk]) + f"?tab=minutes#action-item-{late.pk}"
    assert (soon.urgency, soon.badge) == ("soon", "diese Woche fällig")
    assert soon.url == reverse("manage:network_home", args=["netz-x"]) + "#open-items"

    event_services.action_item_complete(item=late, by=manager_x)
    assert labels(world.network_x, manager_x, "action_items") == ["Flyer drucken"]


# --- meetings: the next weeks, reminders, consents, drafts -------------------------------------------------------------


def test_upcoming_meetings_show_seats_and_whether_they_were_invited(world: World, manager_x):
    meeting = make_meeting(world.network_x, "Werkstattgespräch", 10, capacity=10)
    guest(meeting, "Eins")
    guest(meeting, "Zwei")
    guest(meeting, "Warten", status=Registration.Status.WAITLISTED)
    guest(meeting, "Abgesagt", status=Registration.Status.CANCELLED)
    make_meeting(world.network_x, "Fern", 60)
    make_meeting(world.network_x, "Abgesagtes", 5, status=Meeting.Status.CANCELLED)
    make_meeting(world.network_x, "Vorbei", -3)
    make_meeting(world.network_y, "Y-CANARY", 10)

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["meetings"] == ["Werkstattgespräch"]
    shown = item(groups, "meetings", "Werkstattgespräch")
    assert shown.detail == "2 von 10 Plätzen belegt · 1 auf der Warteliste"
    assert (shown.count, shown.badge, shown.url) == (2, "Einladung noch nicht versendet", reverse("events:invite", args=["netz-x", meeting.pk]))

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.INVITED)  # what invitation_create does
    shown = item(network_todos(world.network_x, user=manager_x), "meetings", "Werkstattgespräch")
    assert (shown.badge, shown.urgency) == ("", "")
    assert shown.url == reverse("events:meeting", args=["netz-x", meeting.pk]) + "?tab=participants"

    # Once it is over it leaves the list.
    assert "meetings" not in by_kind(network_todos(world.network_x, user=manager_x, now=days(11)))


def test_a_meeting_without_capacity_counts_registrations(world: World, manager_x):
    meeting = make_meeting(world.network_x, "Offen", 3)
    guest(meeting, "Eins")
    assert item(network_todos(world.network_x, user=manager_x), "meetings", "Offen").detail == "1 Anmeldung"


def test_reminders_are_due_by_the_meetings_own_rule_and_go_when_sent(world: World, manager_x):
    soon = make_meeting(world.network_x, "Bald", 2, reminder_days=3)
    first = guest(soon, "Eins")
    guest(soon, "Erinnert", reminded_at=timezone.now())
    guest(soon, "Warteliste", status=Registration.Status.WAITLISTED)
    guest(make_meeting(world.network_x, "Noch nicht", 10, reminder_days=3), "Zwei")
    guest(make_meeting(world.network_x, "Ohne Erinnerung", 1, reminder_days=None), "Drei")
    guest(make_meeting(world.network_y, "Y-CANARY", 1, reminder_days=3), "Vier")

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["reminders"] == ["Bald"]
    due = item(groups, "reminders", "Bald")
    assert (due.count, due.detail) == (1, "1 angemeldete Person noch nicht erinnert")
    assert due.url == reverse("events:message_send", args=["netz-x", soon.pk, "reminder"])

    Registration.objects.filter(pk=first.pk).update(reminded_at=timezone.now())  # what a reminder (beat or by hand) marks
    assert labels(world.network_x, manager_x, "reminders") == []


def test_missing_participant_list_consents_of_upcoming_meetings(world: World, manager_x):
    meeting = make_meeting(world.network_x, "Runder Tisch", 14)
    undecided = guest(meeting, "Ohne Angabe")
    guest(meeting, "Ja", consent_participant_list=True, consent_source=Registration.ConsentSource.EMAIL, consent_recorded_at=date.today())
    guest(meeting, "Nein", consent_recorded_at=date.today())  # a "no" on record is a decision
    guest(meeting, "Abgemeldet", status=Registration.Status.CANCELLED)
    guest(make_meeting(world.network_x, "Viel später", 90), "Später")
    guest(make_meeting(world.network_y, "Y-CANARY", 14), "Y")

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["consents"] == ["Runder Tisch"]
    missing = item(groups, "consents", "Runder Tisch")
    assert (missing.count, missing.url) == (1, reverse("events:meeting", args=["netz-x", meeting.pk]) + "?tab=participants#participants")

    event_services.registration_consent_record(
        registration=undecided, by=manager_x, data={"consent_participant_list": True, "consent_source": Registration.ConsentSource.ORAL}
    )
    assert labels(world.network_x, manager_x, "consents") == []


def test_drafts_are_infobrief_drafts_and_meetings_in_planning_beyond_the_next_weeks(world: World, manager_x):
    draft = Infobrief.objects.create(network=world.network_x, subject="Infobrief März")
    Infobrief.objects.create(network=world.network_x, subject="Verschickt", status=Infobrief.Status.SENT)
    Infobrief.objects.create(network=world.network_y, subject="Y-CANARY")
    planned = make_meeting(world.network_x, "Jahrestreffen", 80)
    make_meeting(world.network_x, "Eingeladen", 80, status=Meeting.Status.INVITED)

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["drafts"] == ["Infobrief „Infobrief März“", "Treffen „Jahrestreffen“"]
    assert item(groups, "drafts", "Infobrief „Infobrief März“").url == reverse("newsletters:infobrief", args=["netz-x", draft.pk])
    assert item(groups, "drafts", "Treffen „Jahrestreffen“").url == reverse("events:invite", args=["netz-x", planned.pk])

    Infobrief.objects.filter(pk=draft.pk).update(status=Infobrief.Status.SCHEDULED)
    Meeting.objects.filter(pk=planned.pk).update(status=Meeting.Status.INVITED)
    assert labels(world.network_x, manager_x, "drafts") == []


# --- practice projects: funding-application deadlines -------------------------------------------------------------


def test_funding_application_deadlines_of_projects_in_preparation_show_for_parent_and_project_managers(world: World, manager_x):
    today = timezone.localdate()

    def project(name: str, deadline, status=Project.Status.PREPARING, parent=None):
        made = project_services.project_start(parent=parent or world.network_x, by=world.users["manager_xy"], name=name)
        made.status, made.funding_deadline, made.funding_programme = status, deadline, "ZIM"
        made.save()
        return made

    soon = project("Antrag bald", today + timedelta(days=5))
    project("Antrag später", today + timedelta(days=FUNDING_DEADLINE_DAYS))
    late = project("Antrag überfällig", today - timedelta(days=2), status=Project.Status.IDEA)
    project("Zu weit", today + timedelta(days=FUNDING_DEADLINE_DAYS + 1))
    project("Läuft schon", today + timedelta(days=3), status=Project.Status.RUNNING)
    project("Eingestellt", today + timedelta(days=3), status=Project.Status.DROPPED)
    project("Ohne Frist", None)
    project("Y-CANARY", today + timedelta(days=3), parent=world.network_y)

    assert labels(world.network_x, manager_x, "funding_deadlines") == ["Antrag überfällig", "Antrag bald", "Antrag später"]
    shown = item(network_todos(world.network_x, user=manager_x), "funding_deadlines", "Antrag bald")
    assert (shown.detail, shown.due, shown.urgency, shown.network) == ("ZIM", today + timedelta(days=5), "soon", world.network_x)
    assert shown.url == reverse("projects:detail", args=["netz-x", soon.pk])
    overdue = item(network_todos(world.network_x, user=manager_x), "funding_deadlines", "Antrag überfällig")
    assert (overdue.urgency, overdue.badge) == ("overdue", "Frist abgelaufen")
    # The project network's own start page shows it too (its manager may not run the parent).
    in_project = item(network_todos(late.network, user=world.users["manager_xy"]), "funding_deadlines", "Antrag überfällig")
    assert in_project.network == late.network
    assert in_project.url == reverse("manage:network_home", args=[late.network.slug])
    # Resolved by moving the project on.
    project_services.project_update(project=soon, by=manager_x, data={"status": Project.Status.RUNNING})
    assert "Antrag bald" not in labels(world.network_x, manager_x, "funding_deadlines")


# --- Infobrief entries, sends -----------------------------------------------------------------------------------------


def test_funding_deadlines_of_the_next_weeks_say_whether_an_infobrief_announced_them(world: World, manager_x):
    today = timezone.localdate()
    call = Entry.objects.create(network=world.network_x, kind=Entry.Kind.FUNDING_CALL, title="Digital jetzt", funder="BMWK", deadline=today + timedelta(days=5))
    Entry.objects.create(network=world.network_x, kind=Entry.Kind.FUNDING_CALL, title="Zu weit", deadline=today + timedelta(days=60))
    Entry.objects.create(network=world.network_x, kind=Entry.Kind.FUNDING_CALL, title="Vorbei", deadline=today - timedelta(days=1))
    Entry.objects.create(network=world.network_x, kind=Entry.Kind.TEXT, title="Kein Aufruf", deadline=today + timedelta(days=5))
    Entry.objects.create(network=world.network_y, kind=Entry.Kind.FUNDING_CALL, title="Y-CANARY", deadline=today + timedelta(days=5))

    shown = item(network_todos(world.network_x, user=manager_x), "funding_calls", "Digital jetzt")
    assert labels(world.network_x, manager_x, "funding_calls") == ["Digital jetzt"]
    assert (shown.detail, shown.due, shown.urgency) == ("BMWK · noch in keinem Infobrief", today + timedelta(days=5), "soon")
    assert shown.url == reverse("newsletters:entry_edit", args=["netz-x", call.pk])

    sent = Infobrief.objects.create(network=world.network_x, subject="Mai", status=Infobrief.Status.SENT)
    InfobriefEntry.objects.create(infobrief=sent, entry=call)
    assert item(network_todos(world.network_x, user=manager_x), "funding_calls", "Digital jetzt").detail == "BMWK"
    # After the deadline it is gone.
    assert labels(world.network_x, manager_x, "funding_calls", now=days(6)) == []


def test_failed_sends_appear_per_infobrief_meeting_and_contact_and_go_when_resolved(world: World, manager_x):
    now = timezone.now()
    infobrief = Infobrief.objects.create(network=world.network_x, subject="April", status=Infobrief.Status.SENT, send_started_at=now, sent_at=now)
    failed = Delivery.objects.create(infobrief=infobrief, email="weg@alpha.example", status=Delivery.Status.FAILED)
    Delivery.objects.create(infobrief=infobrief, email="da@alpha.example", status=Delivery.Status.SENT)
    old = Infobrief.objects.create(network=world.network_x, subject="Alt", status=Infobrief.Status.SENT, send_started_at=now - timedelta(days=90))
    Delivery.objects.create(infobrief=old, email="alt@alpha.example", status=Delivery.Status.FAILED)
    y_infobrief = Infobrief.objects.create(network=world.network_y, subject="Y-CANARY", status=Infobrief.Status.SENT, send_started_at=now)
    Delivery.objects.create(infobrief=y_infobrief, email="y@gamma.example", status=Delivery.Status.FAILED)
    meeting = make_meeting(world.network_x, "Besichtigung", 20)
    invitation = MeetingInvitation.objects.create(meeting=meeting)
    refused = InvitationRecipient.objects.create(invitation=invitation, email="nein@alpha.example", error="550 unknown user", attempts=1)
    InvitationRecipient.objects.create(invitation=invitation, email="ja@alpha.example", sent_at=now)
    message = MeetingMessage.objects.create(meeting=meeting, kind=MeetingMessage.Kind.MESSAGE)
    MeetingMessageRecipient.objects.create(message=message, email="nein@alpha.example", error="550 unknown user")
    contact = Contact.objects.create(organisation=world.org_a, first_name="Ute", last_name="Unzustellbar", email="u@alpha.example", email_undeliverable_at=now)
    Contact.objects.create(organisation=world.org_c, first_name="Yvo", last_name="Y-CANARY", email="y@gamma.example", email_undeliverable_at=now)

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["failed_sends"] == ["Infobrief „April“", "Besichtigung", "Besichtigung", "Ute Unzustellbar"]
    assert [(i.badge, i.count, i.url) for i in groups[[g.kind for g in groups].index("failed_sends")].items] == [
        ("Zustellung fehlgeschlagen", 1, reverse("newsletters:progress", args=["netz-x", infobrief.pk])),
        ("Einladung nicht zugestellt", 1, reverse("events:invite", args=["netz-x", meeting.pk])),
        ("Nachricht nicht zugestellt", 1, reverse("events:messages", args=["netz-x", meeting.pk])),
        ("Adresse prüfen", None, reverse("directory:contact_edit", args=["netz-x", contact.pk])),
    ]

    Delivery.objects.filter(pk=failed.pk).update(status=Delivery.Status.SENT)  # sent again ("Fehlgeschlagene erneut senden")
    InvitationRecipient.objects.filter(pk=refused.pk).update(error="", sent_at=now)
    MeetingMessageRecipient.objects.filter(message=message).delete()
    Contact.objects.filter(pk=contact.pk).update(email_undeliverable_at=None)  # the block lifted on the contact page
    assert labels(world.network_x, manager_x, "failed_sends") == []


def test_a_paused_infobrief_is_a_failed_send_until_it_goes_on(world: World, manager_x):
    paused = Infobrief.objects.create(network=world.network_x, subject="Angehalten", status=Infobrief.Status.PAUSED, send_started_at=timezone.now())
    assert item(network_todos(world.network_x, user=manager_x), "failed_sends", "Infobrief „Angehalten“").badge == "Versand angehalten"
    Infobrief.objects.filter(pk=paused.pk).update(status=Infobrief.Status.SENDING)
    assert labels(world.network_x, manager_x, "failed_sends") == []


# --- qualification --------------------------------------------------------------------------------------------------


def test_newly_shared_company_checks_show_for_two_weeks_while_shared(world: World, manager_x):
    template = CheckTemplate.objects.filter(network=None).first()
    assert template is not None  # installed by the data migration
    shared = CheckRound.objects.create(network=world.network_x, organisation=world.org_a, template=template, status=CheckRound.Status.COMPLETED)
    share = CheckShare.objects.create(round=shared, with_managers=True)
    advisor_only = CheckRound.objects.create(network=world.network_x, organisation=world.org_b, template=template)
    CheckShare.objects.create(round=advisor_only, advisor=manager_x)
    y_round = CheckRound.objects.create(network=world.network_y, organisation=world.org_c, template=template)
    CheckShare.objects.create(round=y_round, with_managers=True)

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["shared_checks"] == ["Alpha GmbH"]
    assert item(groups, "shared_checks", "Alpha GmbH").url == reverse("qualification:check_round", args=["netz-x", shared.pk])
    assert labels(world.network_x, manager_x, "shared_checks", now=days(15)) == []

    checks_service.check_withdraw(share=share, by=world.users["member_a_x"])
    assert labels(world.network_x, manager_x, "shared_checks") == []


def test_course_proposals_wait_for_a_decision(world: World, manager_x):
    year = timezone.localdate().year
    proposal = Course.objects.create(network=world.network_x, title="Lean Management", year=year)
    Course.objects.create(network=world.network_x, title="Geplant", year=year, status=Course.Status.PLANNED)
    Course.objects.create(network=world.network_y, title="Y-CANARY", year=year)

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["course_proposals"] == ["Lean Management"]
    assert item(groups, "course_proposals", "Lean Management").url == reverse("qualification:course", args=["netz-x", proposal.pk])

    course_set_status(course=proposal, status=Course.Status.PLANNED, by=manager_x)
    assert labels(world.network_x, manager_x, "course_proposals") == []


# --- members: imports -----------------------------------------------------------------------------------------------


def import_draft(network: Network, user, **params) -> BackgroundJob:
    return BackgroundJob.objects.create(
        user=user, network=network, kind=BackgroundJob.Kind.IMPORT, title="Import: liste.xlsx", params={"rows": [["x"]], "confirmed": False, **params}
    )


def test_import_drafts_of_this_user_wait_for_confirmation(world: World, manager_x):
    draft = import_draft(world.network_x, manager_x)
    import_draft(world.network_x, world.users["manager_xy"])  # someone else's upload
    import_draft(world.network_x, manager_x, confirmed=True)  # on its way
    import_draft(world.network_y, world.users["manager_y"])

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["imports"] == ["Import: liste.xlsx"]
    assert item(groups, "imports", "Import: liste.xlsx").url == reverse("io:import_preview", args=["netz-x", draft.pk])

    import_discard(job=draft)
    assert labels(world.network_x, manager_x, "imports") == []


# --- health: cadence, surveys, member reports ------------------------------------------------------------------------


def test_meetings_behind_the_planned_cadence(world: World, manager_x):
    Network.objects.filter(pk=world.network_x.pk).update(meetings_per_year=2)
    Network.objects.filter(pk=world.network_y.pk).update(meetings_per_year=6)
    world.network_x.refresh_from_db()
    make_meeting(world.network_x, "Gehalten", -30, status=Meeting.Status.HELD)
    make_meeting(world.network_x, "Abgesagt", -20, status=Meeting.Status.CANCELLED)
    make_meeting(world.network_x, "Vor über einem Jahr", -400, status=Meeting.Status.HELD)

    groups = network_todos(world.network_x, user=manager_x)
    behind = "In den letzten zwölf Monaten fanden 1 von 2 geplanten Treffen statt."
    assert by_kind(groups)["cadence"] == [behind]
    assert item(groups, "cadence", behind).url == reverse("events:meeting_create", args=["netz-x"])

    make_meeting(world.network_x, "Noch eins", -1, status=Meeting.Status.HELD)
    assert labels(world.network_x, manager_x, "cadence") == []


def test_open_surveys_show_their_answers(world: World, manager_x):
    survey = Survey.objects.create(network=world.network_x, year=2026, title="Zufriedenheit", status=Survey.Status.OPEN, closes_on=date(2026, 1, 31))
    for n in range(3):
        SurveyInvitation.objects.create(
            survey=survey, email=f"{n}@alpha.example", token_hash=hashlib.sha256(f"x{n}".encode()).hexdigest(), sent_at=timezone.now()
        )
    SurveyInvitation.objects.create(survey=survey, email="ungesendet@alpha.example", token_hash="0" * 64)
    for _ in range(2):
        SurveyResponse.objects.create(survey=survey, submitted_at=timezone.now())
    Survey.objects.create(network=world.network_x, year=2025, title="Entwurf")
    Survey.objects.create(network=world.network_y, year=2026, title="Y-CANARY", status=Survey.Status.OPEN)

    groups = network_todos(world.network_x, user=manager_x, now=timezone.make_aware(datetime(2026, 1, 20, 12)))
    assert by_kind(groups)["surveys"] == ["„Zufriedenheit“ (2026)"]
    shown = item(groups, "surveys", "„Zufriedenheit“ (2026)")
    assert (shown.detail, shown.count, shown.urgency) == ("2 Antworten von 3 Eingeladenen", 2, "")
    assert shown.url.startswith("/manage/netz-x/health/surveys/")
    late = item(network_todos(world.network_x, user=manager_x, now=timezone.make_aware(datetime(2026, 2, 2, 12))), "surveys", "„Zufriedenheit“ (2026)")
    assert late.urgency == "overdue"

    Survey.objects.filter(pk=survey.pk).update(title="Zufriedenheitsumfrage 2026")  # the year is not said twice
    assert labels(world.network_x, manager_x, "surveys") == ["„Zufriedenheitsumfrage 2026“"]

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    assert labels(world.network_x, manager_x, "surveys") == []


def test_overdue_member_report_periods_count_the_missing_reports(world: World, manager_x):
    today = timezone.localdate()
    request = ReportRequest.objects.create(network=world.network_x, title="Bericht der Kommunen", prompts="Was lief gut?")
    request.organisations.set([world.org_a, world.org_b])
    overdue = ReportPeriod.objects.create(request=request, year=2025, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), due_on=today - timedelta(days=2))
    ReportPeriod.objects.create(request=request, year=2026, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), due_on=today + timedelta(days=30))
    MemberReport.objects.create(period=overdue, organisation=world.org_a, submitted_at=timezone.now())
    MemberReport.objects.create(period=overdue, organisation=world.org_b)  # begun, not sent
    y_request = ReportRequest.objects.create(network=world.network_y, title="Y-CANARY", prompts="?")
    y_request.organisations.set([world.org_c])
    ReportPeriod.objects.create(request=y_request, year=2025, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), due_on=today - timedelta(days=2))

    groups = network_todos(world.network_x, user=manager_x)
    assert by_kind(groups)["reports"] == ["„Bericht der Kommunen“ 2025"]
    shown = item(groups, "reports", "„Bericht der Kommunen“ 2025")
    assert (shown.detail, shown.count, shown.urgency) == ("1 von 2 Berichten fehlt", 1, "overdue")

    MemberReport.objects.filter(period=overdue, organisation=world.org_b).update(submitted_at=timezone.now())
    assert labels(world.network_x, manager_x, "reports") == []


# --- scoping, the whole list, the pages ---------------------------------------------------------------------------------


def test_nothing_to_do_is_an_empty_list_and_the_page_says_what_to_do_next(client, world: World, manager_x):
    assert network_todos(world.network_x, user=manager_x) == []
    client.force_login(manager_x)
    page = client.get(reverse("manage:network_home", args=["netz-x"]))
    assert "Heute ist nichts offen" in page.text
    assert reverse("events:meeting_create", args=["netz-x"]) in page.text


def test_the_manager_start_page_gathers_every_managed_network_and_names_it(client, world: World):
    manager_xy = world.users["manager_xy"]
    Infobrief.objects.create(network=world.network_x, subject="X-Entwurf")
    Infobrief.objects.create(network=world.network_y, subject="Y-Entwurf")
    groups = manager_todos(manager_xy)
    assert sorted((i.network.slug, i.label) for i in groups[0].items) == [("netz-x", "Infobrief „X-Entwurf“"), ("netz-y", "Infobrief „Y-Entwurf“")]
    client.force_login(manager_xy)
    page = client.get(reverse("manage:index"))
    assert "Heute zu tun" in page.text
    assert "X-Entwurf" in page.text and "Y-Entwurf" in page.text
    # manager_x runs only X.
    client.force_login(world.users["manager_x"])
    page = client.get(reverse("manage:index"))
    assert "X-Entwurf" in page.text and "Y-Entwurf" not in page.text


def test_an_observer_sees_no_to_dos(client, world: World):
    observer = make_user("observer@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    Infobrief.objects.create(network=world.network_x, subject="X-Entwurf")
    assert manager_todos(observer) == []
    client.force_login(observer)
    assert "Heute zu tun" not in client.get(reverse("manage:network_home", args=["netz-x"])).text
    assert "Heute zu tun" not in client.get(reverse("manage:index")).text


def test_a_long_kind_lists_the_most_urgent_and_counts_the_rest(world: World, manager_x):
    today = timezone.localdate()
    ActionItem.objects.bulk_create(
        ActionItem(network=world.network_x, title=f"Aufgabe {n:02}", due_on=today - timedelta(days=30 - n)) for n in range(ITEMS_PER_KIND + 4)
    )
    group = network_todos(world.network_x, user=manager_x)[0]
    assert (group.kind, group.total, group.more) == ("action_items", ITEMS_PER_KIND + 4, 4)
    assert [i.label for i in group.items] == [f"Aufgabe {n:02}" for n in range(ITEMS_PER_KIND)]  # the oldest first


# --- a constant number of queries --------------------------------------------------------------------------------------


def populate(network: Network, size: int, user) -> None:
    """`size` of everything the to-dos read, in one network: members, meetings with registrations, action items,
    Infobriefe with failed deliveries, funding calls, courses, shared checks, imports, surveys, report periods, practice
    projects with a funding-application deadline."""
    now = timezone.now()
    today = timezone.localdate()
    template = CheckTemplate.objects.filter(network=None).first() or _install_default_checks()
    network.meetings_per_year = 50
    network.save(update_fields=["meetings_per_year"])
    organisations = Organisation.objects.bulk_create(Organisation(name=f"{network.slug} Firma {n}") for n in range(size))
    Membership.objects.bulk_create(Membership(organisation=org, network=network) for org in organisations)
    contacts = Contact.objects.bulk_create(
        Contact(organisation=org, last_name=f"Person {n}", email=f"{network.slug}-{n}@firma.example", email_undeliverable_at=now if n % 2 else None)
        for n, org in enumerate(organisations)
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            network=network,
            title=f"Treffen {n}",
            starts_at=now + timedelta(days=n - size // 2),
            ends_at=now + timedelta(days=n - size // 2, hours=2),
            capacity=5,
        )
        for n in range(size)
    )
    Registration.objects.bulk_create(Registration(meeting=m, contact=c) for m in meetings for c in contacts[:5])
    ActionItem.objects.bulk_create(ActionItem(network=network, meeting=m, title="Aufgabe", due_on=today - timedelta(days=1)) for m in meetings)
    for n in range(size):
        infobrief = Infobrief.objects.create(
            network=network, subject=f"Ausgabe {n}", status=Infobrief.Status.SENT if n % 2 else Infobrief.Status.DRAFT, send_started_at=now
        )
        Delivery.objects.create(infobrief=infobrief, email=f"x{n}@firma.example", status=Delivery.Status.FAILED)
        Entry.objects.create(network=network, kind=Entry.Kind.FUNDING_CALL, title=f"Aufruf {n}", deadline=today + timedelta(days=n % 30))
        Course.objects.create(network=network, title=f"Kurs {n}", year=today.year)
        check = CheckRound.objects.create(network=network, organisation=organisations[n], template=template)
        CheckShare.objects.create(round=check, with_managers=True)
        import_draft(network, user)
        invitation = MeetingInvitation.objects.create(meeting=meetings[n])
        InvitationRecipient.objects.create(invitation=invitation, email=f"i{n}@firma.example", error="550")
        message = MeetingMessage.objects.create(meeting=meetings[n], kind=MeetingMessage.Kind.MESSAGE)
        MeetingMessageRecipient.objects.create(message=message, email=f"m{n}@firma.example", error="550")
        survey = Survey.objects.create(network=network, year=2000 + next(_serial), title="Umfrage", status=Survey.Status.OPEN)
        SurveyResponse.objects.create(survey=survey, submitted_at=now)
        request = ReportRequest.objects.create(network=network, title=f"Bericht {n}", prompts="?")
        request.organisations.set(organisations[:3])
        ReportPeriod.objects.create(request=request, year=2020, starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31), due_on=date(2021, 1, 31))
        serial = next(_serial)
        child = Network.objects.create(name=f"Projekt {serial}", slug=f"projekt-{serial}", kind=Network.Kind.PRACTICE_PROJECT, parent=network)
        Project.objects.create(network=child, parent=network, status=Project.Status.PREPARING, funding_deadline=today + timedelta(days=n % 30 - 5))


def _install_default_checks() -> CheckTemplate:
    """A transactional (browser) test before may have flushed what the data migration installed."""
    from qualification import defaults
    from qualification.models import CheckArea, CheckQuestion

    defaults.install(CheckTemplate, CheckArea, CheckQuestion)
    return CheckTemplate.objects.filter(network=None).first()  # type: ignore[return-value]


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def test_a_networks_to_dos_cost_the_same_queries_for_5_or_50_of_everything(world: World, manager_x):
    populate(world.network_x, 5, manager_x)
    small = queries_of(lambda: network_todos(world.network_x, user=manager_x))
    populate(world.network_x, 45, manager_x)
    groups = network_todos(world.network_x, user=manager_x)
    assert {g.kind for g in groups} == {
        "action_items",
        "failed_sends",
        "reminders",
        "meetings",
        "consents",
        "imports",
        "reports",
        "funding_calls",
        "funding_deadlines",
        "course_proposals",
        "shared_checks",
        "surveys",
        "drafts",
        "cadence",
    }  # every kind is exercised by the big world
    assert queries_of(lambda: network_todos(world.network_x, user=manager_x)) == small


def test_the_network_start_page_costs_the_same_queries_for_a_small_and_a_big_network(client, world: World, manager_x):
    client.force_login(manager_x)
    url = reverse("manage:network_home", args=["netz-x"])
    populate(world.network_x, 5, manager_x)
    small = queries_of(lambda: client.get(url))
    populate(world.network_x, 45, manager_x)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["member_count"] == 52  # A, B and 50 companies
    assert len(ctx) == small


def test_the_manager_start_page_costs_the_same_queries_for_2_or_20_networks(client, world: World):
    boss = make_user("chefin@example.org")
    client.force_login(boss)

    def add_networks(count: int) -> None:
        for _ in range(count):
            n = next(_serial)
            network = Network.objects.create(name=f"Verbund {n}", slug=f"verbund-{n}")
            ManagerRole.objects.create(user=boss, network=network, role=ManagerRole.Role.MANAGER)
            populate(network, 3, boss)

    add_networks(2)
    two = queries_of(lambda: client.get(reverse("manage:index")))
    add_networks(18)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("manage:index"))
    assert response.status_code == 200
    assert len(response.context["roles"]) == 20
    assert len(ctx) == two
    # Every network is counted: each is behind its cadence (2 of 50 meetings), each has two Infobrief drafts (size 3).
    totals = {group.kind: group.total for group in response.context["todo_groups"]}
    assert (totals["cadence"], totals["drafts"]) == (20, 40)


def test_todos_of_no_network_are_none(world: World, manager_x):
    assert todos([], user=manager_x) == []
