"""The yearly satisfaction survey: questions per network and year, personal single-use links, anonymous answers, aggregates.

Anonymity by design: an invitation (who was asked, with a link) and an answer sheet (`SurveyResponse`) share no key.
The link's token is made with `secrets.token_urlsafe(32)` when its mail is sent and only its SHA-256 hash is stored; a
reminder mails a fresh token (the hash is replaced, the older link stops working), so no raw token is kept anywhere,
not even in the task queue. An answer sheet records only the day it came in, never the time, so it cannot be matched
to an invitation by its timestamp. Results show only aggregates, and only from `MIN_RESPONSES` answer sheets on (per
question: from `MIN_RESPONSES` scores on); free texts are sorted alphabetically, never in the order they came in.

The API the annual report reads is `survey_results(survey) -> SurveyResults`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from health.models import SURVEY_FIELDS, SURVEY_QUESTION_FIELDS, Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse
from members.exports import write_csv
from members.models import Contact
from verbund.background import enqueue_on_commit
from verbund.mail import SmtpFailure, mail_refused_note, network_reply_to, smtp_failure
from verbund.models import Network, User
from verbund.services import save_audited

logger = logging.getLogger(__name__)

# The one threshold: aggregates (and free texts) of a survey show from this many answer sheets on, a question's mean
# and distribution from this many scores on. Below it nothing about the answers is shown anywhere.
MIN_RESPONSES = 3
REMINDER_INTERVAL = timedelta(days=7)  # a reminder at most once per this period, the first one this long after sending
MAX_QUESTIONS = 30
TEXT_MAX_LENGTH = 2000
SCORES = (1, 2, 3, 4, 5)
SEND_BATCH = 50

# The default questions (stable keys: the same question across years). Stored in the language of whoever creates the survey.
DEFAULT_QUESTIONS: tuple[tuple[str, Any, str], ...] = (
    ("management", gettext_lazy("Wie zufrieden sind Sie mit dem Netzwerkmanagement (der Geschäftsstelle)?"), SurveyQuestion.Kind.SCALE),
    ("exchange", gettext_lazy("Wie zufrieden sind Sie mit dem Austausch zwischen den Mitgliedern?"), SurveyQuestion.Kind.SCALE),
    ("meetings", gettext_lazy("Wie nützlich sind die Treffen des Verbunds für Sie?"), SurveyQuestion.Kind.SCALE),
    ("infobrief", gettext_lazy("Wie nützlich ist der Infobrief für Sie?"), SurveyQuestion.Kind.SCALE),
    ("qualification", gettext_lazy("Wie nützlich ist das Qualifizierungsprogramm für Sie?"), SurveyQuestion.Kind.SCALE),
    ("comments", gettext_lazy("Was sollten wir besser machen?"), SurveyQuestion.Kind.TEXT),
)
DEFAULT_INTRO = gettext_lazy(
    "Wie zufrieden sind Sie mit unserem Verbund? Ihre Antworten helfen der Geschäftsstelle, die Arbeit im nächsten Jahr "
    "besser zu machen. Die Antworten werden ohne Ihren Namen gespeichert; ausgewertet wird nur zusammengefasst."
)


# --- reading ---------------------------------------------------------------------------


def surveys_of(network: Network) -> QuerySet[Survey]:
    """The one scoping entry point: the surveys of one network (views fetch every survey through it)."""
    return Survey.objects.filter(network=network)


def previous_survey(survey: Survey) -> Survey | None:
    """The network's latest survey of an earlier year (the one questions are copied from and compared with)."""
    return surveys_of(survey.network).filter(year__lt=survey.year).order_by("-year").first()


