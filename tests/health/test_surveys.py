"""The yearly satisfaction survey: questions and versions, who is invited, personal single-use links, anonymous answers,
aggregates only from three answers, the previous year's comparison, mail on the wire, DSGVO."""

from __future__ import annotations

import email
import hashlib
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from health import surveys
from health.demo_surveys import seed_surveys_demo
from health.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from health.surveys import (
    MIN_RESPONSES,
    question_add,
    question_delete,
    question_move,
    question_update,
    survey_answer,
    survey_close,
    survey_create,
    survey_open,
    survey_remind,
    survey_results,
    token_hash,
)
from members.models import Contact, ContactExit, Membership, Organisation
from members.privacy import organisation_data_export, person_erase
from tests.conftest import start_smtp_sink
from verbund.celery import app

OFFICE = "geschaeftsstelle@netz-x.example"
YEAR = timezone.localdate().year
DEFAULT_KEYS = ["management", "exchange", "meetings", "infobrief", "qualification", "comments"]
LINK = re.compile(r"/survey/([A-Za-z0-9_-]+)/")


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def network(world):
    world.network_x.office_email = OFFICE
    world.network_x.save(update_fields=["office_email"])
    return world.network_x


@pytest.fixture
def people(world, network):
    """Around network X: who must be invited and who must not. Returns the addresses that must be invited."""
    a, b = world.org_a, world.org_b
    Contact.objects.create(organisation=a, first_name="Anna", last_name="Adler", email="anna@alpha.example")
    Contact.objects.create(organisation=b, first_name="Bernd", last_name="Bär", email="Bernd@Beta.example")
    Contact.objects.create(organisation=b, first_name="Info", last_name="Beta", email="info@beta.example")
    Contact.objects.create(organisation=b, first_name="Zweite", last_name="Info", email="INFO@beta.example")  # same mailbox: one link only
    Contact.objects.create(organisation=a, last_name="Ohne Adresse", email="")
    Contact.objects.create(organisation=a, last_name="Unzustellbar", email="tot@alpha.example", email_undeliverable_at=timezone.now())
    Contact.objects.create(organisation=a, last_name="Im Papierkorb", email="papierkorb@alpha.example", archived_at=timezone.now())
    gone = Contact.objects.create(organisation=b, last_name="Ausgeschieden", email="weg@beta.example")
    ContactExit.objects.create(contact=gone, network=network)
    delta = Organisation.objects.create(name="Delta GmbH", postcode="48143", municipality="Münster")
    Membership.objects.create(organisation=delta, network=network, status=Membership.Status.LEFT)
    Contact.objects.create(organisation=delta, last_name="Ehemalig", email="delta@delta.example")
    Contact.objects.create(organisation=world.org_c, last_name="Nur Y", email="ypsilon@gamma.example")  # netz-y's member
    return {"member_a_x@example.org", "member_b_x@example.org", "anna@alpha.example", "bernd@beta.example", "info@beta.example"}


@pytest.fixture
def survey(network, manager_x) -> Survey:
    return survey_create(network=network, year=YEAR, by=manager_x)


def links(survey: Survey) -> dict[str, str]:
    """A known personal link for each invitation (as if its mail had gone out): address → token."""
    found = {}
    for row in survey.invitations.all():
        token = surveys.new_token()
        SurveyInvitation.objects.filter(pk=row.pk).update(token_hash=token_hash(token), sent_at=timezone.now())
        found[row.email.lower()] = token
    return found


def opened(survey: Survey, manager) -> list[str]:
    """Open the survey (no mail goes out in the test's transaction) and return one token per invitation."""
    survey_open(survey=survey, by=manager)
    survey.refresh_from_db()
    return list(links(survey).values())


def answers(survey: Survey, *scores, text: str = "") -> dict:
    """Answers for the default questions: `scores` in question order (None = keine Angabe), then the free text."""
    found: dict = dict(zip(DEFAULT_KEYS[:5], scores, strict=True))
    found["comments"] = text
    return found


def form_data(values: dict) -> dict:
    return {key: ("na" if value is None else str(value)) for key, value in values.items()}


def url(name: str, survey: Survey, *args) -> str:
    return reverse(f"health_surveys:{name}", args=[survey.network.slug, survey.pk, *args])


def answer_url(token: str) -> str:
    return reverse("survey_public:answer", args=[token])


def page(response) -> str:
    return response.content.decode()


# --- questions and versions ------------------------------------------------------------------


def test_a_new_survey_has_the_default_questions_with_stable_keys(survey):
    questions = list(survey.questions.order_by("position"))
    assert [q.key for q in questions] == DEFAULT_KEYS
    assert [q.kind for q in questions] == ["scale"] * 5 + ["text"]
    assert {q.version for q in questions} == {1}
    assert questions[-1].text == "Was sollten wir besser machen?"
    assert survey.status == Survey.Status.DRAFT and survey.title == f"Zufriedenheitsumfrage {YEAR}"


