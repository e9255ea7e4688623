"""Meetings of a network (Arbeits- und Koordinierungstreffen, workshops, site visits …) from invitation to documentation."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Contact
from verbund.fieldsets import FieldSet
from verbund.models import IMPRINT_NAMES, ImprintFields, LogoFields, Network, User


class MeetingSeries(models.Model):
    """Recurring meetings of a network, e.g. the quarterly Koordinierungstreffen; a new one starts from the last."""

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="meeting_series")
    name = models.CharField(_("Name"), max_length=200)

    class Meta:
        verbose_name = _("Treffenreihe")
        verbose_name_plural = _("Treffenreihen")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="unique_series_name")]

    def __str__(self) -> str:
        return self.name


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_network(self, network: Network) -> MeetingQuerySet:
        return self.filter(network=network)

    def visible_to(self, user) -> MeetingQuerySet:
        """Meetings of the networks a user may see (managed ones, and their organisation's current ones)."""
        return self.filter(network__in=Network.objects.visible_to(user).active())

    def upcoming(self) -> MeetingQuerySet:
        return self.filter(ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")

    def past(self) -> MeetingQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")


class Meeting(models.Model):
    class Kind(models.TextChoices):
        WORKING = "working", _("Arbeitstreffen")
        COORDINATION = "coordination", _("Koordinierungstreffen")
        WORKING_GROUP = "working_group", _("AG-Treffen")
        WORKSHOP = "workshop", _("Workshop / Transferworkshop")
        ROUND_TABLE = "round_table", _("Runder Tisch")
        SITE_VISIT = "site_visit", _("Besichtigung / Exkursion")
        PUBLIC = "public", _("Öffentliche Veranstaltung")
        TRADE_FAIR = "trade_fair", _("Messe")

    class Status(models.TextChoices):
        PLANNED = "planned", _("In Planung")
        INVITED = "invited", _("Eingeladen")
        HELD = "held", _("Durchgeführt")
        CANCELLED = "cancelled", _("Abgesagt")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, verbose_name=_("Reihe"), null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.WORKING)
    title = models.CharField(_("Titel"), max_length=200)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    venue_name = models.CharField(_("Ort"), max_length=200, blank=True)
    venue_address = models.CharField(_("Anschrift"), max_length=300, blank=True)
    room = models.CharField(_("Raum"), max_length=200, blank=True)
    phone_on_day = models.CharField(_("Telefon am Veranstaltungstag"), max_length=40, blank=True)
    moderation = models.CharField(_("Moderation"), max_length=200, blank=True, help_text=_("Wer durch das Treffen führt."))
    description = models.TextField(_("Beschreibung"), blank=True)
    capacity = models.PositiveIntegerField(_("Plätze"), null=True, blank=True, help_text=_("Leer lassen für unbegrenzt."))
    registration_deadline = models.DateTimeField(_("Anmeldeschluss"), null=True, blank=True)
    is_public = models.BooleanField(_("Öffentlich"), default=False, help_text=_("Sonst nur für Mitglieder des Verbunds."))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    reminder_days = models.PositiveSmallIntegerField(_("Erinnerung (Tage vorher)"), null=True, blank=True, default=3)
    ask_for_feedback = models.BooleanField(
        _("Nach dem Treffen um Rückmeldung bitten"), default=True, help_text=_("Teilnehmende erhalten am Tag danach eine kurze Bewertungsfrage per E-Mail.")
    )
    # iTIP (RFC 5546): every change of time or place, and the cancellation, raise the SEQUENCE of the one UID.
    ics_sequence = models.PositiveIntegerField(_("Kalender-Version"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("Treffen")
        verbose_name_plural = _("Treffen")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["network", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("Das Ende muss nach dem Beginn liegen."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:meeting", kwargs={"network_slug": self.network.slug, "pk": self.pk})

    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def registration_open(self) -> bool:
        deadline = self.registration_deadline or self.starts_at
        return self.status in {self.Status.PLANNED, self.Status.INVITED} and timezone.now() < deadline

    def invitations_closed_reason(self) -> str:
        """Why no invitation can go out any more ("" while it can): the invite page says so before offering to send."""
        if self.status == self.Status.CANCELLED:
            return str(_("Das Treffen ist abgesagt – Einladungen sind nicht mehr möglich."))
        if self.has_started():
            return str(_("Das Treffen hat schon begonnen – Einladungen sind nicht mehr möglich."))
        return ""


class LiveManager(models.Manager):
    """Hides soft-deleted rows (`deleted_at` set) everywhere: querysets, reverse relations, documents.

    A deletion in the meeting page only sets `deleted_at`, so "Rückgängig" can bring the row back; `with_deleted`
    reaches those rows for the undo (see docs/ARCHITECTURE.md, "Deleting with undo").
    """

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class DeletedQuerySet(models.QuerySet):
    def recently_deleted(self, minutes: int = 30):
        """Rows deleted in the last `minutes`: the page offers "Rückgängig" for them."""
        return self.filter(deleted_at__gte=timezone.now() - timedelta(minutes=minutes)).order_by("-deleted_at")


class AgendaItem(models.Model):
    """One line of the programme."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", _("Anreise")
        WELCOME = "welcome", _("Begrüßung")
        TALK = "talk", _("Vortrag")
        BREAK = "break", _("Pause")
        DISCUSSION = "discussion", _("Diskussion")
        EXCURSION = "excursion", _("Exkursion")
        END = "end", _("Ende")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    starts_at = models.TimeField(_("von"))
    starts_approx = models.BooleanField(_("ca.-Zeit"), default=False, help_text=_("Die Zeit ist ungefähr: „ca. 15:30 Uhr“."))
    ends_at = models.TimeField(_("bis"), null=True, blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.TALK)
    title = models.CharField(_("Titel"), max_length=300)
    speaker = models.CharField(_("Vortragende:r"), max_length=200, blank=True)
    speaker_function = models.CharField(
        _("Funktion der/des Vortragenden"), max_length=200, blank=True, help_text=_("z. B. „Vorstandsvorsitzender Münsterland e.V.“, „Senior Researcher“")
    )
    speaker_organisation = models.CharField(_("Organisation der/des Vortragenden"), max_length=200, blank=True)
    moderator = models.CharField(_("Moderation"), max_length=200, blank=True)
    parallel = models.BooleanField(_("Parallel zu anderen Punkten"), default=False)
    summary = models.TextField(_("Zusammenfassung"), blank=True)
    deleted_at = models.DateTimeField(_("Entfernt am"), null=True, blank=True)
    # While deleted: the minutes and attachments that were linked to it ({"minutes": [pk…], "attachments": [pk…]}), relinked on undo.
    detached = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()
    objects = LiveManager()
    with_deleted = DeletedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Programmpunkt")
        verbose_name_plural = _("Programmpunkte")
        # The programme orders itself by time; the position only breaks ties (talks in a row in one slot).
        ordering = ["meeting", "starts_at", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} {self.title}"

    @property
    def takes_summary(self) -> bool:
        """Has a chapter in the documentation when summarised; the frames of the day (arrival, break, end) have none."""
        return self.kind not in {self.Kind.ARRIVAL, self.Kind.BREAK, self.Kind.END}


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def for_network(self, network: Network) -> RegistrationQuerySet:
        return self.filter(meeting__network=network)

    def holding_a_seat(self) -> RegistrationQuerySet:
        return self.filter(status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED])


class Registration(models.Model):
    class ConsentSource(models.TextChoices):
        SIGNATURE_LIST = "signature_list", _("Unterschriftenliste")
        ORAL = "oral", _("mündlich")
        EMAIL = "email", _("E-Mail")
        PORTAL = "portal", _("Portal")
        ONLINE = "online", _("Online-Anmeldung")

    # What the office may record by hand; the portal and the public sign-up set their own source.
    OFFICE_CONSENT_SOURCES = (ConsentSource.SIGNATURE_LIST, ConsentSource.ORAL, ConsentSource.EMAIL)

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Angemeldet")
        WAITLISTED = "waitlisted", _("Warteliste")
        CANCELLED = "cancelled", _("Abgemeldet")
        ATTENDED = "attended", _("Teilgenommen")
        NO_SHOW = "no_show", _("Nicht erschienen")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations")
    guest_name = models.CharField(_("Name (Gast)"), max_length=200, blank=True)
    guest_email = models.EmailField(_("E-Mail (Gast)"), blank=True)
    guest_organisation = models.CharField(_("Organisation (Gast)"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    consent_participant_list = models.BooleanField(_("Einverstanden mit Teilnehmendenliste"), default=False)
    consent_photos = models.BooleanField(_("Einverstanden mit Fotos"), default=False)
    consent_source = models.CharField(_("Einverständnis gegeben per"), max_length=20, choices=ConsentSource.choices, blank=True)
    consent_recorded_at = models.DateField(_("Einverständnis erfasst am"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        User, verbose_name=_("Einverständnis erfasst von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    pulse_sent_at = models.DateTimeField(_("Rückmeldebitte gesendet am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "contact"], condition=Q(contact__isnull=False), name="one_registration_per_contact"),
            models.CheckConstraint(condition=Q(contact__isnull=False) | ~Q(guest_name=""), name="registration_has_a_person"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.meeting}"

    @property
    def display_name(self) -> str:
        return self.contact.full_name if self.contact is not None else self.guest_name

    @property
    def email(self) -> str:
        return self.contact.email if self.contact is not None else self.guest_email

    @property
    def organisation_name(self) -> str:
        return self.contact.organisation.name if self.contact is not None else self.guest_organisation


class MinuteEntry(models.Model):
    """One entry of the Kurzprotokoll: a question, an answer, a decision or an information."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Frage")
        ANSWER = "answer", _("Antwort")
        DECISION = "decision", _("Beschluss")
        INFORMATION = "information", _("Information")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("Programmpunkt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="minutes")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.INFORMATION)
    text = models.TextField(_("Text"))
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(_("Entfernt am"), null=True, blank=True)

    history = HistoricalRecords()
    objects = LiveManager()
    with_deleted = DeletedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokolleinträge")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ActionItemQuerySet(DeletedQuerySet):
    def for_network(self, network: Network) -> ActionItemQuerySet:
        return self.filter(network=network)

    def open(self) -> ActionItemQuerySet:
        return self.filter(done_at__isnull=True)


ActionItemManager = LiveManager.from_queryset(ActionItemQuerySet)


class ActionItem(models.Model):
    """A Verabredung: what, who, until when."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    title = models.CharField(_("Was"), max_length=300)
    owner = models.ForeignKey(Contact, verbose_name=_("Wer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    due_on = models.DateField(_("Bis wann"), null=True, blank=True)
    done_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(_("Entfernt am"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ActionItemManager()
    with_deleted = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("Verabredung")
        verbose_name_plural = _("Verabredungen")
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < timezone.localdate()


class MeetingDocument(models.Model):
    """A rendered PDF of a meeting, stored with the hash of its inputs: fresh ones are reused, stale ones re-rendered."""

    class Kind(models.TextChoices):
        PARTICIPANT_LIST = "participant_list", _("Teilnehmendenliste zum Unterschreiben")
        DOCUMENTATION = "documentation", _("Dokumentation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet")
        RENDERING = "rendering", _("Wird erstellt")
        DONE = "done", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    input_hash = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    requested_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="one_document_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.meeting}"


class DocumentationSettings(ImprintFields):
    """How a meeting's documentation is put together; an empty imprint field takes the network's (verbund.NetworkImprint)."""

    class SlidesPlacement(models.TextChoices):
        APPENDIX = "appendix", _("Im Anhang nach allen Kapiteln")
        WITH_ITEM = "with_item", _("Beim jeweiligen Programmpunkt")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="documentation_settings")
    slides_placement = models.CharField(
        _("Folien"),
        max_length=20,
        choices=SlidesPlacement.choices,
        default=SlidesPlacement.APPENDIX,
        help_text=_("Folien ohne Programmpunkt stehen immer im Anhang."),
    )
    published_on = models.DateField(_("Erscheinungsdatum"), null=True, blank=True, help_text=_("Leer lassen: das Datum der Erstellung."))
    network_logos = models.BooleanField(
        _("Logos des Verbunds übernehmen"),
        default=True,
        help_text=_("Für jede Rolle, für die das Treffen keine eigenen Logos hat."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Einstellungen der Dokumentation")
        verbose_name_plural = _("Einstellungen der Dokumentation")

    def __str__(self) -> str:
        return str(self.meeting)


class MeetingLogo(LogoFields):
    """A logo of one meeting's documents; for its role it takes the place of the network's logos."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="logos")

    class Meta(LogoFields.Meta):
        verbose_name = _("Logo des Treffens")
        verbose_name_plural = _("Logos des Treffens")


def _attachment_path(instance: MeetingAttachment, filename: str) -> str:
    # The name comes from us, never from the upload (S-7: path traversal, odd characters).
    return f"meetings/{instance.meeting_id}/{filename}"


class MeetingAttachment(models.Model):
    """Slides, photos and other documents of a meeting. Photos are stored re-encoded with a thumbnail."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Folien (PDF)")
        PHOTO = "photo", _("Foto")
        DOCUMENT = "document", _("Weiteres Dokument (PDF)")

    class PeopleShown(models.TextChoices):
        NONE = "none", _("Keine erkennbaren Personen")
        CONSENTED = "consented", _("Alle erkennbaren Personen sind mit der Veröffentlichung einverstanden")
        UNCLEAR = "unclear", _("Nicht geklärt – nicht in die Dokumentation")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("Programmpunkt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(upload_to=_attachment_path)
    thumbnail = models.FileField(upload_to=_attachment_path, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    people_shown = models.CharField(_("Personen auf dem Foto"), max_length=20, choices=PeopleShown.choices, default=PeopleShown.UNCLEAR, blank=True)
    in_documentation = models.BooleanField(_("In die Dokumentation aufnehmen"), default=True)
    position = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")
        ordering = ["meeting", "kind", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def publishable(self) -> bool:
        """May appear in the documentation: not a photo of people who have not agreed."""
        if not self.in_documentation:
            return False
        return self.kind != self.Kind.PHOTO or self.people_shown in {self.PeopleShown.NONE, self.PeopleShown.CONSENTED}


class MeetingInvitation(models.Model):
    """One sending of invitations to an audience; each recipient is a row marked when its mail went out."""

    class Audience(models.TextChoices):
        ALL = "all", _("Alle Kontakte der aktiven Mitglieder")
        PRIMARY = "primary", _("Hauptansprechpartner:innen der aktiven Mitglieder")
        MEMBERSHIP_ROLE = "membership_role", _("Mitglieder mit einer Rolle im Verbund")
        GOVERNANCE = "governance", _("Inhaber:innen einer Gremienfunktion")
        SELECTED = "selected", _("Ausgewählte Kontakte")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    audience = models.CharField(_("Empfängerkreis"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    membership_role = models.CharField(_("Rolle im Verbund"), max_length=20, blank=True)
    governance_function = models.CharField(_("Gremienfunktion"), max_length=20, blank=True)
    message = models.TextField(_("Persönliche Nachricht"), blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.get_audience_display()}"


class InvitationRecipient(models.Model):
    invitation = models.ForeignKey(MeetingInvitation, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_invitations")
    email = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("Eingeladene Person")
        verbose_name_plural = _("Eingeladene Personen")
        constraints = [models.UniqueConstraint(fields=["invitation", "email"], name="one_invitation_per_address")]

    def __str__(self) -> str:
        return self.email


class MeetingMessage(models.Model):
    """A mail the office sent from the meeting page (reminder, documentation, a message, a change or a cancellation).

    One row per recipient (MeetingMessageRecipient) records what reached whom and when.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Erinnerung")
        DOCUMENTATION = "documentation", _("Dokumentation")
        MESSAGE = "message", _("Nachricht an alle Angemeldeten")
        UPDATE = "update", _("Terminänderung")
        CANCELLATION = "cancellation", _("Absage")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("Betreff"), max_length=200, blank=True)
    body = models.TextField(_("Nachricht"), blank=True)
    sequence = models.PositiveIntegerField(default=0)
    attach_document = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Nachricht zum Treffen")
        verbose_name_plural = _("Nachrichten zum Treffen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.get_kind_display()}"


class MeetingMessageRecipient(models.Model):
    message = models.ForeignKey(MeetingMessage, on_delete=models.CASCADE, related_name="recipients")
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_messages")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("Empfänger:in")
        verbose_name_plural = _("Empfänger:innen")
        ordering = ["message", "pk"]
        constraints = [models.UniqueConstraint(fields=["message", "email"], name="one_meeting_message_per_address")]

    def __str__(self) -> str:
        return self.email


class SatisfactionResponse(models.Model):
    """The pulse after a meeting: 1 (poor) to 5 (very good) and an optional comment, one per registration."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="satisfaction_responses")
    registration = models.OneToOneField(Registration, null=True, on_delete=models.SET_NULL, related_name="satisfaction")
    score = models.PositiveSmallIntegerField(_("Bewertung"))
    comment = models.TextField(_("Kommentar"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Rückmeldung")
        verbose_name_plural = _("Rückmeldungen")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.score}"


# --- editable field sets: the one list each form, service, series copy and document hash reads -------------

MEETING_FIELDS = FieldSet(
    Meeting,
    names=(
        "title",
        "kind",
        "series",
        "starts_at",
        "ends_at",
        "venue_name",
        "venue_address",
        "room",
        "phone_on_day",
        "moderation",
        "capacity",
        "registration_deadline",
        "is_public",
        "status",
        "reminder_days",
        "ask_for_feedback",
        "description",
    ),
    # The calendar SEQUENCE is the portal's count of changes (events.messaging), never typed in.
    internal=("network", "ics_sequence", "created_at", "updated_at"),
    printed=("title", "venue_name", "venue_address", "description", "moderation"),
)
# A series' next meeting takes every editable field from the last one except these, which belong to one date.
MEETING_OWN_FIELDS = ("series", "starts_at", "ends_at", "registration_deadline", "status", "description")

AGENDA_ITEM_FIELDS = FieldSet(
    AgendaItem,
    names=(
        "starts_at",
        "starts_approx",
        "ends_at",
        "kind",
        "title",
        "speaker",
        "speaker_function",
        "speaker_organisation",
        "moderator",
        "parallel",
        "summary",
    ),
    internal=("meeting", "position", "deleted_at", "detached"),
    # starts_approx prints too ("ca."), but as a flag it carries no canary text for the printed-field tests.
    printed=("title", "speaker", "speaker_function", "speaker_organisation", "moderator", "summary"),
)
# The programme form edits the line; the summary has a page of its own (events.views.attachments.agenda_summary).
AGENDA_ITEM_FORM_FIELDS = AGENDA_ITEM_FIELDS.without("summary")
# A series' next meeting keeps the programme's frame; who spoke and what was said belong to the earlier one.
AGENDA_ITEM_COPIED_FIELDS = AGENDA_ITEM_FIELDS.without("speaker", "speaker_function", "speaker_organisation", "summary")

MINUTE_FIELDS = FieldSet(
    MinuteEntry, names=("kind", "agenda_item", "text"), internal=("meeting", "position", "created_by", "created_at", "deleted_at"), printed=("text",)
)
ACTION_ITEM_FIELDS = FieldSet(
    ActionItem, names=("title", "owner", "due_on"), internal=("network", "meeting", "done_at", "created_by", "created_at", "deleted_at"), printed=("title",)
)
# What the office records about consent (any registration path); the rest of a registration is set by the services.
CONSENT_FIELDS = FieldSet(
    Registration,
    names=("consent_participant_list", "consent_photos", "consent_source", "consent_recorded_at"),
    internal=(
        "meeting",
        "contact",
        "guest_name",
        "guest_email",
        "guest_organisation",
        "status",
        "consent_recorded_by",
        "registered_by",
        "reminded_at",
        "pulse_sent_at",
        "created_at",
        "updated_at",
    ),
)
ATTACHMENT_FIELDS = FieldSet(
    MeetingAttachment,
    names=("title", "agenda_item", "people_shown", "in_documentation"),
    internal=("meeting", "kind", "file", "thumbnail", "content_type", "size", "position", "uploaded_by", "uploaded_at"),
)
DOCUMENTATION_SETTINGS_FIELDS = FieldSet(
    DocumentationSettings,
    names=("slides_placement", "published_on", "network_logos", *IMPRINT_NAMES),
    internal=("meeting", "updated_at"),
)
# The file comes as a checked upload (verbund.uploads.clean_image); the position is the order of adding.
MEETING_LOGO_FIELDS = FieldSet(MeetingLogo, names=("role", "name"), internal=("meeting", "logo", "position"))
