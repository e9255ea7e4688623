"""The Jahresbericht: foreword, rendering through the (eager) Celery task, the PDF's text read back with pdftotext."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import AgendaItem, Meeting, Registration
from health import annual
from health.models import AnnualReport
from members.models import Contact
from qualification.models import Course, Topic
from verbund.celery import app
from verbund.models import ManagerRole

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def eager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def pdf_text(report: AnnualReport) -> str:
    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def last_year() -> int:
    return timezone.localdate().year - 1


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BERLIN)


@pytest.fixture
def year_of_work(world):
    """Last year of network X: two meetings held (one with a programme), one cancelled, one course held, one dropped."""
    year = last_year()
    held = Meeting.objects.create(
        network=world.network_x, title="Frühjahrstreffen Energie", starts_at=at(year, 3, 4), ends_at=at(year, 3, 4, 16), status=Meeting.Status.HELD
    )
    AgendaItem.objects.create(meeting=held, position=1, starts_at="10:00", kind=AgendaItem.Kind.TALK, title="Wärmeplanung in Kommunen")
    AgendaItem.objects.create(meeting=held, position=2, starts_at="11:00", kind=AgendaItem.Kind.BREAK, title="Kaffeepause")
    contact = Contact.objects.filter(organisation=world.org_a).first()
    Registration.objects.create(meeting=held, contact=contact, status=Registration.Status.ATTENDED)
    Meeting.objects.create(network=world.network_x, title="Herbsttreffen", starts_at=at(year, 10, 7), ends_at=at(year, 10, 7, 16))
    Meeting.objects.create(
        network=world.network_x, title="Abgesagtes Sommerfest", starts_at=at(year, 7, 1), ends_at=at(year, 7, 1, 16), status=Meeting.Status.CANCELLED
    )
    Meeting.objects.create(network=world.network_y, title="Treffen von Y", starts_at=at(year, 5, 5), ends_at=at(year, 5, 5, 16))
    topic = Topic.objects.create(network=world.network_x, title="Energieeffizienz")
    course = Course.objects.create(network=world.network_x, title="Energiescout-Schulung", year=year, status=Course.Status.HELD, provider="IHK")
    course.topics.add(topic)
    Course.objects.create(network=world.network_x, title="Verworfene Idee", year=year, status=Course.Status.DROPPED)
    return year


def test_years_run_from_the_founding_to_this_year(world):
    this_year = timezone.localdate().year
    world.network_x.founded_on = timezone.localdate().replace(year=this_year - 3, month=1, day=1)
    assert annual.report_years(world.network_x) == [this_year, this_year - 1, this_year - 2, this_year - 3]
    world.network_x.founded_on = None  # then the year it was entered in the portal
    assert annual.report_years(world.network_x) == [timezone.localtime(world.network_x.created_at).year]


def test_meetings_held_are_the_years_meetings_that_were_not_cancelled(year_of_work, world):
    meetings = annual.meetings_held(world.network_x, year_of_work)
    assert [m.title for m in meetings] == ["Frühjahrstreffen Energie", "Herbsttreffen"]
    assert [m.attended for m in meetings] == [1, 0]
    assert [item.title for item in meetings[0].agenda_items.all()] == ["Wärmeplanung in Kommunen"]  # the break is no topic
    assert annual.meetings_held(world.network_x, year_of_work - 1) == []


def test_the_rendered_report_holds_foreword_profile_meetings_topics_and_courses(year_of_work, world, manager_x, eager, django_capture_on_commit_callbacks):
    world.network_x.founded_on = timezone.localdate().replace(year=year_of_work - 2, month=1, day=1)
    world.network_x.save()
    annual.annual_report_update(network=world.network_x, year=year_of_work, data={"foreword": "Ein Jahr voller Wärmewende."}, by=manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year_of_work, by=manager_x)
    report = AnnualReport.objects.get(network=world.network_x, year=year_of_work)
    assert report.status == AnnualReport.Status.READY, report.error
    text = pdf_text(report)
    for expected in [f"Jahresbericht {year_of_work}", "Netzwerk X", "Ein Jahr voller Wärmewende.", "Ziel X-CANARY", "Frühjahrstreffen Energie"]:
        assert expected in text, expected
    assert "Wärmeplanung in Kommunen" in text and "Herbsttreffen" in text
    assert "Energiescout-Schulung" in text and "Energieeffizienz" in text
    for absent in ["Abgesagtes Sommerfest", "Treffen von Y", "Verworfene Idee", "Kaffeepause"]:
        assert absent not in text, absent


def test_a_redelivered_task_finds_the_report_claimed_and_does_nothing(world, manager_x, eager):
    report = AnnualReport.objects.create(network=world.network_x, year=timezone.localdate().year, status=AnnualReport.Status.RENDERING)
    annual.annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.RENDERING and not report.file


def test_a_failed_rendering_is_recorded_and_can_be_requested_again(world, manager_x, eager, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise ValueError("kaputt")

    monkeypatch.setattr(annual, "render_pdf", broken)
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    report = AnnualReport.objects.get(network=world.network_x, year=year)
    assert report.status == AnnualReport.Status.FAILED and "kaputt" in report.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.READY and report.error == ""


def test_the_foreword_is_saved_through_the_page_and_a_too_long_one_is_refused(client, world, manager_x):
    client.force_login(manager_x)
    year = timezone.localdate().year
    url = reverse("health_annual:report", args=["netz-x", year])
    response = client.post(url, {"foreword": "Liebe Mitglieder,\n\nein gutes Jahr."})
    assert response.status_code == 302
    assert AnnualReport.objects.get(network=world.network_x, year=year).foreword == "Liebe Mitglieder,\n\nein gutes Jahr."
    response = client.post(url, {"foreword": "x" * 20_001})
    assert response.status_code == 400
    assert "Das Vorwort ist zu lang" in response.content.decode()
    assert AnnualReport.objects.get(network=world.network_x, year=year).foreword == "Liebe Mitglieder,\n\nein gutes Jahr."


def test_an_observer_reads_but_cannot_write_or_render(client, world, manager_x):
    observer = ManagerRole.objects.create(user=world.users["manager_y"], network=world.network_x, role=ManagerRole.Role.OBSERVER)
    client.force_login(observer.user)
    year = timezone.localdate().year
    assert client.get(reverse("health_annual:report", args=["netz-x", year])).status_code == 200
    assert client.post(reverse("health_annual:report", args=["netz-x", year]), {"foreword": "Nein"}).status_code == 403
    assert client.post(reverse("health_annual:render", args=["netz-x", year])).status_code == 403
    assert not AnnualReport.objects.filter(network=world.network_x).exists()


def test_download_only_when_ready_and_only_in_its_network(client, world, manager_x, eager, django_capture_on_commit_callbacks):
    client.force_login(manager_x)
    year = timezone.localdate().year
    url = reverse("health_annual:download", args=["netz-x", year])
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("health_annual:render", args=["netz-x", year]))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="Jahresbericht-netz-x-{year}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.users["manager_y"])
    assert client.get(url).status_code == 404


def test_the_status_poll_stops_once_the_report_is_settled(client, world, manager_x):
    client.force_login(manager_x)
    year = timezone.localdate().year
    url = reverse("health_annual:report", args=["netz-x", year])
    AnnualReport.objects.create(network=world.network_x, year=year, status=AnnualReport.Status.PENDING, requested_at=timezone.now() - timedelta(seconds=5))
    polling = client.get(url, HTTP_HX_REQUEST="true")
    assert polling.status_code == 200 and 'hx-trigger="every 1s"' in polling.content.decode()
    AnnualReport.objects.filter(network=world.network_x, year=year).update(status=AnnualReport.Status.FAILED)
    settled = client.get(url, HTTP_HX_REQUEST="true")
    assert settled.status_code == 286 and "fehlgeschlagen" in settled.content.decode()


def test_submitted_member_reports_of_the_year_are_a_chapter_and_drafts_are_not(world, manager_x, eager, django_capture_on_commit_callbacks):
    from datetime import date

    from health.models import MemberReport, ReportPeriod, ReportRequest

    year = last_year()
    request = ReportRequest.objects.create(network=world.network_x, title="Bericht der Mitgliedskommunen", prompts="Was lief gut?")
    request.organisations.add(world.org_a, world.org_b)
    period = ReportPeriod.objects.create(
        request=request, year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31), due_on=date(year + 1, 1, 30), opened_at=at(year, 12, 17)
    )
    MemberReport.objects.create(
        period=period, organisation=world.org_a, answers=[{"prompt": "Was lief gut?", "text": "Drei neue Wärmenetze."}], submitted_at=at(year, 12, 20)
    )
    MemberReport.objects.create(period=period, organisation=world.org_b, answers=[{"prompt": "Was lief gut?", "text": "ENTWURF-TEXT"}])
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    text = pdf_text(AnnualReport.objects.get(network=world.network_x, year=year))
    assert "Berichte der Mitglieder" in text and "Bericht der Mitgliedskommunen" in text
    assert "1 von 2 Berichten" in text and "Alpha GmbH" in text and "Drei neue Wärmenetze." in text
    assert "ENTWURF-TEXT" not in text


def _survey_with_scores(world, year: int, scores: list[int]):
    from health.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

    survey = Survey.objects.create(network=world.network_x, year=year, title=f"Umfrage {year}", status=Survey.Status.CLOSED)
    question = SurveyQuestion.objects.create(survey=survey, key="management", text="Zufrieden mit dem Netzwerkmanagement?", position=1)
    comments = SurveyQuestion.objects.create(survey=survey, key="comments", text="Was sollten wir besser machen?", kind="text", position=2)
    for i, score in enumerate(scores):
        response = SurveyResponse.objects.create(survey=survey, submitted_at=timezone.now())
        SurveyAnswer.objects.create(response=response, question=question, score=score)
        SurveyAnswer.objects.create(response=response, question=comments, text=f"FREITEXT-{year}-{i}")
    return survey


def test_the_survey_chapter_shows_means_from_three_answers_with_the_previous_year(world, manager_x, eager, django_capture_on_commit_callbacks):
    year = last_year()
    _survey_with_scores(world, year - 1, [2, 3, 4])  # mean 3,00
    _survey_with_scores(world, year, [4, 5, 3, 4])  # mean 4,00
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    text = pdf_text(AnnualReport.objects.get(network=world.network_x, year=year))
    assert "Zufriedenheit der Mitglieder" in text
    row = next(line for line in text.splitlines() if "Zufrieden mit dem" in line)  # the question may wrap in its column
    assert row.split()[-3:] == ["4", "4,00", "3,00"]
    assert f"FREITEXT-{year}-0" in text and f"FREITEXT-{year - 1}-0" not in text


def test_a_survey_with_two_answers_shows_no_result_in_the_report(world, manager_x, eager, django_capture_on_commit_callbacks):
    year = last_year()
    _survey_with_scores(world, year, [1, 5])
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    text = pdf_text(AnnualReport.objects.get(network=world.network_x, year=year))
    assert "Zufriedenheit der Mitglieder" in text and "Ergebnisse erscheinen ab drei Antworten" in text
    assert "FREITEXT" not in text and "Zufrieden mit dem Netzwerkmanagement?" not in text


def test_the_indicators_chapter_shows_figures_with_definitions_charts_and_the_cluster_check(world, manager_x, eager, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from verbund.models import FundingSource

    year = last_year()
    FundingSource.objects.create(network=world.network_x, kind=FundingSource.Kind.PUBLIC_PROGRAMME, year=year, amount=Decimal(60000))
    FundingSource.objects.create(network=world.network_x, kind=FundingSource.Kind.MEMBER_FEES, year=year, amount=Decimal(20000))
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    text = pdf_text(AnnualReport.objects.get(network=world.network_x, year=year))
    assert "Kennzahlen" in text and f"Mitglieder am Monatsende {year}" in text
    ratio = next(line for line in text.splitlines() if line.strip().startswith("Eigenfinanzierungsquote"))
    assert "25,0 %" in ratio  # 20.000 own of 80.000
    assert "Kein offizielles Label." in text and "Kriterien erfüllt" in text


def test_the_financing_table_fits_the_page_and_the_survey_scale_reads_as_it_was_asked(world, manager_x, eager, django_capture_on_commit_callbacks):
    """Four kinds of funding and the sum: the data table beside the chart keeps its last column on the page (no cut-off
    "Summe"); the survey chapter names the scale as the answer page did: 1 (schlecht) to 5 (sehr gut)."""
    from decimal import Decimal

    from verbund.models import FundingSource

    year = last_year()
    for kind, amount in [("PUBLIC_PROGRAMME", 110500), ("MEMBER_FEES", 12000), ("PAID_SERVICES", 3000), ("THIRD_PARTY", 1500)]:
        FundingSource.objects.create(network=world.network_x, kind=getattr(FundingSource.Kind, kind), year=year, amount=Decimal(amount))
    _survey_with_scores(world, year, [4, 5, 3])
    with django_capture_on_commit_callbacks(execute=True):
        annual.annual_report_request(network=world.network_x, year=year, by=manager_x)
    text = pdf_text(AnnualReport.objects.get(network=world.network_x, year=year))
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("Zeitraum") and "Drittmittel" in line)
    table = " ".join(lines[header : header + 4])
    assert "Summe" in table and "127.000 €" in table  # 110.500 + 12.000 + 3.000 + 1.500
    assert "Skala von 1 (schlecht) bis 5 (sehr gut)" in text and "gar nicht" not in text
    # The count beside a mean is of ratings ("keine Angabe" left out), named as on the results page.
    header = next(line for line in lines if line.strip().startswith("Frage") and "Mittelwert" in line)
    assert "Bewertungen" in header and "Antworten" not in header


def test_the_index_lists_the_last_five_years_and_older_ones_only_when_begun(client, world, manager_x):
    this_year = timezone.localdate().year
    world.network_x.founded_on = timezone.localdate().replace(year=this_year - 16, month=1, day=1)
    world.network_x.save()
    AnnualReport.objects.create(network=world.network_x, year=this_year - 12, foreword="Alt")
    client.force_login(manager_x)
    page = client.get(reverse("health_annual:index", args=["netz-x"])).content.decode()
    shown = [year for year in range(this_year - 16, this_year + 1) if f"Jahresbericht {year}<" in page]
    assert shown == [this_year - 12, *range(this_year - 4, this_year + 1)]