def test_a_second_survey_for_the_same_year_is_refused_in_german(survey, network, manager_x):
    with pytest.raises(ValidationError) as refused:
        survey_create(network=network, year=YEAR, by=manager_x)
    assert f"Für {YEAR} gibt es schon eine Umfrage." in refused.value.messages
    with pytest.raises(ValidationError):
        survey_create(network=network, year=1999, by=manager_x)
    assert Survey.objects.filter(network=network).count() == 1


def test_next_years_survey_copies_the_questions_with_their_keys_and_versions(network, manager_x):
    last = survey_create(network=network, year=YEAR - 1, by=manager_x)
    last_infobrief = last.questions.get(key="infobrief")
    Survey.objects.filter(pk=last.pk).update(status=Survey.Status.CLOSED)
    SurveyQuestion.objects.filter(pk=last_infobrief.pk).update(text="Wie hilfreich ist der Infobrief?", version=3)
    SurveyQuestion.objects.create(survey=last, key="website", text="Wie finden Sie die Website?", position=7)

    this = survey_create(network=network, year=YEAR, by=manager_x)

    copied = [(q.key, q.text, q.kind, q.version) for q in this.questions.order_by("position")]
    original = [(q.key, q.text, q.kind, q.version) for q in last.questions.order_by("position")]
    assert copied == original
    assert ("infobrief", "Wie hilfreich ist der Infobrief?", "scale", 3) in copied
    assert [q.key for q in this.questions.order_by("position")][-1] == "website"


def test_a_changed_question_gets_the_next_version_and_the_old_text_the_old_one(network, manager_x):
    last = survey_create(network=network, year=YEAR - 1, by=manager_x)
    this = survey_create(network=network, year=YEAR, by=manager_x)
    meetings = this.questions.get(key="meetings")
    old_text = meetings.text

    question_update(question=meetings, data={"text": "Wie nützlich sind unsere Arbeitstreffen?", "kind": "scale"}, by=manager_x)
    meetings.refresh_from_db()
    assert meetings.version == 2 and meetings.text == "Wie nützlich sind unsere Arbeitstreffen?"

    question_update(question=meetings, data={"text": "Wie nützlich sind unsere Arbeitstreffen? (geändert)", "kind": "scale"}, by=manager_x)
    meetings.refresh_from_db()
    assert meetings.version == 2  # still one step from last year's, not two

    question_update(question=meetings, data={"text": old_text, "kind": "scale"}, by=manager_x)
    meetings.refresh_from_db()
    assert meetings.version == 1  # last year's text again: last year's version

    question_update(question=meetings, data={"text": old_text, "kind": "text"}, by=manager_x)
    meetings.refresh_from_db()
    assert meetings.version == 2  # another kind of answer is a change too

    added = question_add(survey=this, data={"text": "Wie finden Sie die Website?", "kind": "scale"}, by=manager_x)
    assert (added.key, added.version, added.position) == ("wie-finden-sie-die-website", 1, 7)
    assert last.questions.get(key="meetings").version == 1  # last year's stays as it was


def test_questions_are_added_moved_and_removed_in_a_draft(survey, manager_x):
    first, second = survey.questions.order_by("position")[:2]
    question_move(question=second, direction="up", by=manager_x)
    assert [q.key for q in survey.questions.order_by("position")][:2] == ["exchange", "management"]
    question_move(question=second, direction="up", by=manager_x)  # already first: stays
    assert [q.position for q in survey.questions.order_by("position")] == [1, 2, 3, 4, 5, 6]
    question_delete(question=first, by=manager_x)
    assert [q.key for q in survey.questions.order_by("position")] == ["exchange", "meetings", "infobrief", "qualification", "comments"]
    assert [q.position for q in survey.questions.order_by("position")] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError):
        question_add(survey=survey, data={"text": "   ", "kind": "scale"}, by=manager_x)
    assert survey.questions.count() == 5


