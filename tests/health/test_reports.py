"""Periodic member reports (health/reports.py and its pages): periods, the task, reminders, mails, the portal form, scoping."""

from __future__ import annotations

import csv
import email
import email.policy
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from health import reports
from health.demo_reports import seed_reports_demo
from health.models import MemberReport, ReportPeriod, ReportRequest
from health.reports import PeriodSpan, period_previous, period_span, periods_of_year
from health.tasks import report_periods_task
from members.models import Contact, Membership, Organisation
from members.privacy import organisation_data_export, person_erase
from tests.conftest import mail_text, make_user
from verbund.celery import app

BERLIN = ZoneInfo("Europe/Berlin")
Q = ReportRequest.Cadence.QUARTERLY
Y = ReportRequest.Cadence.YEARLY
PROMPTS = "Was wurde umgesetzt?\nWo brauchen Sie Hilfe?"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def make_request(world, manager, *, cadence: str = Q, orgs=None, due_days: int = 30, title: str = "Bericht der Kommunen") -> ReportRequest:
    world.network_x.office_email = "office@netz-x.example"
    world.network_x.save(update_fields=["office_email"])
    request = reports.report_request_create(
        network=world.network_x,
        by=manager,
        data={
            "title": title,
            "prompts": PROMPTS,
            "cadence": cadence,
            "due_days": due_days,
            "organisations": [world.org_a, world.org_b] if orgs is None else orgs,
            "active": True,
        },
    )
    ReportRequest.objects.filter(pk=request.pk).update(created_at=at(2025, 6, 1))  # long before the periods the tests ask for
    request.refresh_from_db()
    return request


def addressees(mails: list[str]) -> list[str]:
    return sorted(email.message_from_string(m, policy=email.policy.default)["To"] for m in mails)


def subjects(mails: list[str]) -> list[str]:
    return [str(email.message_from_string(m, policy=email.policy.default)["Subject"]) for m in mails]


def current_span(cadence: str = Q) -> PeriodSpan:
    return period_span(cadence, timezone.localdate())


# --- periods ---------------------------------------------------------------------------------


def test_quarters_and_years_with_their_due_dates_hand_computed():
    q1 = period_span(Q, date(2026, 2, 14))
    assert (q1.year, q1.quarter, q1.starts_on, q1.ends_on) == (2026, 1, date(2026, 1, 1), date(2026, 3, 31))
    assert q1.due_on(30) == date(2026, 4, 30)
    q2 = period_span(Q, date(2026, 4, 1))
    assert (q2.quarter, q2.starts_on, q2.ends_on, q2.due_on(14)) == (2, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 14))
    q4 = period_span(Q, date(2025, 12, 31))
    assert (q4.year, q4.quarter, q4.starts_on, q4.ends_on) == (2025, 4, date(2025, 10, 1), date(2025, 12, 31))
    assert q4.due_on(30) == date(2026, 1, 30)  # due in the next year
    leap = period_span(Q, date(2024, 2, 29))
    assert (leap.ends_on, leap.due_on(1)) == (date(2024, 3, 31), date(2024, 4, 1))
    year = period_span(Y, date(2026, 7, 1))
    assert (year.year, year.quarter, year.starts_on, year.ends_on, year.due_on(30)) == (2026, None, date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 30))
    assert q1.label == "1. Quartal 2026" and year.label == "2026"


def test_the_period_before_and_the_periods_of_a_year():
    assert period_previous(Q, period_span(Q, date(2026, 1, 5))) == PeriodSpan(2025, 4, date(2025, 10, 1), date(2025, 12, 31))
    assert period_previous(Y, period_span(Y, date(2026, 1, 5))) == PeriodSpan(2025, None, date(2025, 1, 1), date(2025, 12, 31))
    assert [(s.quarter, s.starts_on, s.ends_on) for s in periods_of_year(Q, 2026)] == [
        (1, date(2026, 1, 1), date(2026, 3, 31)),
        (2, date(2026, 4, 1), date(2026, 6, 30)),
        (3, date(2026, 7, 1), date(2026, 9, 30)),
        (4, date(2026, 10, 1), date(2026, 12, 31)),
    ]
    assert periods_of_year(Y, 2026) == [PeriodSpan(2026, None, date(2026, 1, 1), date(2026, 12, 31))]


# --- the periodic task -------------------------------------------------------------------------


