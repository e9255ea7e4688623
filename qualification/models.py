"""A Qualifizierungsverbund: company checks, the qualification matrix, the network-wide alignment and the training programme.

Questionnaires are versioned data: a CheckTemplate is frozen once a company has
answered it (editing makes a new version), so a revised template never changes
answers given to an older one. A company's check results are its own until it
shares them (CheckShare); its needs in the matrix are visible to the network's
managers; other members see aggregates only.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Contact, Organisation
from verbund.fieldsets import FieldSet
from verbund.models import Network, User


class CheckTemplate(models.Model):
    """A questionnaire in one depth and version; network None = the default set shipped with the portal."""

    class Depth(models.TextChoices):
        BASIS = "basis", _("Basis-Check")
        INTENSIV = "intensiv", _("Intensiv-Check")

    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="check_templates")
    key = models.SlugField(_("Kennung"), max_length=60, help_text=_("Gleich für alle Fassungen eines Fragebogens."))
    version = models.PositiveIntegerField(_("Fassung"), default=1)
    depth = models.CharField(_("Tiefe"), max_length=10, choices=Depth.choices)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_current = models.BooleanField(_("Aktuelle Fassung"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Check-Fragebogen")
        verbose_name_plural = _("Check-Fragebögen")
        ordering = ["network_id", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["network", "key", "version"], name="one_template_version"),
            models.UniqueConstraint(fields=["key", "version"], condition=Q(network__isnull=True), name="one_default_template_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (Fassung {self.version})"


class CheckArea(models.Model):
    """A topic area of good work in SMEs, e.g. leadership or health."""

    template = models.ForeignKey(CheckTemplate, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=60)
    title = models.CharField(_("Handlungsfeld"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveIntegerField(default=0)
    suggested_topics = models.JSONField(
        _("Vorgeschlagene Qualifizierungsthemen"),
        default=list,
        blank=True,
        help_text=_("Themen, die bei niedrigem Ergebnis in diesem Feld vorgeschlagen werden."),
    )

    class Meta:
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")
        ordering = ["template", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="one_area_key_per_template")]

    def __str__(self) -> str:
        return self.title


class CheckQuestion(models.Model):
    """A statement the company rates from 0 (does not apply) to 4 (fully applies)."""

    area = models.ForeignKey(CheckArea, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("Aussage"), max_length=500)
    help_text = models.CharField(_("Erläuterung"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(_("Gewicht"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["area", "position", "pk"]

    def __str__(self) -> str:
        return self.text


SCALE = [
    (0, _("trifft nicht zu")),
    (1, _("trifft kaum zu")),
    (2, _("trifft teilweise zu")),
    (3, _("trifft überwiegend zu")),
    (4, _("trifft voll zu")),
]


class CheckRound(models.Model):
    """One company going through one check (a draft until completed); a company can repeat it and compare rounds."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        COMPLETED = "completed", _("Abgeschlossen")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="check_rounds")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="check_rounds")
    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    with_advisor = models.BooleanField(_("Gemeinsam mit der Beratung ausgefüllt"), default=False)
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Unternehmens-Check")
        verbose_name_plural = _("Unternehmens-Checks")
        ordering = ["organisation", "-started_at"]

    def __str__(self) -> str:
        return f"{self.template.title} – {self.organisation}"


