"""The tenant: networks (Verbünde), who manages them, how they are financed; and the user."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from verbund.fieldsets import FieldSet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# The one definition of a current membership (active or paused, not in the network's trash). It lives in the lowest
# layer because networks are scoped by it too; members' Membership.objects.current() and Status.is_current read it.
CURRENT_MEMBERSHIP_STATUSES = ("active", "paused")


def current_membership_q(prefix: str = "") -> Q:
    """`Q` for a current membership, reached through `prefix` (e.g. "memberships__" from a Network)."""
    return Q(**{f"{prefix}status__in": CURRENT_MEMBERSHIP_STATUSES, f"{prefix}archived_at__isnull": True})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in, by email address. Roles come from ManagerRole and members.Contact."""

    username = None  # type: ignore[assignment]  # login by email: AbstractUser's username column is dropped
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # email-only, in place of AbstractUser's username-based UserManager
    # Who changed roles and flags, when; secrets and login times stay out of the history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("Benutzer:in")
        verbose_name_plural = _("Benutzer:innen")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_manager(self) -> bool:
        return self.manager_roles.exists()

    @property
    def must_use_two_factor(self) -> bool:
        """Managers and staff handle many people's data: they need a second factor."""
        return self.is_staff or self.is_manager


def _new_calendar_token() -> str:

    return secrets.token_urlsafe(24)


class NetworkQuerySet(models.QuerySet["Network"]):
    def active(self) -> NetworkQuerySet:
        return self.filter(archived_at__isnull=True)

    def managed_by(self, user: User | AnonymousUser) -> NetworkQuerySet:
        """Networks in which the user holds a manager role; none for anonymous users."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(manager_roles__user=user).distinct()

    def joined_by(self, organisation) -> NetworkQuerySet:
        """Active networks the organisation is a current member of (active or paused, the membership not in the trash)."""
        return self.active().filter(current_membership_q("memberships__"), memberships__organisation=organisation).distinct()

    def visible_to(self, user: User | AnonymousUser) -> NetworkQuerySet:
        """Networks a user may see at all: those they manage and those their organisation belongs to.

        Membership is reached through reverse relations by name, so this app does
        not import members (imports go one way: members → verbund).
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(manager_roles__user=user)
            | Q(
                current_membership_q("memberships__"),
                memberships__organisation__contacts__user=user,
                memberships__organisation__archived_at__isnull=True,
            )
        ).distinct()