def test_questions_are_locked_once_the_survey_is_sent(survey, people, manager_x):
    survey_open(survey=survey, by=manager_x)
    question = survey.questions.first()
    for attempt in (
        lambda: question_update(question=question, data={"text": "Neu", "kind": "scale"}, by=manager_x),
        lambda: question_add(survey=survey, data={"text": "Neu", "kind": "scale"}, by=manager_x),
        lambda: question_delete(question=question, by=manager_x),
        lambda: question_move(question=question, direction="down", by=manager_x),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "nur ändern, solange die Umfrage noch nicht versendet ist" in refused.value.messages[0]
    assert [q.text for q in survey.questions.order_by("position")][0] == question.text
    assert survey.questions.count() == 6


# --- who is invited ---------------------------------------------------------------------------


def test_sending_invites_each_current_contact_of_the_network_once_and_nobody_else(survey, people, manager_x, world):
    count = survey_open(survey=survey, by=manager_x)
    invited = {row.email.lower() for row in survey.invitations.all()}
    assert invited == people
    assert count == len(people) == survey.invitations.count()
    assert "ypsilon@gamma.example" not in invited and "member_c_y@example.org" not in invited  # netz-y's people never
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.opened_at is not None
    assert set(survey.invitations.values_list("organisation", flat=True)) == {world.org_a.pk, world.org_b.pk}
    with pytest.raises(ValidationError):
        survey_open(survey=survey, by=manager_x)  # twice: refused, nobody invited again
    assert survey.invitations.count() == len(people)


def test_a_network_without_reachable_members_cannot_send(world, manager_y):
    Contact.objects.filter(organisation=world.org_c).update(email="")
    draft = survey_create(network=world.network_y, year=YEAR, by=manager_y)
    with pytest.raises(ValidationError) as refused:
        survey_open(survey=draft, by=manager_y)
    assert "niemanden" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT and not draft.invitations.exists()


def test_the_send_page_names_how_many_will_be_invited_before_anything_happens(client, survey, people, manager_x):
    client.force_login(manager_x)
    asked = client.post(url("send", survey), {})
    assert asked.status_code == 200
    assert f"An {len(people)} Personen senden?" in page(asked)
    assert not survey.invitations.exists()
    done = client.post(url("send", survey), {"confirm": "1"})
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.invitations.count() == len(people)


# --- the link ---------------------------------------------------------------------------------


@pytest.fixture
def smtp(tmp_path, settings):
    """Both mailers talk SMTP to a real aiosmtpd; tasks run in the test. Yields a reader of the messages received."""
    out = tmp_path / "smtp.jsonl"
    proc, port = start_smtp_sink(out)
    smtp_mailer = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}}
    settings.MAILERS = {"default": smtp_mailer, "newsletter": smtp_mailer}
    before, app.conf.task_always_eager = app.conf.task_always_eager, True

    def received() -> list[dict]:
        return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []

    yield received
    app.conf.task_always_eager = before
    proc.terminate()
    proc.wait(timeout=10)


def parts(raw: str) -> dict[str, str]:
    message = email.message_from_string(raw)
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html")
    }