def test_the_task_opens_a_quarter_two_weeks_before_its_end_and_running_it_twice_sends_nothing_twice(
    world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks
):
    request = make_request(world, manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 3, 16)) == {"opened": 0, "reminded": 0}  # 15 days before the end: not yet
    assert not ReportPeriod.objects.exists() and mailoutbox_files() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 3, 17)) == {"opened": 1, "reminded": 0}
    period = ReportPeriod.objects.get(request=request)
    assert (period.year, period.quarter, period.starts_on, period.ends_on, period.due_on) == (2026, 1, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30))
    assert period.opened_at == at(2026, 3, 17) and period.reminded_at is None
    assert addressees(mailoutbox_files()) == ["member_a_x@example.org", "member_b_x@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 3, 17, 11)) == {"opened": 0, "reminded": 0}
        report_periods_task()  # the beat entry's task, at the real today: Q1 2026 is long past its due date
    assert len(mailoutbox_files()) == 2 and ReportPeriod.objects.count() == 1


def test_the_task_leaves_out_paused_requests_empty_groups_and_periods_before_the_request(
    world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks
):
    paused = make_request(world, manager_x, title="Pausiert")
    reports.report_request_update(request=paused, by=manager_x, data={"active": False})
    make_request(world, manager_x, orgs=[], title="Ohne Gruppe")
    young = make_request(world, manager_x, title="Neu")
    ReportRequest.objects.filter(pk=young.pk).update(created_at=at(2026, 4, 2))  # Q1 2026 ended before it existed
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 4, 3)) == {"opened": 0, "reminded": 0}
    assert not ReportPeriod.objects.exists() and mailoutbox_files() == []


def test_a_period_is_still_opened_after_its_end_until_its_due_date(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    make_request(world, manager_x, due_days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 4, 10))["opened"] == 1  # the worker was down in March: Q1 (due 10 April) still goes
    assert ReportPeriod.objects.get().quarter == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 4, 11))["opened"] == 0


