"""The office's contact log and acquisition (issue 19): what the office did with an organisation, and where a
prospect stands on its way to membership."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Contact, Membership, Organisation
from verbund.fieldsets import FieldSet
from verbund.models import Network, User


class ContactLogQuerySet(models.QuerySet["ContactLogEntry"]):
    def for_network(self, network: Network) -> ContactLogQuerySet:
        return self.filter(network=network)

    def open_steps(self) -> ContactLogQuerySet:
        """Entries with a next step that has a due date and is not done."""
        return self.filter(next_step_due__isnull=False, next_step_done_at__isnull=True)


class ContactLogEntry(models.Model):
    """One call, visit, first talk or e-mail of the office with an organisation, with the next step it agreed."""

    class Kind(models.TextChoices):
        CALL = "call", _("Anruf")
        VISIT = "visit", _("Besuch")
        FIRST_TALK = "first_talk", _("Erstgespräch")
        EMAIL = "email", _("E-Mail")
        OTHER = "other", _("Sonstiges")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="contact_log")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="contact_log")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.CALL)
    office_user = models.ForeignKey(User, verbose_name=_("Wer in der Geschäftsstelle"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    happened_on = models.DateField(_("Wann"))
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("Mit wem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_log",
        help_text=_("Optional: eine Person der Organisation"),
    )
    summary = models.TextField(_("Was"))
    next_step = models.CharField(_("Nächster Schritt"), max_length=300, blank=True)
    next_step_due = models.DateField(_("Nächster Schritt bis"), null=True, blank=True)
    next_step_done_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ContactLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kontaktnotiz")
        verbose_name_plural = _("Kontaktprotokoll")
        ordering = ["-happened_on", "-pk"]
        indexes = [
            # The open next steps of "Heute zu tun" without reading the whole log.
            models.Index(
                fields=["network", "next_step_due"], condition=Q(next_step_done_at__isnull=True, next_step_due__isnull=False), name="contactlog_open_step_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.organisation} ({self.happened_on})"

    @property
    def step_open(self) -> bool:
        return bool(self.next_step_due) and self.next_step_done_at is None


CONTACT_LOG_FIELDS = FieldSet(
    ContactLogEntry,
    names=("kind", "happened_on", "contact", "summary", "next_step", "next_step_due"),
    internal=("network", "organisation", "office_user", "next_step_done_at", "created_at", "updated_at"),
)


class Prospect(models.Model):
    """The acquisition side of a membership with status "Interessent" (members.Membership.Status.PROSPECT): the stage
    on the way to membership, where the contact came from and who in the office looks after it.

    No parallel organisation list: the prospect *is* the membership; winning it moves the membership to "Aktiv"
    through members.services.membership_change_status."""

    class Stage(models.TextChoices):
        LEAD = "lead", _("Interessent")
        FIRST_TALK = "first_talk", _("Erstgespräch")
        OFFER = "offer", _("Angebot/Beitrittsunterlagen")
        WON = "won", _("Mitglied")
        DECLINED = "declined", _("Abgesagt")

    class Source(models.TextChoices):
        EVENT = "event", _("Veranstaltung")
        RECOMMENDATION = "recommendation", _("Empfehlung")
        WEBSITE = "website", _("Website/Anfrage")
        FAIR = "fair", _("Messe")
        OFFICE = "office", _("Ansprache durch die Geschäftsstelle")
        OTHER = "other", _("Sonstiges")

    membership = models.OneToOneField(Membership, verbose_name=_("Mitgliedschaft"), on_delete=models.CASCADE, related_name="prospect")
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="prospects")
    stage = models.CharField(_("Stufe"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    source = models.CharField(_("Quelle"), max_length=20, choices=Source.choices, default=Source.OTHER)
    owner = models.ForeignKey(User, verbose_name=_("Zuständig in der Geschäftsstelle"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(_("Bemerkungen"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Interessent")
        verbose_name_plural = _("Interessenten")
        ordering = ["network", "-updated_at"]

    def __str__(self) -> str:
        return f"{self.membership.organisation} ({self.get_stage_display()})"


class ProspectStep(models.Model):
    """One step of a prospect from stage to stage, with the day and who moved it: the pipeline's history."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="steps")
    from_stage = models.CharField(_("von"), max_length=20, choices=Prospect.Stage.choices, blank=True)
    to_stage = models.CharField(_("nach"), max_length=20, choices=Prospect.Stage.choices)
    on = models.DateField(_("am"))
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Schritt im Akquiseweg")
        verbose_name_plural = _("Schritte im Akquiseweg")
        ordering = ["prospect", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.prospect}: {self.from_stage or '–'} → {self.to_stage} ({self.on})"


PROSPECT_FIELDS = FieldSet(
    Prospect,
    names=("source", "owner", "notes"),
    internal=("membership", "network", "stage", "created_at", "updated_at"),
)