def test_invitations_go_out_over_smtp_each_with_its_own_link_and_only_the_hash_is_stored(
    client, survey, people, manager_x, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        survey_open(survey=survey, by=manager_x)

    received = smtp()
    assert sorted(address.lower() for m in received for address in m["rcpt_tos"]) == sorted(people)
    tokens = []
    for message in received:
        mail = email.message_from_string(message["raw"])
        assert mail["Reply-To"] == OFFICE
        assert f"Zufriedenheitsumfrage {YEAR}" in message["subject"]
        bodies = parts(message["raw"])
        assert set(bodies) == {"text/plain", "text/html"}
        (token,) = set(LINK.findall(bodies["text/plain"]))
        assert token in bodies["text/html"]
        tokens.append(token)
    assert len(set(tokens)) == len(people)
    rows = list(survey.invitations.all())
    assert all(row.sent_at is not None for row in rows)
    assert {row.token_hash for row in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    with connection.cursor() as cursor:  # the link itself is nowhere in the table
        cursor.execute("SELECT * FROM health_surveyinvitation")
        stored = repr(cursor.fetchall())
    assert not any(token in stored for token in tokens)

    opened_page = client.get(answer_url(tokens[0]))
    assert opened_page.status_code == 200
    assert "Wie zufrieden sind Sie mit dem Netzwerkmanagement" in page(opened_page)


def test_a_link_carries_256_random_bits_and_no_two_are_alike(survey, people, manager_x):
    tokens = [surveys.new_token() for _ in range(200)]
    assert len(set(tokens)) == 200
    assert all(len(t) == 43 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)  # base64url of 32 bytes
    assert len(set("".join(tokens))) > 60  # the whole alphabet in use, not a counter or a clock
    survey_open(survey=survey, by=manager_x)
    hashes = list(survey.invitations.values_list("token_hash", flat=True))
    assert len(set(hashes)) == len(hashes) and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def test_a_made_up_link_is_a_404_and_stores_nothing(client, survey, people, manager_x):
    opened(survey, manager_x)
    for token in ("gefaelscht", "x" * 43, "x" * 300, surveys.new_token()):
        assert client.get(answer_url(token)).status_code == 404
        assert client.post(answer_url(token), form_data(answers(survey, 5, 5, 5, 5, 5))).status_code == 404
    assert not SurveyResponse.objects.exists()
    with pytest.raises(surveys.SurveyLinkError) as refused:
        survey_answer(token="gefaelscht", answers=answers(survey, 5, 5, 5, 5, 5))
    assert refused.value.code == "unknown"


def test_a_link_answers_once_and_then_shows_neither_the_answer_nor_a_form(client, survey, people, manager_x):
    token = opened(survey, manager_x)[0]
    values = answers(survey, 5, 4, None, 2, 1, text="Mehr Betriebsbesuche-GEHEIM")
    sent = client.post(answer_url(token), form_data(values))
    assert sent.status_code == 302 and sent["Location"] == reverse("survey_public:thanks")
    assert "Danke für Ihre Antworten" in page(client.get(sent["Location"]))

    (sheet,) = SurveyResponse.objects.filter(survey=survey)
    stored = {a.question.key: (a.score, a.text) for a in sheet.answers.select_related("question")}
    assert stored == {
        "management": (5, ""),
        "exchange": (4, ""),
        "meetings": (None, ""),
        "infobrief": (2, ""),
        "qualification": (1, ""),
        "comments": (None, "Mehr Betriebsbesuche-GEHEIM"),
    }
    assert survey.invitations.filter(answered_at__isnull=False).count() == 1

    again = client.get(answer_url(token))
    assert again.status_code == 410
    assert "Bereits beantwortet" in page(again) and "bereits beantwortet" in page(again)
    assert "GEHEIM" not in page(again) and "survey-form" not in page(again)
    changed = client.post(answer_url(token), form_data(answers(survey, 1, 1, 1, 1, 1, text="überschrieben")))
    assert changed.status_code == 410
    assert SurveyResponse.objects.count() == 1
    assert {a.question.key: (a.score, a.text) for a in sheet.answers.select_related("question")} == stored
    with pytest.raises(surveys.SurveyLinkError) as refused:
        survey_answer(token=token, answers=values)
    assert refused.value.code == "answered"


def test_an_answer_sheet_keeps_the_day_but_not_the_time_and_no_link_to_the_invitation(survey, people, manager_x):
    token = opened(survey, manager_x)[0]
    sheet = survey_answer(token=token, answers=answers(survey, 3, 3, 3, 3, 3))
    local = timezone.localtime(sheet.submitted_at)
    assert (local.date(), local.hour, local.minute, local.second, local.microsecond) == (timezone.localdate(), 0, 0, 0, 0)
    related = {f.related_model for f in SurveyResponse._meta.get_fields() if f.is_relation}
    assert SurveyInvitation not in related
    assert {f.related_model for f in SurveyAnswer._meta.get_fields() if f.is_relation} == {SurveyResponse, SurveyQuestion}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"management": "7"}, "Bitte wählen Sie einen Wert von 1 bis 5."),
        ({"management": "0"}, "Bitte wählen Sie einen Wert von 1 bis 5."),
        ({"management": ""}, "Bitte wählen Sie eine Antwort (oder „keine Angabe“)."),
        ({"comments": "x" * 2001}, "höchstens 2000 Zeichen"),
    ],
)
def test_bad_answers_are_refused_in_german_and_nothing_is_stored(client, survey, people, manager_x, change, message):
    token = opened(survey, manager_x)[0]
    data = {**form_data(answers(survey, 5, 4, 3, 2, 1, text="ok")), **change}
    refused = client.post(answer_url(token), data)
    assert refused.status_code == 400
    assert message in page(refused).replace("&#x27;", "'").replace("&quot;", '"')
    assert re.search(r'name="exchange" value="4"[^>]*checked', page(refused))  # what was chosen is kept
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert not survey.invitations.filter(answered_at__isnull=False).exists()
    assert client.get(answer_url(token)).status_code == 200  # the link still works


def test_missing_answers_are_refused_by_the_page_and_by_the_service(client, survey, people, manager_x):
    token = opened(survey, manager_x)[0]
    refused = client.post(answer_url(token), {"management": "5"})
    assert refused.status_code == 400
    assert page(refused).count("Bitte wählen Sie eine Antwort") == 4
    for bad in (
        {"management": 5},  # the others missing
        {**answers(survey, 5, 5, 5, 5, 5), "management": 7},
        {**answers(survey, 5, 5, 5, 5, 5), "management": True},
        {**answers(survey, 5, 5, 5, 5, 5), "erfunden": 3},
    ):
        with pytest.raises(ValidationError) as error:
            survey_answer(token=token, answers=bad)
        assert not isinstance(error.value, surveys.SurveyLinkError)
    assert not SurveyResponse.objects.exists() and not survey.invitations.filter(answered_at__isnull=False).exists()


