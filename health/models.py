"""Network health: satisfaction surveys, periodic member reports and the annual report.

The indicators themselves are computed from the other apps' data (`health/indicators.py`) and stored nowhere.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Contact, Organisation
from verbund.fieldsets import FieldSet
from verbund.models import Network, User


class Survey(models.Model):
    """The yearly satisfaction survey of one network. Its questions are its own copy (versioned by `key`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        OPEN = "open", _("Läuft")
        CLOSED = "closed", _("Abgeschlossen")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="surveys")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    title = models.CharField(_("Titel"), max_length=200)
    intro = models.TextField(_("Einleitung"), blank=True, help_text=_("Steht über den Fragen und in der Einladung."))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    closes_on = models.DateField(_("Antworten bis"), null=True, blank=True)
    opened_at = models.DateTimeField(_("Versendet am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zufriedenheitsumfrage")
        verbose_name_plural = _("Zufriedenheitsumfragen")
        ordering = ["network", "-year"]
        constraints = [models.UniqueConstraint(fields=["network", "year"], name="one_survey_per_network_and_year")]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class SurveyQuestion(models.Model):
    """One question of one survey. `key` ties the same question across years; `version` rises when its text changed."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("Skala 1–5")
        TEXT = "text", _("Freitext")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("Schlüssel"), max_length=40, help_text=_("Verbindet dieselbe Frage über die Jahre."))
    text = models.CharField(_("Frage"), max_length=300)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    version = models.PositiveSmallIntegerField(_("Fassung"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["survey", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="unique_question_key_per_survey")]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """The personal link of one contact. Only its hash is stored; it is used up by the answer.

    The answer (`SurveyResponse`) carries no link back to the invitation, so no one can tell who answered what.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(_("E-Mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("Gesendet am"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    answered_at = models.DateTimeField(_("Beantwortet am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Einladung zur Umfrage")
        verbose_name_plural = _("Einladungen zur Umfrage")
        constraints = [models.UniqueConstraint(fields=["survey", "contact"], name="one_invitation_per_contact", condition=Q(contact__isnull=False))]

    def __str__(self) -> str:
        return self.email


class SurveyResponse(models.Model):
    """One anonymous answer sheet."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(_("Eingegangen am"))

    class Meta:
        verbose_name = _("Antwortbogen")
        verbose_name_plural = _("Antwortbögen")

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("Wert"), null=True, blank=True)
    text = models.TextField(_("Text"), blank=True)

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_survey_answer_per_question"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_between_1_and_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score or self.text[:30]}"


class ReportRequest(models.Model):
    """The office asks a group of members for a short report every quarter or year (e.g. the member municipalities)."""

    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("Vierteljährlich")
        YEARLY = "yearly", _("Jährlich")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="report_requests")
    title = models.CharField(_("Titel"), max_length=200, help_text=_("z. B. „Bericht der Mitgliedskommunen“"))
    instructions = models.TextField(_("Hinweise"), blank=True)
    prompts = models.TextField(_("Fragen"), help_text=_("Eine Frage je Zeile; jede bekommt ein eigenes Textfeld."))
    cadence = models.CharField(_("Turnus"), max_length=20, choices=Cadence.choices, default=Cadence.YEARLY)
    due_days = models.PositiveSmallIntegerField(_("Frist (Tage nach Periodenende)"), default=30)
    organisations = models.ManyToManyField(Organisation, verbose_name=_("Berichtende Mitglieder"), related_name="+", blank=True)
    active = models.BooleanField(_("Aktiv"), default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Berichtsanfrage")
        verbose_name_plural = _("Berichtsanfragen")
        ordering = ["network", "title"]

    def __str__(self) -> str:
        return self.title

    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]


class ReportPeriod(models.Model):
    """One period of a report request (a quarter or a year) with its due date."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    quarter = models.PositiveSmallIntegerField(_("Quartal"), null=True, blank=True)
    starts_on = models.DateField(_("von"))
    ends_on = models.DateField(_("bis"))
    due_on = models.DateField(_("Fällig am"))
    opened_at = models.DateTimeField(_("Angefragt am"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Berichtszeitraum")
        verbose_name_plural = _("Berichtszeiträume")
        ordering = ["request", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["request", "starts_on"], name="one_period_per_start")]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}" if self.quarter else str(self.year)


class MemberReport(models.Model):
    """One member's report for one period: the answers to the prompts, as they stood when it was sent."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("Antworten"), default=list, help_text=_("Liste aus {prompt, text}."))
    submitted_at = models.DateTimeField(_("Eingereicht am"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Mitgliederbericht")
        verbose_name_plural = _("Mitgliederberichte")
        constraints = [models.UniqueConstraint(fields=["period", "organisation"], name="one_report_per_member_and_period")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.period}"


class AnnualReport(models.Model):
    """The Jahresbericht of one network and year: the foreword is written here, the PDF is rendered in the background."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PENDING = "pending", _("Angefordert")
        RENDERING = "rendering", _("Wird erstellt")
        READY = "ready", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    foreword = models.TextField(_("Vorwort"), blank=True, help_text=_("Absätze durch Leerzeilen trennen."))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    file = models.FileField(upload_to="annual_reports/%Y/", blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(_("Erstellt am"), null=True, blank=True)
    error = models.TextField(blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Jahresbericht")
        verbose_name_plural = _("Jahresberichte")
        ordering = ["network", "-year"]
        constraints = [models.UniqueConstraint(fields=["network", "year"], name="one_annual_report_per_year")]

    def __str__(self) -> str:
        return f"{self.network} {self.year}"


SURVEY_FIELDS = FieldSet(
    Survey, names=("title", "intro", "closes_on"), internal=("network", "year", "status", "opened_at", "closed_at", "created_by", "created_at", "updated_at")
)
SURVEY_QUESTION_FIELDS = FieldSet(SurveyQuestion, names=("text", "kind"), internal=("survey", "key", "version", "position"))
REPORT_REQUEST_FIELDS = FieldSet(
    ReportRequest,
    names=("title", "instructions", "prompts", "cadence", "due_days", "organisations", "active"),
    internal=("network", "created_by", "created_at", "updated_at"),
)
ANNUAL_REPORT_FIELDS = FieldSet(
    AnnualReport, names=("foreword",), internal=("network", "year", "status", "file", "requested_at", "rendered_at", "error", "updated_by", "updated_at")
)
