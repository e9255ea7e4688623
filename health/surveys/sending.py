"""Who is invited, sending the personal links in the background, reminders, closing; the counts the office sees."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from health.models import Survey, SurveyInvitation
from health.surveys.common import REMINDER_INTERVAL, SEND_BATCH, answer_url, new_token, survey_accepts_answers, token_hash
from members.models import Contact
from verbund.background import enqueue_on_commit
from verbund.mail import SmtpFailure, mail_refused_note, network_reply_to, smtp_failure
from verbund.models import User
from verbund.services import save_audited

logger = logging.getLogger(__name__)


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


def _render_mail(name: str, *, to: str, context: dict[str, Any], reply_to: list[str]) -> EmailMultiAlternatives:
    """The triplet templates/health/mail/<name>-subject.txt, -body.txt, -body.html (as verbund.mail.render_mail builds it)."""
    subject = " ".join(render_to_string(f"health/mail/{name}-subject.txt", context).split())
    body = render_to_string(f"health/mail/{name}-body.txt", context)
    html = render_to_string(f"health/mail/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    return message


def _mail_rows(*, survey: Survey, pks: Sequence[int], pending: Q, kind: str, mark: str) -> int:
    """Mail each row of `pks` that still matches `pending`, with a fresh token; set `mark` to the moment it went out.

    Batches are locked (SKIP LOCKED: a second worker takes other rows, an answer waits) and marked in one
    transaction. A refusal (5xx) marks the address as undeliverable on the person (verbund.mail.mail_refused_note);
    the row stays unsent. Every row is tried once per run.
    """
    sent = 0
    reply_to = network_reply_to(survey.network)  # the office: replies with questions reach it
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
                    context = {"survey": survey, "network": survey.network, "contact": row.contact, "url": answer_url(token), "reply_to": reply_to}
                    try:
                        connection.send_messages([_render_mail(kind, to=row.email, context=context, reply_to=reply_to)])
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