def test_a_closed_survey_says_so_and_takes_no_answer(client, survey, people, manager_x):
    first, second = opened(survey, manager_x)[:2]
    survey_close(survey=survey, by=manager_x)
    closed = client.get(answer_url(first))
    assert closed.status_code == 410 and "Umfrage abgeschlossen" in page(closed)
    assert client.post(answer_url(first), form_data(answers(survey, 5, 5, 5, 5, 5))).status_code == 410
    assert not SurveyResponse.objects.exists()

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, closes_on=timezone.localdate() - timedelta(days=1))
    assert client.get(answer_url(second)).status_code == 410  # its last day has passed
    with pytest.raises(surveys.SurveyLinkError) as refused:
        survey_answer(token=second, answers=answers(survey, 5, 5, 5, 5, 5))
    assert refused.value.code == "closed"


def test_the_answer_page_shows_the_network_and_the_questions_but_not_the_person(client, survey, people, manager_x):
    opened(survey, manager_x)
    token = links(survey)["anna@alpha.example"]
    shown = page(client.get(answer_url(token)))
    assert "Netzwerk X" in shown and survey.title in shown
    for question in survey.questions.all():
        assert question.text in shown
    for private in ("Anna", "Adler", "anna@alpha.example", "Alpha GmbH", "member_a_x", "Beta KG"):
        assert private not in shown
    assert shown.count("<fieldset") == 5 and shown.count("<legend") == 5  # one labelled group per scale question
    assert 'type="radio"' in shown and "keine Angabe" in shown
    assert 'name="robots" content="noindex' in shown


# --- results ----------------------------------------------------------------------------------


def answered(survey: Survey, manager, sheets: list[dict]) -> None:
    tokens = opened(survey, manager)
    for token, values in zip(tokens, sheets, strict=False):
        survey_answer(token=token, answers=values)


def test_two_answers_show_nothing_but_the_counts(client, survey, people, manager_x):
    answered(survey, manager_x, [answers(survey, 5, 4, 3, 2, 1, text="ERSTER-TEXT"), answers(survey, 1, 2, 3, 4, 5, text="ZWEITER-TEXT")])
    results = survey_results(survey)
    assert (results.shown, results.questions, results.invited, results.answered) == (False, (), len(people), 2)

    client.force_login(manager_x)
    shown = page(client.get(url("results", survey)))
    assert "Ergebnisse erscheinen ab drei Antworten" in shown
    for hidden in ("ERSTER-TEXT", "ZWEITER-TEXT", "Mittelwert", "Netzwerkmanagement", "keine Angabe", "CSV"):
        assert hidden not in shown
    assert ">2</span>" in shown and f">{len(people)}</span>" in shown  # answered and invited do show
    csv = client.get(url("results_csv", survey))
    assert csv.status_code == 302  # no file below three answers
    detail = page(client.get(url("detail", survey)))
    assert "ERSTER-TEXT" not in detail


def test_three_answers_show_the_hand_computed_aggregates(client, survey, people, manager_x):
    answered(
        survey,
        manager_x,
        [
            answers(survey, 5, 3, 5, 1, 2, text="zuletzt: Mehr Austausch"),
            answers(survey, 4, 3, 5, None, 3, text=""),
            answers(survey, 2, 4, 5, None, 4, text="Anfang: Gute Treffen"),
        ],
    )
    results = survey_results(survey)
    assert results.shown and results.answered == 3 and results.threshold == MIN_RESPONSES == 3
    by_key = {q.key: q for q in results.questions}
    management = by_key["management"]
    assert (management.n, management.mean) == (3, Decimal("3.67"))  # (5 + 4 + 2) / 3
    assert [(c.score, c.count) for c in management.distribution] == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert [c.share for c in management.distribution] == [Decimal("0.0"), Decimal("33.3"), Decimal("0.0"), Decimal("33.3"), Decimal("33.3")]
    assert by_key["exchange"].mean == Decimal("3.33")  # (3 + 3 + 4) / 3
    assert by_key["meetings"].mean == Decimal("5.00")
    assert by_key["qualification"].mean == Decimal("3.00")  # (2 + 3 + 4) / 3
    infobrief = by_key["infobrief"]  # one score, two "keine Angabe": that one person's score never shows
    assert (infobrief.shown, infobrief.n, infobrief.mean, infobrief.distribution, infobrief.abstained) == (False, 1, None, (), 0)
    assert by_key["comments"].texts == ("Anfang: Gute Treffen", "zuletzt: Mehr Austausch")  # alphabetically, not as they came

    client.force_login(manager_x)
    shown = page(client.get(url("results", survey)))
    assert "Ergebnisse erscheinen ab" not in shown
    assert "3,67" in shown and "3,33" in shown and "5,00" in shown and "3,00" in shown
    assert "zu wenige Bewertungen" in shown
    assert "Anfang: Gute Treffen" in shown and "zuletzt: Mehr Austausch" in shown

    csv = client.get(url("results_csv", survey))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    content = csv.content
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:6] == ["Schlüssel", "Frage", "Fassung", "Bewertungen", "Keine Angabe", "Mittelwert"]
    rows = {line.split(";")[0]: line.split(";") for line in lines[1:]}
    assert rows["management"][3:11] == ["3", "0", "3,67", "0", "1", "0", "1", "1"]
    assert rows["infobrief"][5] == ""  # hidden in the file too
    assert "comments" not in rows and "Gute Treffen" not in content.decode("utf-8-sig")