class Network(models.Model):
    """A Verbund: the unit of access. Everything a manager sees hangs off one network."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        NETWORK = "network", _("Netzwerk")
        QUALIFICATION = "qualification", _("Qualifizierungsverbund")
        PROBLEM_SOLVING = "problem_solving", _("Problemlösungsorientierter Verbund")
        PRACTICE_PROJECT = "practice_project", _("Praxisverbundprojekt")
        WORKING_GROUP = "working_group", _("Arbeitsgemeinschaft")

    class Stage(models.TextChoices):
        INITIATION = "initiation", _("Anbahnung")
        SETUP = "setup", _("Aufbau")
        GROWTH = "growth", _("Wachstum")
        MATURITY = "maturity", _("Reife")
        RENEWAL = "renewal", _("Erneuerung")
        WINDING_DOWN = "winding_down", _("Auslaufend")

    class ClusterType(models.TextChoices):
        # Carbonara (2004), as presented at the 2013 transfer workshop.
        TYPE_I = "I", _("Typ I: viele kleine Unternehmen, informelle Beziehungen")
        TYPE_II = "II", _("Typ II: viele KMU, Kooperation und Wettbewerb")
        TYPE_III = "III", _("Typ III: Leitunternehmen, enge reziproke Beziehungen")

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname (URL)"), max_length=60, unique=True)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices, default=Kind.NETWORK)
    region = models.CharField(_("Region"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    goals = models.TextField(_("Ziele"), blank=True)
    rules_of_play = models.TextField(_("Spielregeln"), blank=True, help_text=_("Wozu sich die Mitglieder verpflichten."))
    founded_on = models.DateField(_("Gegründet am"), null=True, blank=True)
    legal_form = models.CharField(_("Rechtsform"), max_length=100, blank=True, help_text=_("Leer lassen, wenn der Verbund keine eigene Rechtsform hat."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Übergeordneter Verbund"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    stage = models.CharField(_("Entwicklungsphase"), max_length=20, choices=Stage.choices, default=Stage.SETUP)
    cluster_type = models.CharField(_("Clustertyp"), max_length=3, choices=ClusterType.choices, blank=True)
    meetings_per_year = models.PositiveSmallIntegerField(
        _("Geplante Treffen pro Jahr"), null=True, blank=True, help_text=_("z. B. 4 für vierteljährliche Netzwerktreffen")
    )
    funding_note = models.CharField(
        _("Förderhinweis"),
        max_length=300,
        blank=True,
        help_text=_("Steht auf Teilnehmendenlisten und Dokumentationen, z. B. „Gefördert vom Land … im Programm …“."),
    )
    office_email = models.EmailField(
        _("E-Mail der Geschäftsstelle"),
        blank=True,
        help_text=_("Antworten auf Einladungen, Erinnerungen und Infobriefe gehen an diese Adresse; sie steht als Veranstalter in Kalendereinträgen."),
    )
    archived_at = models.DateTimeField(_("Archiviert am"), null=True, blank=True)
    calendar_token = models.CharField(
        _("Kalender-Token"), max_length=64, default=_new_calendar_token, help_text=_("Geheimer Teil der Adresse des Kalender-Abonnements.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["calendar_token"])
    objects = NetworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("Verbund")
        verbose_name_plural = _("Verbünde")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("manage:network_home", kwargs={"network_slug": self.slug})


class ManagerRole(models.Model):
    """A user's role in one network. Asked by intent (`role.can_manage`), never by value."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Netzwerkmanager:in")
        OFFICE = "office", _("Geschäftsstelle")
        OBSERVER = "observer", _("Lesezugriff")

        @property
        def can_manage(self) -> bool:
            return self in {self.MANAGER, self.OFFICE}

        @property
        def can_read(self) -> bool:
            return True

    user = models.ForeignKey(User, verbose_name=_("Benutzer:in"), on_delete=models.CASCADE, related_name="manager_roles")
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="manager_roles")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, default=Role.MANAGER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Manager-Rolle")
        verbose_name_plural = _("Manager-Rollen")
        constraints = [models.UniqueConstraint(fields=["user", "network"], name="unique_manager_role")]
        ordering = ["network__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} – {self.network} ({self.get_role_display()})"

    @property
    def role_enum(self) -> ManagerRole.Role:
        return ManagerRole.Role(self.role)


class FundingSource(models.Model):
    """One line of a network's financing mix per year; the base of the self-financing ratio."""

    class Kind(models.TextChoices):
        PUBLIC_PROGRAMME = "public_programme", _("Öffentliches Förderprogramm")
        MEMBER_FEES = "member_fees", _("Mitgliedsbeiträge")
        PAID_SERVICES = "paid_services", _("Kostenpflichtige Dienstleistungen")
        THIRD_PARTY = "third_party", _("Drittmittel")

        @property
        def is_own_funding(self) -> bool:
            return self in {self.MEMBER_FEES, self.PAID_SERVICES}

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="funding_sources")
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    funder = models.CharField(_("Fördergeber"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("Jahr"))
    amount = models.DecimalField(_("Betrag (EUR)"), max_digits=12, decimal_places=2)
    period_start = models.DateField(_("Laufzeit von"), null=True, blank=True)
    period_end = models.DateField(_("Laufzeit bis"), null=True, blank=True)
    logo = models.FileField(_("Logo des Fördergebers"), upload_to="funders/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Finanzierungsquelle")
        verbose_name_plural = _("Finanzierungsquellen")
        ordering = ["network__name", "-year", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="funding_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.year}: {self.get_kind_display()}"


class LogoRole(models.TextChoices):
    """Where a logo stands in a document, under the words printed above it."""

    FUNDER = "funder", _("Gefördert durch")
    PARTNER = "partner", _("In Zusammenarbeit mit")
    INITIATIVE = "initiative", _("Im Rahmen der Initiative")


class ImprintFields(models.Model):
    """The imprint of a meeting documentation: the network's defaults, and a meeting's own where it differs."""

    funding_line = models.TextField(
        _("Förderzeile"),
        max_length=500,
        blank=True,
        help_text=_("Steht unter den Logos „Gefördert durch“, z. B. „aufgrund eines Beschlusses des Deutschen Bundestages“."),
    )
    publisher_name = models.CharField(_("Herausgeber"), max_length=200, blank=True)
    publisher_address = models.TextField(_("Anschrift des Herausgebers"), max_length=500, blank=True)
    copyright_line = models.CharField(_("Urheberrechtsvermerk"), max_length=200, blank=True, help_text=_("z. B. „Copyright – Alle Rechte vorbehalten“"))

    class Meta:
        abstract = True


IMPRINT_NAMES = ("funding_line", "publisher_name", "publisher_address", "copyright_line")


class LogoFields(models.Model):
    """A logo printed in documents; stored re-encoded (verbund.uploads.clean_image), named for readers of the tagged PDF."""

    role = models.CharField(_("Rolle"), max_length=20, choices=LogoRole.choices, default=LogoRole.FUNDER)
    name = models.CharField(_("Name"), max_length=200, help_text=_("Wer das Logo ist, z. B. „Bundesministerium für Arbeit und Soziales“ (Alternativtext)."))
    logo = models.FileField(_("Logo"), upload_to="logos/")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["role", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class NetworkImprint(ImprintFields):
    """A network's defaults for the imprint of its meeting documentations."""

    network = models.OneToOneField(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="imprint")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Impressum der Dokumentationen")
        verbose_name_plural = _("Impressen der Dokumentationen")

    def __str__(self) -> str:
        return str(self.network)


class NetworkLogo(LogoFields):
    """A logo a network's documents carry unless a meeting brings its own for the role."""

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="logos")

    class Meta(LogoFields.Meta):
        verbose_name = _("Logo des Verbunds")
        verbose_name_plural = _("Logos des Verbunds")


# --- editable field sets: the one list each form and service reads (verbund.fieldsets) ---------------------------

NETWORK_FIELDS = FieldSet(
    Network,
    names=(
        "name",
        "kind",
        "region",
        "description",
        "goals",
        "rules_of_play",
        "founded_on",
        "legal_form",
        "parent",
        "stage",
        "cluster_type",
        "meetings_per_year",
        "funding_note",
        "office_email",
    ),
    # The slug is the address (set once); the calendar token is a secret the portal makes.
    internal=("slug", "archived_at", "calendar_token", "created_at", "updated_at"),
)
FUNDING_SOURCE_FIELDS = FieldSet(
    FundingSource,
    names=("year", "kind", "name", "funder", "amount", "period_start", "period_end"),
    internal=("network", "logo"),  # the logo comes as a checked upload (verbund.uploads.clean_image)
)
NETWORK_IMPRINT_FIELDS = FieldSet(NetworkImprint, names=IMPRINT_NAMES, internal=("network", "updated_at"))
# The file comes as a checked upload (verbund.uploads.clean_image); the position is the order of adding.
NETWORK_LOGO_FIELDS = FieldSet(NetworkLogo, names=("role", "name"), internal=("network", "logo", "position"))


class MailFailure(models.Model):
    """A mail the server refused for good (5xx), or gave up on after the retries: recorded once, never retried."""

    recipients = models.CharField(_("Empfänger"), max_length=1000)
    subject = models.CharField(_("Betreff"), max_length=300, blank=True)
    mailer = models.CharField(_("Versandweg"), max_length=30, default="default")
    code = models.PositiveSmallIntegerField(_("SMTP-Code"), null=True, blank=True)
    error = models.TextField(_("Antwort des Servers"), blank=True)
    permanent = models.BooleanField(_("Dauerhaft"), default=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Nicht zugestellte E-Mail")
        verbose_name_plural = _("Nicht zugestellte E-Mails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recipients}: {self.code or '–'} {self.subject}"


class LegalPage(models.Model):
    """Impressum, Datenschutz, Barrierefreiheit: public text the operator edits in the admin."""

    class Slug(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")

    slug = models.CharField(_("Seite"), max_length=30, choices=Slug.choices, unique=True)
    body = models.TextField(_("Text"), help_text=_("Absätze durch Leerzeilen trennen."))
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Rechtliche Seite")
        verbose_name_plural = _("Rechtliche Seiten")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.get_slug_display()


class DeferredTask(models.Model):
    """A task that could not be handed to the broker (Redis away) or failed when run in the request instead.

    verbund.background records it at the moment of the failure; the periodic sweeper (`verbund.tasks.sweep_deferred_tasks`)
    hands it to the broker again once the broker answers, and deletes the row. Arguments are what the task gets, as
    JSON (the broker's own serialisation): primary keys and dates; calls whose arguments carry content (mail) are
    never recorded (`task_send(record=False)`).
    """

    task = models.CharField(_("Aufgabe"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(_("Versuche"), default=1)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    created_at = models.DateTimeField(_("Erfasst"), auto_now_add=True)
    tried_at = models.DateTimeField(_("Zuletzt versucht"), auto_now=True)

    class Meta:
        verbose_name = _("Zurückgestellte Aufgabe")
        verbose_name_plural = _("Zurückgestellte Aufgaben")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"


class BackgroundJob(models.Model):
    """Long work a user started (an import, an export): its progress and result, counted from rows."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet")
        RUNNING = "running", _("Läuft")
        DONE = "done", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

        @property
        def is_finished(self) -> bool:
            return self in {self.DONE, self.FAILED}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(_("Bezeichnung"), max_length=200)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Hintergrundauftrag")
        verbose_name_plural = _("Hintergrundaufträge")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (int(self.done * 100 / self.total) if self.total else 0)