class CheckAnswer(models.Model):
    round = models.ForeignKey(CheckRound, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CheckQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("Bewertung"), choices=SCALE, validators=[MaxValueValidator(4)])
    note = models.CharField(_("Notiz"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="one_answer_per_question"),
            models.CheckConstraint(condition=Q(value__lte=4), name="answer_on_the_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.question_id}: {self.value}"


class CheckShare(models.Model):
    """The company shares its check results with the network's managers or a named advisor; withdrawable."""

    round = models.ForeignKey(CheckRound, on_delete=models.CASCADE, related_name="shares")
    with_managers = models.BooleanField(_("Mit der Geschäftsstelle"), default=False)
    advisor = models.ForeignKey(User, verbose_name=_("Beraterin / Berater"), null=True, blank=True, on_delete=models.CASCADE, related_name="shared_checks")
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Freigabe")
        verbose_name_plural = _("Freigaben")
        constraints = [models.CheckConstraint(condition=Q(with_managers=True) | Q(advisor__isnull=False), name="share_names_someone")]

    def __str__(self) -> str:
        return f"{self.round_id} → {self.advisor_id or 'Geschäftsstelle'}"


class Topic(models.Model):
    """A qualification topic of the network's catalogue, e.g. leadership for foremen."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="qualification_topics")
    title = models.CharField(_("Thema"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Qualifizierungsthema")
        verbose_name_plural = _("Qualifizierungsthemen")
        ordering = ["network", "position", "title"]
        constraints = [models.UniqueConstraint(fields=["network", "title"], name="unique_topic_title")]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    """One cell of the qualification matrix: an organisation's need in a topic."""

    class Priority(models.IntegerChoices):
        NONE = 0, _("kein Bedarf")
        USEFUL = 1, _("sinnvoll")
        IMPORTANT = 2, _("wichtig")
        URGENT = 3, _("dringend")

    class Format(models.TextChoices):
        IN_HOUSE = "in_house", _("Inhouse-Schulung")
        SHORT = "short", _("Kurzqualifikation")
        SEMINAR = "seminar", _("Seminar")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="qualification_needs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="qualification_needs")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="needs")
    priority = models.PositiveSmallIntegerField(_("Priorität"), choices=Priority.choices, default=Priority.NONE)
    head_count = models.PositiveIntegerField(_("Anzahl Personen"), default=0, validators=[MaxValueValidator(100_000)])
    target_group = models.CharField(_("Zielgruppe"), max_length=200, blank=True)
    preferred_format = models.CharField(_("Bevorzugtes Format"), max_length=20, choices=Format.choices, blank=True)
    preferred_time = models.CharField(_("Zeit"), max_length=200, blank=True)
    preferred_place = models.CharField(_("Ort"), max_length=200, blank=True)
    content_wishes = models.CharField(_("Inhalte"), max_length=500, blank=True)
    scope = models.CharField(_("Umfang"), max_length=200, blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Qualifizierungsbedarf")
        verbose_name_plural = _("Qualifizierungsbedarfe")
        constraints = [
            models.UniqueConstraint(fields=["network", "organisation", "topic"], name="one_need_per_cell"),
            models.CheckConstraint(condition=Q(priority__gte=0, priority__lte=3), name="need_priority_known"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} × {self.topic_id}: {self.priority}"

    @property
    def symbol(self) -> str:
        """The priority as text for the heat map, which never relies on colour alone: + sinnvoll, ++ wichtig, +++ dringend."""
        return "+" * self.priority


class Course(models.Model):
    """A course of the programme that came out of the Verbundabstimmung."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Vorgeschlagen")
        PLANNED = "planned", _("Geplant")
        CONFIRMED = "confirmed", _("Bestätigt")
        HELD = "held", _("Durchgeführt")
        CANCELLED = "cancelled", _("Abgesagt")
        DROPPED = "dropped", _("Verworfen")

    class Payer(models.TextChoices):
        COMPANY = "company", _("Unternehmen")
        FUNDING = "funding", _("Fördermittel")
        SHARED = "shared", _("Geteilt")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="courses")
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), related_name="courses")
    title = models.CharField(_("Titel"), max_length=200)
    format = models.CharField(_("Format"), max_length=20, choices=Need.Format.choices, blank=True)
    provider = models.CharField(_("Anbieter"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("Plätze"), null=True, blank=True, validators=[MaxValueValidator(10_000)])
    cost_per_seat = models.DecimalField(_("Kosten pro Platz (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    payer = models.CharField(_("Wer zahlt"), max_length=20, choices=Payer.choices, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    year = models.PositiveSmallIntegerField(_("Jahr"))
    documentation = models.TextField(_("Seminardokumentation"), blank=True)
    documentation_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kurs")
        verbose_name_plural = _("Kurse")
        ordering = ["network", "-year", "title"]

    def __str__(self) -> str:
        return self.title


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    place = models.CharField(_("Ort"), max_length=200, blank=True)

    history = HistoricalRecords()  # who added or removed a date (attendance and the indicators hang off it)

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["course", "starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}" if self.starts_at else ""


class Enrolment(models.Model):
    """A company enrols named employees or a head count for its organisation."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Angemeldet")
        WAITLISTED = "waitlisted", _("Warteliste")
        CANCELLED = "cancelled", _("Abgemeldet")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="enrolments")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments")
    head_count = models.PositiveIntegerField(_("Anzahl Personen"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ENROLLED)
    enrolled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kursanmeldung")
        verbose_name_plural = _("Kursanmeldungen")
        ordering = ["course", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "contact"], condition=Q(contact__isnull=False), name="one_enrolment_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.organisation_id} ({self.head_count})"


class Attendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    present = models.PositiveIntegerField(_("Anwesend (Personen)"), default=0)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}: {self.present}"


def _course_file_path(instance: CourseFile, filename: str) -> str:
    return f"courses/{instance.course_id}/{filename}"  # the name is made up by qualification/courses.py, never the uploader's


class CourseFile(models.Model):
    """A file of a course's seminar documentation (handouts, slides): PDF only, checked on upload."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(upload_to=_course_file_path)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Kursdatei")
        verbose_name_plural = _("Kursdateien")
        ordering = ["course", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


# --- editable field sets: the one list each form and service reads (verbund.fieldsets) ---------------------------

CHECK_TEMPLATE_FIELDS = FieldSet(
    CheckTemplate,
    names=("title", "description"),
    # Identity and versioning belong to checks_service.template_copy.
    internal=("network", "key", "version", "depth", "copied_from", "is_current", "created_at"),
)
CHECK_AREA_FIELDS = FieldSet(
    CheckArea,
    names=("title", "description", "position", "suggested_topics"),
    internal=("template", "key"),
)
# The form edits the suggested topics as lines of text (AreaForm.topics).
CHECK_AREA_FORM_FIELDS = CHECK_AREA_FIELDS.without("suggested_topics")
CHECK_QUESTION_FIELDS = FieldSet(CheckQuestion, names=("text", "help_text", "weight", "position"), internal=("area",))
TOPIC_FIELDS = FieldSet(Topic, names=("title", "description", "position"), internal=("network", "archived_at"))
NEED_FIELDS = FieldSet(
    Need,
    names=("priority", "head_count", "target_group", "preferred_format", "preferred_time", "preferred_place", "content_wishes", "scope"),
    internal=("network", "organisation", "topic", "updated_by", "updated_at"),
)
COURSE_FIELDS = FieldSet(
    Course,
    names=("title", "topics", "format", "provider", "seats", "cost_per_seat", "payer", "year"),
    # Status moves through courses.course_set_status; the documentation has its own page.
    internal=("network", "status", "documentation", "documentation_published_at", "created_by", "created_at"),
)
COURSE_SESSION_FIELDS = FieldSet(CourseSession, names=("starts_at", "ends_at", "place"), internal=("course",))