def test_the_previous_year_is_compared_per_key_and_a_changed_question_is_marked(client, network, people, manager_x):
    last = survey_create(network=network, year=YEAR - 1, by=manager_x)
    answered(last, manager_x, [answers(last, 4, 2, 3, 3, 5), answers(last, 4, 3, 3, 4, 5), answers(last, 3, 3, 4, 5, 5)])
    survey_close(survey=last, by=manager_x)

    this = survey_create(network=network, year=YEAR, by=manager_x)
    infobrief = this.questions.get(key="infobrief")
    question_update(question=infobrief, data={"text": "Wie nützlich ist der neue Infobrief?", "kind": "scale"}, by=manager_x)
    added = question_add(survey=this, data={"text": "Wie finden Sie die Website?", "kind": "scale"}, by=manager_x)
    answered(this, manager_x, [{**answers(this, 5, 3, 3, 4, 5), added.key: 4} for _ in range(3)])

    results = survey_results(this)
    assert results.previous == last and results.previous_shown and results.previous_answered == 3
    by_key = {q.key: q for q in results.questions}
    management = by_key["management"]
    assert (management.mean, management.previous_mean, management.delta, management.changed) == (
        Decimal("5.00"),
        Decimal("3.67"),  # (4 + 4 + 3) / 3
        Decimal("1.33"),
        False,
    )
    assert (by_key["exchange"].previous_mean, by_key["exchange"].changed) == (Decimal("2.67"), False)  # (2 + 3 + 3) / 3
    changed = by_key["infobrief"]
    assert (changed.version, changed.changed, changed.previous_mean) == (2, True, Decimal("4.00"))
    assert by_key[added.key].is_new and by_key[added.key].previous_mean is None

    client.force_login(manager_x)
    shown = page(client.get(url("results", this)))
    assert f"Mittelwert {YEAR - 1}" in shown and "3,67" in shown and "+1,33" in shown
    assert shown.count("Frage geändert") == 2 and shown.count(">neu<") == 1  # the badge, and the change column's note


def test_a_previous_year_below_three_answers_is_no_comparison(network, people, manager_x):
    last = survey_create(network=network, year=YEAR - 1, by=manager_x)
    answered(last, manager_x, [answers(last, 1, 1, 1, 1, 1), answers(last, 1, 1, 1, 1, 1)])
    survey_close(survey=last, by=manager_x)
    this = survey_create(network=network, year=YEAR, by=manager_x)
    answered(this, manager_x, [answers(this, 5, 5, 5, 5, 5)] * 3)
    results = survey_results(this)
    assert results.previous == last and not results.previous_shown
    assert all(q.previous_mean is None and q.delta is None for q in results.questions)


def test_the_draft_page_marks_changed_and_new_questions(client, network, manager_x):
    survey_create(network=network, year=YEAR - 1, by=manager_x)
    this = survey_create(network=network, year=YEAR, by=manager_x)
    question_update(question=this.questions.get(key="exchange"), data={"text": "Wie gut klappt der Austausch?", "kind": "scale"}, by=manager_x)
    question_add(survey=this, data={"text": "Wie finden Sie die Website?", "kind": "scale"}, by=manager_x)
    client.force_login(manager_x)
    shown = page(client.get(url("detail", this)))
    assert shown.count("Frage geändert") == 1 and shown.count(">neu<") == 1


# --- reminders ----------------------------------------------------------------------------------