def test_reminders_go_only_to_those_who_have_not_submitted_and_not_twice_within_the_interval(
    world, manager_x, member_a_x, member_b_x, mailoutbox_files, django_capture_on_commit_callbacks
):
    make_request(world, manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_periods_tick(now=at(2026, 3, 17))
    period = ReportPeriod.objects.get()
    reports.member_report_submit(period=period, organisation=world.org_a, answers=["Zwei PV-Anlagen", ""], by=member_a_x, now=at(2026, 4, 20))
    reports.member_report_save(period=period, organisation=world.org_b, answers=["halb fertig", ""], by=member_b_x)  # a draft is no report
    seen = list(mailoutbox_files())

    def tick(when: datetime) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return reports.report_periods_tick(now=when)

    def new_mails() -> list[str]:
        # The .eml files are named by the real clock: new ones are told apart by content, not by their place in the list.
        fresh = [m for m in mailoutbox_files() if m not in seen]
        seen.extend(fresh)
        return fresh

    assert tick(at(2026, 4, 22)) == {"opened": 0, "reminded": 0}  # 8 days before the due date (30 April): not yet
    assert tick(at(2026, 4, 23)) == {"opened": 0, "reminded": 1}  # a week before
    new = new_mails()
    assert addressees(new) == ["member_b_x@example.org"]
    assert subjects(new) == ["Erinnerung: Bericht „Bericht der Kommunen“ – 1. Quartal 2026 bis 30.04.2026"]
    period.refresh_from_db()
    assert period.reminded_at == at(2026, 4, 23)
    assert tick(at(2026, 4, 23, 11)) == {"opened": 0, "reminded": 0}  # the same day again
    assert tick(at(2026, 5, 6)) == {"opened": 0, "reminded": 0}  # 13 days later: within the interval
    assert new_mails() == []
    assert tick(at(2026, 5, 7)) == {"opened": 0, "reminded": 1}  # 14 days later, a week overdue
    new = new_mails()
    assert addressees(new) == ["member_b_x@example.org"]
    assert subjects(new) == ["Erinnerung: Ihr Bericht „Bericht der Kommunen“ – 1. Quartal 2026 fehlt noch"]
    assert "war am 30. April 2026 fällig" in mail_text(new[0])
    assert tick(at(2026, 5, 21)) == {"opened": 0, "reminded": 1}  # three weeks overdue: the last automatic one
    assert len(new_mails()) == 1
    assert tick(at(2026, 6, 4)) == {"opened": 0, "reminded": 0}  # the window has closed
    assert new_mails() == []


def test_nobody_is_reminded_when_everyone_has_submitted(world, manager_x, member_a_x, mailoutbox_files, django_capture_on_commit_callbacks):
    make_request(world, manager_x, orgs=[world.org_a])
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_periods_tick(now=at(2026, 3, 17))
    period = ReportPeriod.objects.get()
    reports.member_report_submit(period=period, organisation=world.org_a, answers=["Fertig", "Nichts"], by=member_a_x, now=at(2026, 4, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_periods_tick(now=at(2026, 4, 25)) == {"opened": 0, "reminded": 0}
    period.refresh_from_db()
    assert period.reminded_at is None and len(mailoutbox_files()) == 1
    with pytest.raises(ValidationError, match="Alle haben ihren Bericht eingereicht"):
        reports.period_remind(period=period, by=manager_x, now=at(2026, 4, 25))


def test_the_office_reminder_waits_a_day_after_the_last_mail(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    request = make_request(world, manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        period = reports.period_open(request=request, span=period_span(Q, date(2026, 2, 1)), by=manager_x, now=at(2026, 3, 1))
    with pytest.raises(ValidationError, match="innerhalb der letzten 24 Stunden"):
        reports.period_remind(period=period, by=manager_x, now=at(2026, 3, 1, 18))  # the request itself went out this morning
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.period_remind(period=period, by=manager_x, now=at(2026, 3, 2, 11)) == 2
    with pytest.raises(ValidationError, match="innerhalb der letzten 24 Stunden"):
        reports.period_remind(period=period, by=manager_x, now=at(2026, 3, 2, 12))  # a double click
    assert len(mailoutbox_files()) == 4


def test_a_period_is_asked_for_once_and_never_in_the_future(world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    request = make_request(world, manager_x)
    span = period_span(Q, date(2026, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        reports.period_open(request=request, span=span, by=manager_x, now=at(2026, 3, 1))
    with pytest.raises(ValidationError, match="schon angefragt"):
        reports.period_open(request=request, span=span, by=manager_x, now=at(2026, 3, 2))
    with pytest.raises(ValidationError, match="Zukunft"):
        reports.period_open(request=request, span=period_span(Q, date(2026, 4, 1)), by=manager_x, now=at(2026, 3, 2))
    with pytest.raises(ValidationError, match="kein Zeitraum dieses Turnus"):
        reports.period_open(request=request, span=PeriodSpan(2026, None, date(2026, 1, 1), date(2026, 12, 31)), by=manager_x, now=at(2026, 3, 2))
    assert ReportPeriod.objects.count() == 1 and len(mailoutbox_files()) == 2


# --- mails ---------------------------------------------------------------------------------------


def test_the_request_reaches_the_smtp_server_with_the_portal_link_and_replies_to_the_office(
    settings, smtp_sink, world, manager_x, django_capture_on_commit_callbacks
):
    port, read = smtp_sink
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}},
    }
    settings.SITE_URL = "https://portal.example"
    request = make_request(world, manager_x, orgs=[world.org_a])
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            period = reports.period_open(request=request, span=period_span(Q, date(2026, 2, 1)), by=manager_x, now=at(2026, 3, 17))
    finally:
        app.conf.task_always_eager = before
    received = read()
    assert [m["rcpt_tos"] for m in received] == [["member_a_x@example.org"]]
    message = email.message_from_string(received[0]["raw"], policy=email.policy.default)
    assert message["Reply-To"] == "office@netz-x.example"
    assert str(message["Subject"]) == "Bitte um Ihren Bericht: Bericht der Kommunen – 1. Quartal 2026"
    body = mail_text(received[0]["raw"])
    assert f"https://portal.example/portal/reports/{period.pk}/" in body
    assert "bis zum 30. April 2026" in body and "- Was wurde umgesetzt?" in body and "- Wo brauchen Sie Hilfe?" in body


def test_without_a_portal_login_the_primary_contact_is_asked_and_refused_addresses_are_left_out(
    world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks
):
    Contact.objects.create(organisation=world.org_b, first_name="Ben", last_name="Kollege", email="ben@beta.example")
    Contact.objects.create(organisation=world.org_b, first_name="Kai", last_name="Kaputt", email="kaputt@beta.example", user=make_user("kaputt@beta.example"))
    Contact.objects.filter(email="kaputt@beta.example").update(email_undeliverable_at=timezone.now())
    gamma_contact = Contact.objects.create(organisation=world.org_a, first_name="Zoe", last_name="Zweite", email="zoe@alpha.example")
    org_d = Organisation.objects.create(name="Delta Gemeinde", kind=Organisation.Kind.ADMINISTRATION)
    Membership.objects.create(organisation=org_d, network=world.network_x)
    Contact.objects.create(organisation=org_d, first_name="Pia", last_name="Primär", email="pia@delta.example", is_primary=True)
    Contact.objects.create(organisation=org_d, first_name="Nico", last_name="Neben", email="nico@delta.example")
    request = make_request(world, manager_x, orgs=[world.org_a, world.org_b, org_d])
    with django_capture_on_commit_callbacks(execute=True):
        reports.period_open(request=request, span=period_span(Q, date(2026, 2, 1)), by=manager_x, now=at(2026, 3, 17))
    mails = mailoutbox_files()
    # A and B: the people with a login (B's only other login has a refused address); Delta has none: its primary contact.
    assert addressees(mails) == ["member_a_x@example.org", "member_b_x@example.org", "pia@delta.example"]
    assert gamma_contact.email not in "".join(mails)
    pia = next(m for m in mails if "pia@delta.example" in m)
    assert "Sie haben noch keinen Zugang zum Portal?" in mail_text(pia)


# --- the member's report in the portal ------------------------------------------------------------


@pytest.fixture
def open_period(world, manager_x) -> ReportPeriod:
    """The current quarter of X's request to A and B, asked for now (due 30 days after its end: in the future)."""
    request = make_request(world, manager_x)
    return reports.period_open(request=request, span=current_span(), by=manager_x)  # mails wait for a commit that never comes


def report_url(period: ReportPeriod) -> str:
    return reverse("reports_portal:report", args=[period.pk])


def test_a_member_saves_a_draft_submits_and_reads_back_what_was_sent(client, world, member_a_x, manager_x, open_period):
    client.force_login(member_a_x)
    page = client.get(report_url(open_period))
    assert page.status_code == 200
    assert '<label for="id_answer_0">Was wurde umgesetzt?</label>' in page.text and "Bericht einreichen" in page.text
    draft = client.post(report_url(open_period), {"action": "draft", "answer_0": "Erst die Hälfte", "answer_1": ""}, follow=True)
    assert "Entwurf gespeichert" in draft.text and "Erst die Hälfte" in draft.text
    assert MemberReport.objects.get().submitted_at is None
    client.force_login(manager_x)  # the office does not see a draft
    office = client.get(reverse("health_reports:period", args=["netz-x", open_period.pk]))
    assert "Erst die Hälfte" not in office.text and "0 von 2" not in office.text and "Noch kein Bericht eingereicht" in office.text
    client.force_login(member_a_x)
    sent = client.post(report_url(open_period), {"action": "submit", "answer_0": "Zwei PV-Anlagen\r\nLED im Rathaus", "answer_1": ""}, follow=True)
    assert "Ihr Bericht ist bei der Geschäftsstelle eingegangen" in sent.text
    report = MemberReport.objects.get()
    assert report.submitted_by == member_a_x and report.submitted_at is not None
    assert report.answers == [{"prompt": "Was wurde umgesetzt?", "text": "Zwei PV-Anlagen\nLED im Rathaus"}, {"prompt": "Wo brauchen Sie Hilfe?", "text": ""}]
    assert "Ihr eingereichter Bericht" in sent.text and "Zwei PV-Anlagen<br>LED im Rathaus" in sent.text and "Mia member_a_x" in sent.text
    listing = client.get(reverse("reports_portal:index"))
    assert "eingereicht" in listing.text and 'aria-current="page">Berichte<' in listing.text


def test_the_answers_keep_the_prompts_as_they_were_asked(client, world, member_a_x, manager_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["PV", "Förderung"], by=member_a_x)
    request = open_period.request
    reports.report_request_update(request=request, by=manager_x, data={"prompts": "Was ist neu?\nWo brauchen Sie Hilfe?\nSonstiges"})
    stored = MemberReport.objects.get().answers
    assert stored == [{"prompt": "Was wurde umgesetzt?", "text": "PV"}, {"prompt": "Wo brauchen Sie Hilfe?", "text": "Förderung"}]
    client.force_login(manager_x)
    office = client.get(reverse("health_reports:period", args=["netz-x", open_period.pk]))
    assert "Was wurde umgesetzt?" in office.text and "Was ist neu?" not in office.text
    # The correction form asks the current prompts: the unchanged one keeps its text, the reworded one keeps the old answer.
    open_period.refresh_from_db()
    assert reports.prefilled_answers(open_period, MemberReport.objects.get()) == ["PV", "Förderung", ""]


def test_a_submitted_report_can_be_corrected_until_the_due_date_then_it_is_closed(world, member_a_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Erste Fassung", ""], by=member_a_x)
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Korrigiert", ""], by=member_a_x)
    assert MemberReport.objects.get().answers[0]["text"] == "Korrigiert"
    with pytest.raises(ValidationError, match="Korrektur einreichen"):
        reports.member_report_save(period=open_period, organisation=world.org_a, answers=["Zurück zum Entwurf", ""], by=member_a_x)
    after_due = timezone.make_aware(datetime.combine(open_period.due_on + timedelta(days=1), datetime.min.time()).replace(hour=12))
    with pytest.raises(ValidationError, match="Frist ist abgelaufen"):
        reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Zu spät", ""], by=member_a_x, now=after_due)
    assert MemberReport.objects.get().answers[0]["text"] == "Korrigiert"


def test_after_the_due_date_the_report_is_read_only_but_a_missing_one_can_still_be_sent(client, world, manager_x, member_a_x, member_b_x):
    request = make_request(world, manager_x)
    past = period_previous(Q, current_span())
    period = reports.period_open(request=request, span=past, by=manager_x)
    ReportPeriod.objects.filter(pk=period.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    period.refresh_from_db()
    reports.member_report_submit(period=period, organisation=world.org_a, answers=["Pünktlich", ""], by=member_a_x, now=timezone.now() - timedelta(days=3))
    client.force_login(member_a_x)
    page = client.get(report_url(period) + "?korrigieren=1")
    assert "Pünktlich" in page.text and "<textarea" not in page.text and "Die Frist ist abgelaufen" in page.text
    refused = client.post(report_url(period), {"action": "submit", "answer_0": "Nachträglich geändert", "answer_1": ""})
    assert refused.status_code == 400 and "Frist ist abgelaufen" in refused.text
    assert MemberReport.objects.get(organisation=world.org_a).answers[0]["text"] == "Pünktlich"
    client.force_login(member_b_x)  # B is late: still welcome
    late = client.post(report_url(period), {"action": "submit", "answer_0": "Verspätet", "answer_1": ""})
    assert late.status_code == 302 and MemberReport.objects.get(organisation=world.org_b).submitted_at is not None


def test_an_empty_report_is_not_submitted_and_says_so_in_german(client, world, member_a_x, open_period):
    client.force_login(member_a_x)
    answer = client.post(report_url(open_period), {"action": "submit", "answer_0": "   ", "answer_1": ""})
    assert answer.status_code == 400 and "Bitte beantworten Sie mindestens eine Frage" in answer.text
    assert not MemberReport.objects.exists()


def test_a_too_long_answer_is_refused_and_nothing_is_half_written(client, world, member_a_x, open_period):
    reports.member_report_save(period=open_period, organisation=world.org_a, answers=["Entwurf", "bleibt"], by=member_a_x)
    client.force_login(member_a_x)
    answer = client.post(report_url(open_period), {"action": "submit", "answer_0": "Neu", "answer_1": "x" * (reports.MAX_ANSWER_LENGTH + 1)})
    assert answer.status_code == 400 and "höchstens 5000 Zeichen" in answer.text
    report = MemberReport.objects.get()
    assert report.submitted_at is None and [a["text"] for a in report.answers] == ["Entwurf", "bleibt"]
    with pytest.raises(ValidationError, match="zu lang: höchstens 5.000 Zeichen, es sind 5.001"):
        reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Neu", "x" * 5001], by=member_a_x)
    with pytest.raises(ValidationError, match="Fragen haben sich inzwischen geändert"):
        reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["nur eine"], by=member_a_x)
    assert [a["text"] for a in MemberReport.objects.get().answers] == ["Entwurf", "bleibt"]


# --- scoping -----------------------------------------------------------------------------------


def test_an_organisation_outside_the_group_another_networks_member_and_a_former_member_get_404(client, world, manager_x, member_a_x, member_b_x):
    request = make_request(world, manager_x, orgs=[world.org_a])
    period = reports.period_open(request=request, span=current_span(), by=manager_x)
    client.force_login(member_b_x)  # B is in network X but not in the group
    assert client.get(report_url(period)).status_code == 404
    assert client.post(report_url(period), {"action": "submit", "answer_0": "Eingeschmuggelt", "answer_1": ""}).status_code == 404
    assert "Bericht der Kommunen" not in client.get(reverse("reports_portal:index")).text
    client.force_login(world.users["member_c_y"])  # another network's member
    assert client.get(report_url(period)).status_code == 404
    client.force_login(member_a_x)
    assert client.get(report_url(period)).status_code == 200
    Membership.objects.filter(organisation=world.org_a, network=world.network_x).update(status=Membership.Status.LEFT)  # A left X
    assert client.get(report_url(period)).status_code == 404
    assert not MemberReport.objects.exists()


def test_a_member_sees_only_its_own_organisations_report_and_cannot_write_for_another(client, world, manager_x, member_a_x, member_b_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Geheimnis von Alpha", ""], by=member_a_x)
    client.force_login(member_b_x)
    page = client.get(report_url(open_period))
    assert page.status_code == 200 and "Geheimnis von Alpha" not in page.text and "<textarea" in page.text  # B's own, empty form
    with pytest.raises(ValidationError, match="Nur Ansprechpartner:innen der Organisation"):
        reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Von Beta überschrieben", ""], by=member_b_x)
    with pytest.raises(ValidationError, match="Nur Ansprechpartner:innen der Organisation"):
        reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Vom Büro", ""], by=manager_x)
    assert MemberReport.objects.get().answers[0]["text"] == "Geheimnis von Alpha"


def test_a_manager_of_y_sees_nothing_of_x(client, world, manager_x, manager_y, member_a_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Nur für X", ""], by=member_a_x)
    client.force_login(manager_y)
    assert "Bericht der Kommunen" not in client.get(reverse("health_reports:index", args=["netz-y"])).text
    for name, args in [
        ("health_reports:index", ["netz-x"]),
        ("health_reports:request", ["netz-x", open_period.request_id]),
        ("health_reports:request", ["netz-y", open_period.request_id]),
        ("health_reports:period", ["netz-y", open_period.pk]),
        ("health_reports:period_csv", ["netz-y", open_period.pk]),
        ("health_reports:request_edit", ["netz-y", open_period.request_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("health_reports:period_remind", args=["netz-y", open_period.pk])).status_code == 404
    assert client.post(reverse("health_reports:period_open", args=["netz-y", open_period.request_id]), {"period": "2026-01-01"}).status_code == 404
    assert reports.reports_for_year(world.network_y, open_period.year) == []


# --- the office's pages ----------------------------------------------------------------------------


def test_the_office_creates_a_request_for_all_municipalities_with_one_pick(client, world, manager_x):
    world.org_b.kind = Organisation.Kind.ADMINISTRATION
    world.org_b.save(update_fields=["kind"])
    client.force_login(manager_x)
    answer = client.post(
        reverse("health_reports:request_create", args=["netz-x"]),
        {
            "title": "Kommunalbericht",
            "prompts": "Was lief gut?\n\n  Was fehlt?  ",
            "cadence": "yearly",
            "due_days": "45",
            "add_kind": "administration",
            "active": "on",
        },
    )
    request = ReportRequest.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("health_reports:request", args=["netz-x", request.pk])
    assert list(request.organisations.all()) == [world.org_b] and request.prompt_list() == ["Was lief gut?", "Was fehlt?"]
    assert (request.network, request.cadence, request.due_days, request.created_by) == (world.network_x, "yearly", 45, manager_x)
    Membership.objects.filter(organisation=world.org_a).update(role=Membership.Role.MULTIPLIER)
    reports.report_request_update(request=request, by=manager_x, data={}, add_role=Membership.Role.MULTIPLIER)
    assert set(request.organisations.all()) == {world.org_a, world.org_b}  # the pick adds, it takes no one away


def test_bad_request_input_is_refused_in_german_and_nothing_is_created(client, world, manager_x):
    client.force_login(manager_x)
    url = reverse("health_reports:request_create", args=["netz-x"])
    empty = client.post(url, {"title": "Ohne Fragen", "prompts": " \n ", "cadence": "yearly", "due_days": "30"})
    assert empty.status_code == 400 and "Bitte mindestens eine Frage angeben" in empty.text
    foreign = client.post(url, {"title": "Fremd", "prompts": "Was?", "cadence": "yearly", "due_days": "30", "organisations": [world.org_c.pk]})
    assert foreign.status_code == 400 and "ist keine gültige Auswahl" in foreign.text  # Y's member is no choice here
    zero = client.post(url, {"title": "Null Tage", "prompts": "Was?", "cadence": "yearly", "due_days": "0"})
    assert zero.status_code == 400 and "Die Frist muss zwischen 1 und 365 Tagen liegen" in zero.text
    long_prompt = client.post(url, {"title": "Lang", "prompts": "x" * 301, "cadence": "yearly", "due_days": "30"})
    assert long_prompt.status_code == 400 and "höchstens 300 Zeichen" in long_prompt.text
    assert not ReportRequest.objects.exists()
    with pytest.raises(ValidationError, match="kein aktuelles Mitglied"):
        reports.report_request_create(
            network=world.network_x,
            by=manager_x,
            data={"title": "Fremd", "prompts": "Was?", "cadence": "yearly", "due_days": 30, "organisations": [world.org_c], "active": True},
        )
    assert not ReportRequest.objects.exists()


def test_the_cadence_is_fixed_once_a_period_was_asked_for(world, manager_x):
    request = make_request(world, manager_x)
    reports.report_request_update(request=request, by=manager_x, data={"cadence": Y})  # no period yet: fine
    reports.report_request_update(request=request, by=manager_x, data={"cadence": Q})
    reports.period_open(request=request, span=current_span(), by=manager_x)
    with pytest.raises(ValidationError, match="Turnus lässt sich nicht mehr ändern"):
        reports.report_request_update(request=request, by=manager_x, data={"cadence": Y})
    request.refresh_from_db()
    assert request.cadence == Q


def test_the_index_and_the_period_page_show_who_submitted_and_who_is_late(client, world, manager_x, member_a_x):
    request = make_request(world, manager_x)
    period = reports.period_open(request=request, span=period_previous(Q, current_span()), by=manager_x, now=timezone.now() - timedelta(days=100))
    ReportPeriod.objects.filter(pk=period.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    reports.member_report_submit(period=period, organisation=world.org_a, answers=["Windpark genehmigt", ""], by=member_a_x)
    client.force_login(manager_x)
    index = client.get(reverse("health_reports:index", args=["netz-x"]))
    assert "1 von 2" in index.text and "überfällig" in index.text and "2 Mitglieder in der Gruppe" in index.text
    page = client.get(reverse("health_reports:period", args=["netz-x", period.pk]))
    assert page.status_code == 200
    assert "Windpark genehmigt" in page.text and f'href="#report-{world.org_a.pk}"' in page.text
    assert "Beta KG" in page.text and "1 Mitglied erinnern" in page.text and "fehlt" in page.text


def test_the_list_of_requests_needs_as_many_queries_for_four_requests_as_for_one(client, world, manager_x, member_a_x):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("health_reports:index", args=["netz-x"])).status_code == 200
        return len(captured)

    client.force_login(manager_x)
    for number, title in enumerate(["Eins", "Zwei", "Drei", "Vier"]):
        request = make_request(world, manager_x, title=title)
        period = reports.period_open(request=request, span=period_previous(Q, current_span()), by=manager_x)
        reports.member_report_submit(period=period, organisation=world.org_a, answers=["Text", ""], by=member_a_x)
        if number == 0:
            one = queries()
    assert queries() == one


def test_open_now_asks_for_the_current_period_and_refuses_an_unknown_one(client, world, manager_x, mailoutbox_files, django_capture_on_commit_callbacks):
    request = make_request(world, manager_x)
    client.force_login(manager_x)
    url = reverse("health_reports:period_open", args=["netz-x", request.pk])
    refused = client.post(url, {"period": "1999-01-01"}, follow=True)
    assert "kann jetzt nicht angefragt werden" in refused.text and not ReportPeriod.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"period": current_span().starts_on.isoformat()})
    period = ReportPeriod.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("health_reports:period", args=["netz-x", period.pk])
    assert period.starts_on == current_span().starts_on and len(mailoutbox_files()) == 2


def test_the_csv_has_every_answer_of_the_period_for_german_excel(client, world, manager_x, member_a_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["=2+5 PV; LED", "Förderung"], by=member_a_x)
    reports.member_report_save(period=open_period, organisation=world.org_b, answers=["Entwurf von Beta", ""], by=world.users["member_b_x"])
    client.force_login(manager_x)
    answer = client.get(reverse("health_reports:period_csv", args=["netz-x", open_period.pk]))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in answer.content
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Organisation", "Status", "Eingereicht am", "Eingereicht von", "Was wurde umgesetzt?", "Wo brauchen Sie Hilfe?"]
    submitted_at = timezone.localtime(MemberReport.objects.get(organisation=world.org_a).submitted_at).strftime("%d.%m.%Y %H:%M")
    assert rows[1] == ["Alpha GmbH", "eingereicht", submitted_at, "Mia member_a_x", "'=2+5 PV; LED", "Förderung"]
    assert rows[2] == ["Beta KG", "fehlt", "", "", "", ""]  # a draft stays with the member


# --- the annual report's API, DSGVO, demo ------------------------------------------------------------


def test_reports_for_year_gives_the_submitted_reports_per_request_and_period(world, manager_x, member_a_x, member_b_x):
    request = make_request(world, manager_x)
    q1 = reports.period_open(request=request, span=period_span(Q, date(2026, 2, 1)), by=manager_x, now=at(2026, 3, 17))
    q2 = reports.period_open(request=request, span=period_span(Q, date(2026, 5, 1)), by=manager_x, now=at(2026, 6, 16))
    reports.period_open(request=request, span=period_span(Q, date(2025, 11, 1)), by=manager_x, now=at(2025, 12, 17))  # another year
    reports.member_report_submit(period=q1, organisation=world.org_b, answers=["B im Q1", ""], by=member_b_x, now=at(2026, 4, 2))
    reports.member_report_submit(period=q1, organisation=world.org_a, answers=["A im Q1", "Hilfe"], by=member_a_x, now=at(2026, 4, 3))
    reports.member_report_save(period=q2, organisation=world.org_a, answers=["nur Entwurf", ""], by=member_a_x)
    other = make_request(world, manager_x, orgs=[world.org_a], title="Anderer Bericht", cadence=Y)
    found = reports.reports_for_year(world.network_x, 2026)
    assert [r.request for r in found] == [request]  # the yearly one has no period in 2026 yet
    periods = found[0].periods
    assert [(p.period, p.label, p.asked) for p in periods] == [(q1, "1. Quartal 2026", 2), (q2, "2. Quartal 2026", 2)]
    assert [(r.organisation, r.submitted_at) for r in periods[0].reports] == [("Alpha GmbH", at(2026, 4, 3)), ("Beta KG", at(2026, 4, 2))]
    assert periods[0].reports[0].answers == [reports.Answer("Was wurde umgesetzt?", "A im Q1"), reports.Answer("Wo brauchen Sie Hilfe?", "Hilfe")]
    assert periods[1].reports == []  # drafts never
    assert other.pk not in [r.request.pk for r in reports.reports_for_year(world.network_x, 2025)]
    assert reports.reports_for_year(world.network_x, 2024) == []


def test_reports_for_year_uses_a_fixed_number_of_queries(world, manager_x, member_a_x, django_assert_max_num_queries):
    for title in ("Erster", "Zweiter", "Dritter"):
        request = make_request(world, manager_x, title=title)
        for month in (2, 5, 8):
            period = reports.period_open(request=request, span=period_span(Q, date(2026, month, 1)), by=manager_x, now=at(2026, month + 1, 20))
            reports.member_report_submit(period=period, organisation=world.org_a, answers=["Text", ""], by=member_a_x)
    with django_assert_max_num_queries(4):
        found = reports.reports_for_year(world.network_x, 2026)
    assert [len(r.periods) for r in found] == [3, 3, 3]


def test_the_organisations_data_export_holds_its_reports_and_drafts(world, manager_x, member_a_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Unser Beitrag", ""], by=member_a_x)
    sections = organisation_data_export(organisation=world.org_a)["member_reports"]
    assert sections == [
        {
            "network": "Netzwerk X",
            "title": "Bericht der Kommunen",
            "period": current_span().label,
            "status": "submitted",
            "submitted_at": timezone.localtime(MemberReport.objects.get().submitted_at).isoformat(),
            "submitted_by": "Mia member_a_x",
            "answers": [{"prompt": "Was wurde umgesetzt?", "text": "Unser Beitrag"}, {"prompt": "Wo brauchen Sie Hilfe?", "text": ""}],
        }
    ]
    assert organisation_data_export(organisation=world.org_b)["member_reports"] == []


def test_erasing_the_submitter_keeps_the_organisations_report_without_her(world, manager_x, member_a_x, open_period):
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Unser Beitrag", ""], by=member_a_x)
    person_erase(contact=Contact.objects.get(user=member_a_x), by=manager_x)
    report = MemberReport.objects.get()
    assert report.submitted_by is None and report.submitted_at is not None and report.answers[0]["text"] == "Unser Beitrag"
    assert organisation_data_export(organisation=world.org_a)["member_reports"][0]["submitted_by"] is None


def test_the_demo_asks_the_municipalities_yearly_with_last_years_reports_and_an_open_period(world):
    first = seed_reports_demo(world.network_x, [world.org_a, world.org_b])
    again = seed_reports_demo(world.network_x, [world.org_a, world.org_b])
    assert first == again and ReportRequest.objects.count() == 1 and ReportPeriod.objects.count() == 2
    this_year = timezone.localdate().year
    last, current = ReportPeriod.objects.order_by("starts_on")
    assert (last.year, current.year, last.due_on) == (this_year - 1, this_year, date(this_year, 1, 30))
    assert last.reports.filter(submitted_at__isnull=False).count() == 2 and not current.reports.exists()
    assert current.opened_at is not None and current.opened_at <= timezone.now()
    found = reports.reports_for_year(world.network_x, this_year - 1)
    assert [len(p.reports) for p in found[0].periods] == [2]


def test_a_paused_request_without_periods_says_how_to_ask_again_instead_of_offering_what_is_not_there(client, world, manager_x):
    request = make_request(world, manager_x)
    ReportRequest.objects.filter(pk=request.pk).update(active=False)
    client.force_login(manager_x)
    page = client.get(reverse("health_reports:request", args=["netz-x", request.pk])).text
    assert "Sie können einen Zeitraum auch sofort anfragen" not in page and "Zeitraum anfragen</button>" not in page
    assert "Die Anfrage ist pausiert" in page
    assert f'href="{reverse("health_reports:request_edit", args=["netz-x", request.pk])}"' in page


def test_the_period_figures_read_as_german_one_missing_report_fehlt(client, world, manager_x, member_a_x, open_period):
    client.force_login(manager_x)
    url = reverse("health_reports:period", args=["netz-x", open_period.pk])
    two = client.get(url).text
    assert '<span class="stat-value">2</span> <span class="stat-label">fehlen noch</span>' in two
    reports.member_report_submit(period=open_period, organisation=world.org_a, answers=["Windpark genehmigt", ""], by=member_a_x)
    one = client.get(url).text
    assert '<span class="stat-value">1</span> <span class="stat-label">fehlt noch</span>' in one
    assert '<span class="stat-label">Frist</span>' in one and "fällig am</span>" not in one


def test_a_request_without_a_group_promises_no_next_request_and_offers_no_open_now(client, world, manager_x):
    request = make_request(world, manager_x, orgs=[])
    client.force_login(manager_x)
    page = client.get(reverse("health_reports:request", args=["netz-x", request.pk])).text
    assert "keine (niemand in der Gruppe)" in page and " am " not in page.split("Nächste Anfrage")[1].split("</dd>")[0]
    assert "Zeitraum anfragen</button>" not in page and "Sie können einen Zeitraum auch sofort anfragen" not in page
    assert "Gruppe wählen" in page
