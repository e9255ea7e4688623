"""Practice projects (Praxis-Verbund-Projekte) and their decision papers (issue 19).

A project is a network of its own (`Network.Kind.PRACTICE_PROJECT`) under its parent network, so that members,
meetings, minutes, action items and Infobriefe work for it unchanged; `Project` holds what only a project has.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation
from verbund.fieldsets import FieldSet
from verbund.models import Network, User


class ProjectQuerySet(models.QuerySet["Project"]):
    def of_parent(self, network: Network) -> ProjectQuerySet:
        """The projects started from `network` (the parent's projects page)."""
        return self.filter(parent=network, network__archived_at__isnull=True)

    def for_member(self, organisation: Organisation) -> ProjectQuerySet:
        """The projects an organisation takes part in (the member portal): it is a current member of the project
        network (participants are made members when they join, and leave it when they are taken out)."""
        return self.filter(network__in=Network.objects.joined_by(organisation))


class Project(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idee")
        PREPARING = "preparing", _("In Vorbereitung")
        RUNNING = "running", _("Laufend")
        FINISHED = "finished", _("Abgeschlossen")
        DROPPED = "dropped", _("Eingestellt")

    network = models.OneToOneField(Network, verbose_name=_("Projektverbund"), on_delete=models.CASCADE, related_name="project")
    parent = models.ForeignKey(Network, verbose_name=_("Gestartet aus"), on_delete=models.CASCADE, related_name="started_projects")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.IDEA)
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    finished_on = models.DateField(_("Abgeschlossen am"), null=True, blank=True)
    funding_programme = models.CharField(
        _("Förderprogramm"), max_length=200, blank=True, help_text=_("Wofür ein Förderantrag gestellt wird, z. B. „ZIM Kooperationsprojekt“.")
    )
    funding_deadline = models.DateField(_("Frist des Förderantrags"), null=True, blank=True, help_text=_("Bis wann der Antrag eingereicht sein muss."))
    summary = models.TextField(_("Zusammenfassung"), blank=True, help_text=_("Was das Projekt erreicht hat; steht auf der Zusammenfassung."))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("Praxis-Verbund-Projekt")
        verbose_name_plural = _("Praxis-Verbund-Projekte")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(starts_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.network.name


class ProjectParticipant(models.Model):
    """A member organisation of the parent taking part in the project, with its role there."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Projektleitung")
        PARTNER = "partner", _("Projektpartner")
        PILOT = "pilot", _("Pilotanwender")
        ADVISOR = "advisor", _("Beratend")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField(_("Rolle im Projekt"), max_length=20, choices=Role.choices, default=Role.PARTNER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Projektbeteiligung")
        verbose_name_plural = _("Projektbeteiligungen")
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="unique_project_participant")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


def _project_file_path(instance: ProjectLink, filename: str) -> str:
    return f"projects/{instance.project_id}/{filename}"


class ProjectLink(models.Model):
    """A document (PDF, checked on upload), link or note of the project's documentation."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("Titel"), max_length=200)
    url = models.URLField(_("Link"), blank=True)
    note = models.TextField(_("Notiz"), blank=True)
    file = models.FileField(_("Datei (PDF)"), upload_to=_project_file_path, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Projektdokument")
        verbose_name_plural = _("Projektdokumente")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class DecisionPaper(models.Model):
    """An Entscheidungsvorlage: a question, options with pros and cons, the decision. Decided papers are frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        DECIDED = "decided", _("Entschieden")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="decision_papers")
    title = models.CharField(_("Titel"), max_length=200)
    question = models.TextField(_("Frage"))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    decision = models.TextField(_("Entscheidung"), blank=True)
    decided_by = models.CharField(_("Entschieden von"), max_length=300, blank=True, help_text=_("z. B. „Lenkungskreis des Projekts“."))
    decided_on = models.DateField(_("Entschieden am"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("Erfasst von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("Erfasst am"), null=True, blank=True)
    supersedes = models.ForeignKey("self", verbose_name=_("Ersetzt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Entscheidungsvorlage")
        verbose_name_plural = _("Entscheidungsvorlagen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.DECIDED


class DecisionOption(models.Model):
    paper = models.ForeignKey(DecisionPaper, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("Option"), max_length=200)
    pros = models.TextField(_("Dafür spricht"), blank=True)
    cons = models.TextField(_("Dagegen spricht"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Option")
        verbose_name_plural = _("Optionen")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


PROJECT_FIELDS = FieldSet(
    Project,
    names=("status", "starts_on", "ends_on", "funding_programme", "funding_deadline", "summary"),
    internal=("network", "parent", "finished_on", "created_by", "created_at", "updated_at"),
)
# The file comes through projects.project_link_add (verbund.uploads.clean_pdf), never through a model form.
PROJECT_LINK_FIELDS = FieldSet(ProjectLink, names=("title", "url", "note"), internal=("project", "created_by", "created_at", "file", "size"))
DECISION_PAPER_FIELDS = FieldSet(
    DecisionPaper,
    names=("title", "question"),
    internal=(
        "project",
        "status",
        "decision",
        "decided_by",
        "decided_on",
        "recorded_by",
        "recorded_at",
        "supersedes",
        "created_by",
        "created_at",
        "updated_at",
    ),
)
DECISION_OPTION_FIELDS = FieldSet(DecisionOption, names=("title", "pros", "cons"), internal=("paper", "position"))