def survey_accepts_answers(survey: Survey, *, today=None) -> bool:
    """Open, and its closing day (if any) not passed."""
    today = today or timezone.localdate()
    return survey.status == Survey.Status.OPEN and (survey.closes_on is None or today <= survey.closes_on)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def answer_url(token: str) -> str:
    return settings.SITE_URL + reverse("survey_public:answer", kwargs={"token": token})


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a personal link belongs to (whatever its state); None for anything unknown or malformed."""
    if not token or len(token) > 100:
        return None
    return SurveyInvitation.objects.select_related("survey__network").filter(token_hash=token_hash(token)).first()


def survey_recipients(survey: Survey) -> list[Contact]:
    """Who an opened survey invites: people of the network's current members with a deliverable address, not exited.

    One invitation per address: when several contacts share an address (info@…), the first by name is invited, so
    one mailbox never gets two links (and two votes).
    """
    contacts = (
        Contact.objects.current_in(survey.network)
        .exclude(email="")
        .filter(email_undeliverable_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )
    seen: set[str] = set()
    chosen = []
    for contact in contacts:
        address = contact.email.strip().lower()
        if address in seen:
            continue
        seen.add(address)
        chosen.append(contact)
    return chosen


@dataclass(frozen=True)
class InvitationCounts:
    invited: int
    sent: int
    pending: int  # not sent (yet): queued, or the mail server did not take it
    answered: int  # answer sheets received
    reminded: int
    last_mailing: datetime | None  # when the invitations or the last reminder went out

    @property
    def response_rate(self) -> Decimal | None:
        """Answer sheets per invited person, in percent."""
        if not self.invited:
            return None
        return (Decimal(self.answered) * 100 / self.invited).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def invitation_counts(survey: Survey) -> InvitationCounts:
    figures = survey.invitations.aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        last_reminder=Max("reminded_at"),
    )
    answered = survey.responses.count()
    mailings = [moment for moment in (survey.opened_at, figures["last_reminder"]) if moment]
    return InvitationCounts(
        invited=figures["invited"],
        sent=figures["sent"],
        pending=figures["invited"] - figures["sent"],
        answered=answered,
        reminded=figures["reminded"],
        last_mailing=max(mailings) if mailings else None,
    )


def next_reminder_at(survey: Survey, counts: InvitationCounts | None = None) -> datetime | None:
    """From when the next reminder may go out (None when the survey was never sent)."""
    counts = counts or invitation_counts(survey)
    return counts.last_mailing + REMINDER_INTERVAL if counts.last_mailing else None


# --- creating and editing (only while a draft) ------------------------------------------


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Die Fragen lassen sich nur ändern, solange die Umfrage noch nicht versendet ist."))


def _question_version(survey: Survey, *, key: str, text: str, kind: str) -> int:
    """The version a question gets: the previous year's with the same key if unchanged, one more if its text or kind changed."""
    before = previous_survey(survey)
    earlier = before.questions.filter(key=key).first() if before else None
    if earlier is None:
        return 1
    if earlier.text.strip() == text.strip() and earlier.kind == kind:
        return earlier.version
    return earlier.version + 1


@transaction.atomic
def survey_create(*, network: Network, year: int, by: User | None) -> Survey:
    """A draft survey for `year` with the previous year's questions (same keys and versions) or the default questions.

    Raises ValidationError for a year out of range or a year that already has a survey.
    """
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise ValidationError({"year": _("Bitte ein Jahr zwischen 2000 und %(last)s angeben.") % {"last": this_year + 1}})
    Network.objects.select_for_update().filter(pk=network.pk).first()  # two clicks at once: the second waits, then finds the first
    if surveys_of(network).filter(year=year).exists():
        raise ValidationError({"year": _("Für %(year)s gibt es schon eine Umfrage.") % {"year": year}})
    survey = Survey(network=network, year=year, title=_("Zufriedenheitsumfrage %(year)s") % {"year": year}, intro=str(DEFAULT_INTRO), created_by=by)
    before = previous_survey(survey)
    if before is not None and before.intro:
        survey.intro = before.intro
    save_audited(survey, by=by)
    if before is not None and before.questions.exists():
        questions = [
            SurveyQuestion(survey=survey, key=q.key, text=q.text, kind=q.kind, version=q.version, position=position)
            for position, q in enumerate(before.questions.order_by("position", "pk"), start=1)
        ]
    else:
        questions = [
            SurveyQuestion(survey=survey, key=key, text=str(text), kind=kind, version=1, position=position)
            for position, (key, text, kind) in enumerate(DEFAULT_QUESTIONS, start=1)
        ]
    SurveyQuestion.objects.bulk_create(questions)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, data: Mapping[str, Any], by: User) -> Survey:
    """Title, introduction and closing day (SURVEY_FIELDS); a closed survey stays as it was."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("Die Umfrage ist abgeschlossen."))
    closes_on = data.get("closes_on")
    if closes_on and closes_on < timezone.localdate() and survey.status == Survey.Status.OPEN:
        raise ValidationError({"closes_on": _("Der letzte Tag für Antworten darf nicht in der Vergangenheit liegen.")})
    changed = SURVEY_FIELDS.apply(survey, data)
    if changed:
        save_audited(survey, by=by, update_fields=changed)
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, by: User) -> None:
    """Only a draft can go (nobody has been asked yet)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Eine versendete Umfrage kann nicht gelöscht werden."))
    survey.delete()