def test_a_reminder_goes_only_to_those_who_have_not_answered_with_a_fresh_link(client, survey, people, manager_x, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey_open(survey=survey, by=manager_x)
    first_links = {m["rcpt_tos"][0].lower(): LINK.findall(parts(m["raw"])["text/plain"])[0] for m in smtp()}
    survey_answer(token=first_links["anna@alpha.example"], answers=answers(survey, 4, 4, 4, 4, 4))

    with pytest.raises(ValidationError) as refused:
        survey_remind(survey=survey, by=manager_x)
    assert "noch keine 7 Tage her" in refused.value.messages[0]

    Survey.objects.filter(pk=survey.pk).update(opened_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        count = survey_remind(survey=survey, by=manager_x)
    assert count == len(people) - 1
    reminders = smtp()[len(people) :]
    assert sorted(m["rcpt_tos"][0].lower() for m in reminders) == sorted(people - {"anna@alpha.example"})
    assert all(m["subject"].startswith("Erinnerung:") for m in reminders)
    new_links = {m["rcpt_tos"][0].lower(): LINK.findall(parts(m["raw"])["text/plain"])[0] for m in reminders}
    bernd = "bernd@beta.example"
    assert new_links[bernd] != first_links[bernd]
    assert client.get(answer_url(first_links[bernd])).status_code == 404  # the older link is replaced
    assert client.get(answer_url(new_links[bernd])).status_code == 200
    reminded = survey.invitations.filter(reminded_at__isnull=False)
    assert reminded.count() == len(people) - 1 and not reminded.filter(email__iexact="anna@alpha.example").exists()

    with pytest.raises(ValidationError):
        survey_remind(survey=survey, by=manager_x)  # once per interval
    assert len(smtp()) == 2 * len(people) - 1


def test_a_refused_address_is_marked_and_the_others_still_go_out(survey, people, manager_x, tmp_path, settings, django_capture_on_commit_callbacks):
    proc, port = start_smtp_sink(tmp_path / "smtp.jsonl", "--reject", "anna@alpha.example")
    settings.MAILERS = {
        **settings.MAILERS,
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}},
    }
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            survey_open(survey=survey, by=manager_x)
    finally:
        app.conf.task_always_eager = before
        proc.terminate()
        proc.wait(timeout=10)
    assert survey.invitations.filter(sent_at__isnull=False).count() == len(people) - 1
    assert survey.invitations.get(email="anna@alpha.example").sent_at is None
    assert Contact.objects.get(email="anna@alpha.example").email_undeliverable_at is not None
    assert surveys.invitation_counts(survey).pending == 1


# --- pages and scoping ----------------------------------------------------------------------------


def test_the_office_creates_edits_and_sends_through_the_pages(client, network, people, manager_x):
    client.force_login(manager_x)
    index = reverse("health_surveys:index", args=["netz-x"])
    assert "Noch keine Umfrage" in page(client.get(index))
    created = client.post(reverse("health_surveys:create", args=["netz-x"]), {"year": YEAR})
    survey = Survey.objects.get(network=network, year=YEAR)
    assert created.status_code == 302 and created["Location"] == url("detail", survey)
    twice = client.post(reverse("health_surveys:create", args=["netz-x"]), {"year": YEAR})
    assert twice.status_code == 400 and f"Für {YEAR} gibt es schon eine Umfrage." in page(twice)

    assert client.post(url("question_add", survey), {"text": "", "kind": "scale"}).status_code == 400
    assert client.post(url("question_add", survey), {"text": "Wie finden Sie die Website?", "kind": "scale"}).status_code == 302
    question = survey.questions.get(key="management")
    assert client.get(url("question_edit", survey, question.pk)).status_code == 200
    client.post(url("question_edit", survey, question.pk), {"text": "Wie zufrieden sind Sie mit der Geschäftsstelle?", "kind": "scale"})
    question.refresh_from_db()
    assert question.text == "Wie zufrieden sind Sie mit der Geschäftsstelle?"
    client.post(url("question_move", survey, question.pk, "down"))
    assert list(survey.questions.order_by("position").values_list("key", flat=True))[:2] == ["exchange", "management"]
    assert client.post(url("update", survey), {"title": "", "intro": "", "closes_on": ""}).status_code == 400
    client.post(url("update", survey), {"title": "Umfrage 2.0", "intro": "Hallo", "closes_on": (timezone.localdate() + timedelta(days=14)).isoformat()})
    survey.refresh_from_db()
    assert survey.title == "Umfrage 2.0"

    client.post(url("send", survey), {"confirm": "1"})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    detail = page(client.get(url("detail", survey)))
    assert "Erinnerung senden" in detail and "Umfrage abschließen" in detail
    for person in ("anna@alpha.example", "Adler", "member_a_x@example.org"):  # nobody is named on the office's pages
        assert person not in detail
    listed = page(client.get(index))
    assert "Umfrage 2.0" in listed and f'data-label="Eingeladen">{len(people)}</td>' in listed
    refused = client.post(url("remind", survey), follow=True)
    assert "noch keine 7 Tage her" in page(refused)
    assert not survey.invitations.filter(reminded_at__isnull=False).exists()  # too early: refused with a message
    client.post(url("close", survey))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