def _unique_key(survey: Survey, text: str) -> str:
    base = slugify(text)[:32].strip("-") or "frage"
    taken = set(survey.questions.values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    return key


def _clean_question(data: Mapping[str, Any]) -> dict[str, Any]:
    values = SURVEY_QUESTION_FIELDS.take(data)
    text = str(values.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Bitte die Frage eingeben.")})
    kind = values.get("kind") or SurveyQuestion.Kind.SCALE
    if kind not in SurveyQuestion.Kind.values:
        raise ValidationError({"kind": _("Bitte eine Art der Antwort wählen.")})
    return {"text": text, "kind": kind}


@transaction.atomic
def question_add(*, survey: Survey, data: Mapping[str, Any], by: User) -> SurveyQuestion:
    """A new question at the end of a draft; its key comes from its text (the same text next year keeps the key)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_draft(survey)
    if survey.questions.count() >= MAX_QUESTIONS:
        raise ValidationError(_("Eine Umfrage hat höchstens %(max)s Fragen.") % {"max": MAX_QUESTIONS})
    values = _clean_question(data)
    key = _unique_key(survey, values["text"])
    position = (survey.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question = SurveyQuestion(survey=survey, key=key, position=position, version=_question_version(survey, key=key, **values), **values)
    save_audited(question, by=by)
    return question


@transaction.atomic
def question_update(*, question: SurveyQuestion, data: Mapping[str, Any], by: User | None) -> SurveyQuestion:
    """Change a draft's question; its version follows the previous year's question with the same key."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    question = SurveyQuestion.objects.get(pk=question.pk)
    values = _clean_question(data)
    changed = SURVEY_QUESTION_FIELDS.apply(question, values)
    version = _question_version(survey, key=question.key, **values)
    if version != question.version:
        question.version = version
        changed.append("version")
    if changed:
        save_audited(question, by=by, update_fields=changed)
    return question


@transaction.atomic
def question_delete(*, question: SurveyQuestion, by: User) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    SurveyQuestion.objects.filter(pk=question.pk).delete()
    _renumber(survey.questions.order_by("position", "pk"))


def _renumber(rows: Iterable[SurveyQuestion]) -> None:
    """Positions 1, 2, 3 … in the given order (only the rows that move are written)."""
    for position, question in enumerate(rows, start=1):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


@transaction.atomic
def question_move(*, question: SurveyQuestion, direction: str, by: User) -> None:
    """One place up or down in a draft (the first stays first when moved up)."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_draft(survey)
    if direction not in ("up", "down"):
        raise ValidationError(_("Unbekannte Richtung."))
    rows = list(survey.questions.order_by("position", "pk"))
    index = next((i for i, q in enumerate(rows) if q.pk == question.pk), None)
    if index is None:
        return
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)


# --- sending, reminding, closing ---------------------------------------------------------


@transaction.atomic
def survey_open(*, survey: Survey, by: User) -> int:
    """Send the survey: one invitation per recipient (survey_recipients), mailed in the background. Returns how many.

    Raises ValidationError when the survey is not a draft, has no question, or nobody can be invited.
    """
    survey = Survey.objects.select_for_update().select_related("network").get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Diese Umfrage ist schon versendet."))
    if not survey.questions.exists():
        raise ValidationError(_("Die Umfrage hat noch keine Frage."))
    if survey.closes_on and survey.closes_on < timezone.localdate():
        raise ValidationError(_("Der letzte Tag für Antworten liegt in der Vergangenheit. Bitte zuerst das Datum ändern."))
    recipients = survey_recipients(survey)
    if not recipients:
        raise ValidationError(_("Im Verbund gibt es niemanden mit einer zustellbaren E-Mail-Adresse, der eingeladen werden kann."))
    invitations_create(survey=survey, contacts=recipients)
    survey.status = Survey.Status.OPEN
    survey.opened_at = timezone.now()
    save_audited(survey, by=by, update_fields=["status", "opened_at"])
    enqueue_on_commit("health.tasks.survey_invitations_send_task", survey.pk)
    return len(recipients)


def invitations_create(*, survey: Survey, contacts: Iterable[Contact]) -> list[SurveyInvitation]:
    """One invitation row per contact (called inside survey_open's transaction, and by the demo data).

    The stored hash belongs to a token nobody ever sees: the mail that goes out makes the real one (see module doc).
    """
    rows = [
        SurveyInvitation(survey=survey, contact=c, organisation_id=c.organisation_id, email=c.email.strip(), token_hash=token_hash(new_token()))
        for c in contacts
    ]
    return SurveyInvitation.objects.bulk_create(rows)


@transaction.atomic
def survey_send_pending(*, survey: Survey, by: User) -> int:
    """Try the invitations again whose mail has not gone out (the mail server was away or refused for the moment)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey_accepts_answers(survey):
        raise ValidationError(_("Die Umfrage läuft nicht."))
    pending = survey.invitations.filter(sent_at__isnull=True).exclude(email="").count()
    if pending:
        enqueue_on_commit("health.tasks.survey_invitations_send_task", survey.pk)
    return pending


@transaction.atomic
def survey_remind(*, survey: Survey, by: User) -> int:
    """Remind everyone invited who has not answered, with a fresh link; at most once per REMINDER_INTERVAL. Returns how many.

    The rows are marked here (reminded_at = the moment of the request) and the task sends to the rows still
    carrying that mark, replacing it with the moment their mail went out: a second delivery of the task sends nothing twice.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey_accepts_answers(survey):
        raise ValidationError(_("Die Umfrage läuft nicht (mehr); Erinnerungen sind nur während der Laufzeit möglich."))
    now = timezone.now()
    due = next_reminder_at(survey)
    if due is not None and now < due:
        raise ValidationError(
            _("Die letzte E-Mail zu dieser Umfrage ist noch keine %(days)s Tage her. Die nächste Erinnerung ist ab %(date)s möglich.")
            % {"days": REMINDER_INTERVAL.days, "date": timezone.localtime(due).strftime("%d.%m.%Y %H:%M")}
        )
    targets = (
        survey.invitations.filter(sent_at__isnull=False, answered_at__isnull=True).exclude(email="").exclude(contact__email_undeliverable_at__isnull=False)
    )
    count = targets.update(reminded_at=now)
    if not count:
        raise ValidationError(_("Es gibt niemanden zu erinnern: Alle Eingeladenen haben geantwortet oder sind nicht erreichbar."))
    enqueue_on_commit("health.tasks.survey_reminders_send_task", survey.pk, now.isoformat())
    return count


@transaction.atomic
def survey_close(*, survey: Survey, by: User) -> Survey:
    """End the survey: links answer "abgeschlossen" from now on. Only a running survey can be closed."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Nur eine laufende Umfrage kann abgeschlossen werden."))
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    save_audited(survey, by=by, update_fields=["status", "closed_at"])
    return survey


def _render_mail(name: str, *, to: str, context: dict[str, Any], network: Network) -> EmailMultiAlternatives:
    """The triplet templates/health/mail/<name>-subject.txt, -body.txt, -body.html (as verbund.mail.render_mail builds it)."""
    subject = " ".join(render_to_string(f"health/mail/{name}-subject.txt", context).split())
    body = render_to_string(f"health/mail/{name}-body.txt", context)
    html = render_to_string(f"health/mail/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], reply_to=network_reply_to(network))
    message.attach_alternative(html, "text/html")
    return message


def _mail_rows(*, survey: Survey, pks: Sequence[int], pending: Q, kind: str, mark: str) -> int:
    """Mail each row of `pks` that still matches `pending`, with a fresh token; set `mark` to the moment it went out.

    Batches are locked (SKIP LOCKED: a second worker takes other rows, an answer waits) and marked in one
    transaction. A refusal (5xx) marks the address as undeliverable on the person (verbund.mail.mail_refused_note);
    the row stays unsent. Every row is tried once per run.
    """
    sent = 0
    for chunk in batched(pks, SEND_BATCH, strict=False):
        with transaction.atomic():
            rows = list(SurveyInvitation.objects.select_for_update(skip_locked=True, of=("self",)).filter(pending, pk__in=chunk).select_related("contact"))
            if not rows:
                continue
            connection = mailers["default"]
            connection.open()
            try:
                for row in rows:
                    token = new_token()
                    context = {"survey": survey, "network": survey.network, "contact": row.contact, "url": answer_url(token)}
                    try:
                        connection.send_messages([_render_mail(kind, to=row.email, context=context, network=survey.network)])
                    except Exception as exc:  # noqa: BLE001 – one bad address must not stop the others
                        failure = smtp_failure(exc) if isinstance(exc, OSError) else SmtpFailure(None, f"{type(exc).__name__}: {exc}", True)
                        logger.warning("Survey mail for invitation %s failed: %s", row.pk, failure.error)
                        if failure.permanent and failure.code is not None:
                            mail_refused_note(addresses=[row.email], reason=failure.error)
                        continue
                    row.token_hash = token_hash(token)
                    setattr(row, mark, timezone.now())
                    row.save(update_fields=["token_hash", mark])
                    sent += 1
            finally:
                connection.close()
    return sent


def survey_invitations_send(*, survey_id: int) -> int:
    """Mail the unsent invitations of a running survey (the task's body; idempotent: sent rows are skipped)."""
    survey = Survey.objects.select_related("network").filter(pk=survey_id).first()
    if survey is None or not survey_accepts_answers(survey):
        return 0
    pending = Q(sent_at__isnull=True, answered_at__isnull=True)
    pks = list(survey.invitations.filter(pending).exclude(email="").order_by("pk").values_list("pk", flat=True))
    return _mail_rows(survey=survey, pks=pks, pending=pending, kind="survey_invitation", mark="sent_at")


def survey_reminders_send(*, survey_id: int, requested_at: str) -> int:
    """Mail the reminders requested at `requested_at` (ISO) to the rows still marked with it and not answered."""
    survey = Survey.objects.select_related("network").filter(pk=survey_id).first()
    if survey is None or not survey_accepts_answers(survey):
        return 0
    pending = Q(reminded_at=datetime.fromisoformat(requested_at), answered_at__isnull=True)
    pks = list(survey.invitations.filter(pending).exclude(email="").order_by("pk").values_list("pk", flat=True))
    return _mail_rows(survey=survey, pks=pks, pending=pending, kind="survey_reminder", mark="reminded_at")


# --- answering ---------------------------------------------------------------------------


class SurveyLinkError(ValidationError):
    """The link cannot be answered (any more): `code` is "unknown", "answered" or "closed"."""


def _clean_answers(questions: Sequence[SurveyQuestion], answers: Mapping[str, Any]) -> list[tuple[SurveyQuestion, int | None, str]]:
    """(question, score, text) per question; every scale question needs a score 1–5 or None ("keine Angabe")."""
    unknown = set(answers) - {q.key for q in questions}
    if unknown:
        raise ValidationError(_("Die Antworten passen nicht zu den Fragen dieser Umfrage. Bitte laden Sie die Seite neu."))
    errors: dict[str, list[str]] = {}
    cleaned = []
    for question in questions:
        if question.kind == SurveyQuestion.Kind.SCALE:
            if question.key not in answers:
                errors[question.key] = [_("Bitte wählen Sie eine Antwort (oder „keine Angabe“).")]
                continue
            score = answers[question.key]
            if score is not None and (isinstance(score, bool) or not isinstance(score, int) or score not in SCORES):
                errors[question.key] = [_("Bitte wählen Sie einen Wert von 1 bis 5.")]
                continue
            cleaned.append((question, score, ""))
        else:
            text = answers.get(question.key) or ""
            if not isinstance(text, str):
                errors[question.key] = [_("Bitte geben Sie Text ein.")]
                continue
            text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()
            if len(text) > TEXT_MAX_LENGTH:
                errors[question.key] = [_("Bitte höchstens %(max)s Zeichen.") % {"max": TEXT_MAX_LENGTH}]
                continue
            if text:
                cleaned.append((question, None, text))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def survey_answer(*, token: str, answers: Mapping[str, Any]) -> SurveyResponse:
    """Store one anonymous answer sheet and use the link up, in one transaction; nothing is stored when anything is wrong.

    `answers` maps question keys to a score 1–5 or None ("keine Angabe") for scale questions and to text for free-text
    questions. Raises SurveyLinkError (code "unknown", "answered", "closed") or ValidationError (per key) for bad answers.
    The sheet keeps no trace of the invitation: not its id, not the time (only the day).
    """
    if not token or len(token) > 100:
        raise SurveyLinkError(_("Dieser Link ist ungültig."), code="unknown")
    invitation = SurveyInvitation.objects.select_for_update(of=("self",)).select_related("survey").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise SurveyLinkError(_("Dieser Link ist ungültig."), code="unknown")
    survey = invitation.survey
    if invitation.answered_at is not None:
        raise SurveyLinkError(_("Diese Umfrage wurde mit diesem Link bereits beantwortet."), code="answered")
    if not survey_accepts_answers(survey):
        raise SurveyLinkError(_("Diese Umfrage ist abgeschlossen."), code="closed")
    cleaned = _clean_answers(list(survey.questions.order_by("position", "pk")), answers)
    today = timezone.localdate()
    day = timezone.make_aware(datetime.combine(today, time.min))
    response = SurveyResponse.objects.create(survey=survey, submitted_at=day)
    SurveyAnswer.objects.bulk_create([SurveyAnswer(response=response, question=q, score=score, text=text) for q, score, text in cleaned])
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answered_at"])
    return response


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCount:
    score: int
    count: int
    share: Decimal  # percent of the question's scores, one decimal


@dataclass(frozen=True)
class QuestionResult:
    """One question's aggregate. Everything about answers is empty/None unless `shown`."""

    key: str
    text: str
    kind: str
    version: int
    n: int  # scale: scores 1–5 given; text: texts given
    abstained: int  # scale: "keine Angabe"
    shown: bool  # the survey has MIN_RESPONSES answer sheets and (scale) this question MIN_RESPONSES scores
    mean: Decimal | None  # two decimals
    distribution: tuple[ScoreCount, ...]  # scores 1..5
    texts: tuple[str, ...]  # free texts, alphabetically
    previous_text: str | None  # the previous year's question with this key (None: new this year)
    previous_mean: Decimal | None  # None unless the previous survey and its question reached the threshold
    previous_n: int | None
    changed: bool  # its version or kind differs from last year's: "Frage geändert"

    @property
    def is_scale(self) -> bool:
        return self.kind == SurveyQuestion.Kind.SCALE

    @property
    def is_new(self) -> bool:
        return self.previous_text is None

    @property
    def delta(self) -> Decimal | None:
        """Now minus then, when both means show."""
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


@dataclass(frozen=True)
class SurveyResults:
    """What `survey_results` returns. With fewer than MIN_RESPONSES answer sheets, `questions` is empty and `shown` False."""

    survey: Survey
    invited: int
    answered: int  # answer sheets received
    shown: bool
    questions: tuple[QuestionResult, ...] = ()
    previous: Survey | None = None
    previous_answered: int = 0
    previous_shown: bool = False  # the previous year's survey reached the threshold too
    threshold: int = MIN_RESPONSES

    @property
    def response_rate(self) -> Decimal | None:
        if not self.invited:
            return None
        return (Decimal(self.answered) * 100 / self.invited).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def threshold_message(self) -> str:
        return threshold_message()

    @property
    def scale_questions(self) -> tuple[QuestionResult, ...]:
        return tuple(q for q in self.questions if q.is_scale)

    @property
    def text_questions(self) -> tuple[QuestionResult, ...]:
        return tuple(q for q in self.questions if not q.is_scale)


def threshold_message() -> str:
    """What shows instead of results below the threshold: "Ergebnisse erscheinen ab drei Antworten."."""
    words = {2: _("zwei"), 3: _("drei"), 4: _("vier"), 5: _("fünf")}
    return _("Ergebnisse erscheinen ab %(count)s Antworten.") % {"count": words.get(MIN_RESPONSES, str(MIN_RESPONSES))}


def _mean(counts: Mapping[int, int]) -> Decimal | None:
    n = sum(counts.values())
    if not n:
        return None
    return (Decimal(sum(score * count for score, count in counts.items())) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _score_counts(survey: Survey) -> dict[int, dict[int | None, int]]:
    """question pk → {score or None: count} for one survey (one query)."""
    found: dict[int, dict[int | None, int]] = {}
    rows = SurveyAnswer.objects.filter(response__survey=survey, question__kind=SurveyQuestion.Kind.SCALE).values("question_id", "score").annotate(n=Count("pk"))
    for row in rows:
        found.setdefault(row["question_id"], {})[row["score"]] = row["n"]
    return found


def _previous_means(previous: Survey) -> dict[str, tuple[str, str, int, Decimal | None, int]]:
    """key → (text, kind, version, mean or None, n) of the previous survey; means only where the thresholds are met."""
    shown = previous.responses.count() >= MIN_RESPONSES
    counts = _score_counts(previous) if shown else {}
    found = {}
    for question in previous.questions.all():
        scores = {s: c for s, c in counts.get(question.pk, {}).items() if s is not None}
        n = sum(scores.values())
        mean = _mean(scores) if shown and question.kind == SurveyQuestion.Kind.SCALE and n >= MIN_RESPONSES else None
        found[question.key] = (question.text, question.kind, question.version, mean, n)
    return found


def survey_results(survey: Survey) -> SurveyResults:
    """The aggregates of one survey, with the previous year's means per question key.

    Nothing about answers (no counts per option, no mean, no free text) is in the result unless the survey has at
    least MIN_RESPONSES answer sheets; a scale question's mean and distribution need MIN_RESPONSES scores too. The
    previous year's mean shows only when that survey and its question met the same thresholds. `changed` marks a
    question whose version (text) or kind differs from the previous year's question with the same key.
    """
    invited = survey.invitations.count()
    answered = survey.responses.count()
    before = previous_survey(survey)
    previous_answered = before.responses.count() if before else 0
    base = {
        "survey": survey,
        "invited": invited,
        "answered": answered,
        "previous": before,
        "previous_answered": previous_answered,
        "previous_shown": before is not None and previous_answered >= MIN_RESPONSES,
    }
    if answered < MIN_RESPONSES:
        return SurveyResults(shown=False, **base)
    counts = _score_counts(survey)
    earlier = _previous_means(before) if before else {}
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        SurveyAnswer.objects.filter(response__survey=survey, question__kind=SurveyQuestion.Kind.TEXT).exclude(text="").values_list("question_id", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    results = []
    for question in survey.questions.order_by("position", "pk"):
        then = earlier.get(question.key)
        if question.kind == SurveyQuestion.Kind.SCALE:
            given = counts.get(question.pk, {})
            scores = {s: given.get(s, 0) for s in SCORES}
            n = sum(scores.values())
            shown = n >= MIN_RESPONSES
            distribution = (
                tuple(ScoreCount(s, scores[s], (Decimal(scores[s]) * 100 / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) for s in SCORES)
                if shown
                else ()
            )
            results.append(
                QuestionResult(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    version=question.version,
                    n=n,
                    abstained=given.get(None, 0) if shown else 0,
                    shown=shown,
                    mean=_mean(scores) if shown else None,
                    distribution=distribution,
                    texts=(),
                    previous_text=then[0] if then else None,
                    previous_mean=then[3] if then else None,
                    previous_n=then[4] if then else None,
                    changed=bool(then) and (then[2] != question.version or then[1] != question.kind),
                )
            )
        else:
            given_texts = sorted(texts.get(question.pk, []), key=str.casefold)
            results.append(
                QuestionResult(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    version=question.version,
                    n=len(given_texts),
                    abstained=0,
                    shown=True,
                    mean=None,
                    distribution=(),
                    texts=tuple(given_texts),
                    previous_text=then[0] if then else None,
                    previous_mean=None,
                    previous_n=None,
                    changed=bool(then) and (then[2] != question.version or then[1] != question.kind),
                )
            )
    return SurveyResults(shown=True, questions=tuple(results), **base)


def results_csv(results: SurveyResults) -> bytes:
    """The aggregates for German Excel (UTF-8 with BOM, ';'): one row per scale question. Free texts are not exported."""
    headers = [
        _("Schlüssel"),
        _("Frage"),
        _("Fassung"),
        _("Bewertungen"),
        _("Keine Angabe"),
        _("Mittelwert"),
        *[_("Anzahl %(score)s") % {"score": s} for s in SCORES],
        _("Mittelwert Vorjahr"),
        _("Bewertungen Vorjahr"),
        _("Frage geändert"),
    ]
    rows: list[list[Any]] = []
    if results.shown:
        for q in results.scale_questions:
            counts = {c.score: c.count for c in q.distribution}
            rows.append(
                [
                    q.key,
                    q.text,
                    q.version,
                    q.n,
                    q.abstained if q.shown else None,
                    q.mean,
                    *[counts.get(s) if q.shown else None for s in SCORES],
                    q.previous_mean,
                    q.previous_n if q.previous_mean is not None else None,
                    _("ja") if q.changed else _("nein"),
                ]
            )
    return write_csv(headers, rows)