def test_a_manager_of_another_network_gets_404_everywhere(client, survey, people, manager_x, manager_y, world):
    tokens = opened(survey, manager_x)
    for token in tokens[:3]:
        survey_answer(token=token, answers=answers(survey, 5, 5, 5, 5, 5))
    client.force_login(manager_y)
    for name in ("detail", "results", "results_csv", "send"):
        assert client.get(url(name, survey)).status_code == 404
        assert client.get(reverse(f"health_surveys:{name}", args=["netz-y", survey.pk])).status_code == 404  # X's survey under Y's address
    for name in ("remind", "close", "delete"):
        assert client.post(url(name, survey)).status_code == 404
        assert client.post(reverse(f"health_surveys:{name}", args=["netz-y", survey.pk])).status_code == 404
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_the_admin_shows_no_token_hash(client, survey, people, manager_x, world):
    survey_open(survey=survey, by=manager_x)
    invitation = survey.invitations.first()
    client.force_login(world.users["staff"])
    shown = page(client.get(reverse("admin:health_surveyinvitation_change", args=[invitation.pk])))
    assert invitation.token_hash not in shown
    assert "token_hash" not in shown and "Token" not in shown


# --- DSGVO ----------------------------------------------------------------------------------------


def test_the_data_export_lists_the_invitations_but_no_answer(survey, people, manager_x, world):
    token = links_after_open(survey, manager_x)["anna@alpha.example"]
    survey_answer(token=token, answers=answers(survey, 2, 2, 2, 2, 2, text="EXPORT-GEHEIM"))
    data = organisation_data_export(organisation=world.org_a)
    rows = {row["email"]: row for row in data["survey_invitations"]}
    assert set(rows) == {"member_a_x@example.org", "anna@alpha.example"}
    assert rows["anna@alpha.example"]["answered_at"] and rows["anna@alpha.example"]["network"] == "Netzwerk X"
    assert rows["member_a_x@example.org"]["answered_at"] is None
    assert "EXPORT-GEHEIM" not in json.dumps(data, default=str)


def links_after_open(survey: Survey, manager) -> dict[str, str]:
    survey_open(survey=survey, by=manager)
    return links(survey)


def test_erasing_a_person_removes_her_from_the_invitations_and_leaves_the_answers_as_they_were(survey, people, manager_x, manager_y):
    tokens = links_after_open(survey, manager_x)
    for address in ("anna@alpha.example", "bernd@beta.example", "member_b_x@example.org"):
        survey_answer(token=tokens[address], answers=answers(survey, 4, 4, 4, 4, 4, text=f"von {address}"))
    before = [(a.response_id, a.question_id, a.score, a.text) for a in SurveyAnswer.objects.order_by("pk")]
    counts_before = surveys.invitation_counts(survey)
    anna = Contact.objects.get(email="anna@alpha.example")

    person_erase(contact=anna, by=manager_x)

    assert not SurveyInvitation.objects.filter(email__iexact="anna@alpha.example").exists()
    assert not SurveyInvitation.objects.filter(contact=anna).exists()
    anonymous = SurveyInvitation.objects.filter(survey=survey, email="")
    assert anonymous.count() == 1 and anonymous.get().contact_id is None and anonymous.get().organisation_id is None
    assert [(a.response_id, a.question_id, a.score, a.text) for a in SurveyAnswer.objects.order_by("pk")] == before  # no sheet touched
    assert surveys.invitation_counts(survey) == counts_before  # the counts stay
    assert survey_results(survey).answered == 3
    unanswered = tokens["member_a_x@example.org"]
    person_erase(contact=Contact.objects.get(email="member_a_x@example.org"), by=manager_x)
    with pytest.raises(surveys.SurveyLinkError):
        survey_answer(token=unanswered, answers=answers(survey, 1, 1, 1, 1, 1))  # an erased person's link is dead


# --- demo ---------------------------------------------------------------------------------------


def test_the_demo_has_last_years_results_and_a_running_survey(network, people, manager_x):
    contacts = list(Contact.objects.current_in(network).exclude(email=""))
    made = seed_surveys_demo(network, contacts, by=manager_x)
    assert [s.year for s in made] == [YEAR - 1, YEAR]
    last, this = Survey.objects.get(network=network, year=YEAR - 1), Survey.objects.get(network=network, year=YEAR)
    assert last.status == Survey.Status.CLOSED and survey_results(last).shown and last.responses.count() >= MIN_RESPONSES
    assert this.status == Survey.Status.OPEN and this.closes_on > timezone.localdate()
    results = survey_results(this)
    assert results.previous == last and results.answered == min(4, len(contacts))
    assert seed_surveys_demo(network, contacts, by=manager_x) == []  # a second run changes nothing


def test_the_results_of_a_draft_say_it_is_not_sent_yet_and_lead_to_sending(client, survey, manager_x):
    client.force_login(manager_x)
    shown = page(client.get(url("results", survey)))
    assert "Noch nicht versendet" in shown and "Ergebnisse erscheinen ab drei Antworten" not in shown
    assert f'href="{url("detail", survey)}"' in shown and "Fragen prüfen und versenden" in shown
