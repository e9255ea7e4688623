"""Organisations, their people (contacts) and their memberships in networks."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from verbund.fieldsets import FieldSet
from verbund.models import CURRENT_MEMBERSHIP_STATUSES, BackgroundJob, Network, User, current_membership_q

postcode_validator = RegexValidator(r"^\d{5}$", _("Bitte eine fünfstellige Postleitzahl angeben."))


class EconomicActivity(models.Model):
    """One entry of the German classification of economic activities (WZ 2008 or WZ 2025).

    Loaded once from the `wz-code` package's data (source: Statistisches
    Bundesamt (Destatis), Klassifikation der Wirtschaftszweige).
    """

    class Version(models.TextChoices):
        WZ2008 = "2008", "WZ 2008"
        WZ2025 = "2025", "WZ 2025"

    version = models.CharField(_("Ausgabe"), max_length=4, choices=Version.choices)
    code = models.CharField(_("Schlüssel"), max_length=10)
    title = models.CharField(_("Bezeichnung"), max_length=300)
    level = models.PositiveSmallIntegerField(_("Ebene"))
    section = models.CharField(_("Abschnitt"), max_length=1, help_text=_("Buchstabe des Abschnitts, z. B. C für Verarbeitendes Gewerbe"))
    parent_code = models.CharField(_("Übergeordneter Schlüssel"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("Wirtschaftszweig")
        verbose_name_plural = _("Wirtschaftszweige")
        ordering = ["version", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_wz_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.get_version_display()})"


class Tag(models.Model):
    """A keyword for competencies and needs, shared across organisations for matchmaking."""

    name = models.CharField(_("Schlagwort"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("Schlagwort")
        verbose_name_plural = _("Schlagwörter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(archived_at__isnull=True)

    def for_network(self, network: Network) -> OrganisationQuerySet:
        """Organisations with a membership (also prospects and former members) in one network, outside its trash."""
        return self.filter(memberships__network=network, memberships__archived_at__isnull=True).distinct()

    def current_members_of(self, network: Network) -> OrganisationQuerySet:
        """Organisations that are current members of one network (active or paused), neither they nor the membership in a trash."""
        # A key lookup in the network's current memberships (one per organisation): no join that fans out, no DISTINCT.
        return self.filter(archived_at__isnull=True, pk__in=Membership.objects.current().filter(network=network).values("organisation_id"))

    def visible_to(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        """The member user's own organisation; nothing for anyone else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(contacts__user=user, archived_at__isnull=True).distinct()


class Organisation(models.Model):
    """A company or institution. One profile, shared by every network it is a member of."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Unternehmen")
        RESEARCH = "research", _("Hochschule / Forschung")
        ADMINISTRATION = "administration", _("Kommune / Verwaltung")
        ASSOCIATION = "association", _("Verband / Kammer")
        CONSULTANCY = "consultancy", _("Beratung")
        MULTIPLIER = "multiplier", _("Multiplikator")

    class SizeClass(models.TextChoices):
        MICRO = "micro", _("Kleinstunternehmen")
        SMALL = "small", _("Kleines Unternehmen")
        MEDIUM = "medium", _("Mittleres Unternehmen")
        LARGE = "large", _("Großunternehmen")
        UNKNOWN = "unknown", _("unbekannt")

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    activity = models.ForeignKey(
        EconomicActivity,
        verbose_name=_("Wirtschaftszweig (WZ)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employees = models.PositiveIntegerField(_("Beschäftigte"), null=True, blank=True)
    turnover = models.DecimalField(_("Jahresumsatz (EUR)"), max_digits=15, decimal_places=2, null=True, blank=True)
    balance_sheet_total = models.DecimalField(_("Bilanzsumme (EUR)"), max_digits=15, decimal_places=2, null=True, blank=True)
    figures_year = models.PositiveSmallIntegerField(_("Jahr der Kennzahlen"), null=True, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=5, blank=True, validators=[postcode_validator])
    municipality = models.CharField(_("Ort / Gemeinde"), max_length=100, blank=True)
    district = models.CharField(_("Kreis"), max_length=100, blank=True)
    state = models.CharField(_("Bundesland"), max_length=100, blank=True)
    country = models.CharField(_("Land"), max_length=100, blank=True, help_text=_("Leer lassen für Deutschland."))
    website = models.URLField(_("Website"), blank=True)
    profile = models.TextField(_("Kurzprofil"), blank=True)
    competencies = models.TextField(_("Kompetenzen / Angebote"), blank=True)
    competency_tags = models.ManyToManyField(Tag, verbose_name=_("Schlagwörter Kompetenzen"), blank=True, related_name="+")
    needs = models.TextField(_("Bedarfe"), blank=True)
    need_tags = models.ManyToManyField(Tag, verbose_name=_("Schlagwörter Bedarfe"), blank=True, related_name="+")
    share_in_directory = models.BooleanField(
        _("Im Mitgliederverzeichnis zeigen"),
        default=True,
        help_text=_("Profil, Kompetenzen und Bedarfe sind für andere Mitglieder der eigenen Verbünde sichtbar."),
    )
    archived_at = models.DateTimeField(_("Im Papierkorb seit"), null=True, blank=True)
    # Folded for search and duplicate matching (members.matching.fold): written by the services, never by a form.
    search_name = models.CharField(max_length=200, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[competency_tags, need_tags], excluded_fields=["search_name", "search_text"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        # On PostgreSQL migration 0005 adds trigram GIN indexes on search_name and search_text.
        indexes = [
            models.Index(fields=["postcode"]),
            models.Index(fields=["municipality"]),
            models.Index(fields=["search_name"]),
            # The few organisations in the trash, for the `NOT IN` of `organisation_in_trash_q` (no join with every member).
            models.Index(fields=["id"], condition=Q(archived_at__isnull=False), name="organisation_in_trash_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def size_class(self) -> str:
        """EU SME class (Recommendation 2003/361/EC): head count plus turnover or balance sheet."""
        if self.employees is None:
            return self.SizeClass.UNKNOWN
        money = [v for v in (self.turnover, self.balance_sheet_total) if v is not None]
        thresholds = [
            (10, Decimal(2_000_000), Decimal(2_000_000), self.SizeClass.MICRO),
            (50, Decimal(10_000_000), Decimal(10_000_000), self.SizeClass.SMALL),
            (250, Decimal(50_000_000), Decimal(43_000_000), self.SizeClass.MEDIUM),
        ]
        for max_staff, max_turnover, max_balance, size in thresholds:
            if self.employees >= max_staff:
                continue
            if not money:
                # Head count alone decides when no financial figures are known.
                return size
            if (self.turnover is not None and self.turnover <= max_turnover) or (
                self.balance_sheet_total is not None and self.balance_sheet_total <= max_balance
            ):
                return size
        return self.SizeClass.LARGE

    def get_size_class_display(self) -> str:
        return str(self.SizeClass(self.size_class).label)


class ContactQuerySet(models.QuerySet["Contact"]):
    def active(self) -> ContactQuerySet:
        return self.filter(archived_at__isnull=True, organisation__archived_at__isnull=True)

    def for_network(self, network: Network) -> ContactQuerySet:
        return self.filter(organisation__memberships__network=network, organisation__memberships__archived_at__isnull=True).distinct()

    def current_in(self, network: Network) -> ContactQuerySet:
        """People (not archived) of the organisations that are current members of `network` (Organisation.current_members_of),
        less those `network` ended its relation to (ContactExit).

        One subquery, not a second `.filter()` across memberships: that would match a membership of another network.
        """
        members = Membership.objects.current().filter(~organisation_in_trash(), network=network).values("organisation_id")
        return self.filter(archived_at__isnull=True, organisation_id__in=members).exclude_exited(network)

    def exclude_exited(self, network: Network) -> ContactQuerySet:
        """Leave out the people `network` ended its relation to: they are in none of its audiences (DESIGN: shared companies)."""
        return self.exclude(pk__in=ContactExit.objects.filter(network=network).values("contact_id"))

    def exited_from(self, network: Network) -> ContactQuerySet:
        """Only the people `network` ended its relation to."""
        return self.filter(pk__in=ContactExit.objects.filter(network=network).values("contact_id"))

    def visible_to(self, user: User | AnonymousUser) -> ContactQuerySet:
        """Contacts of the member user's own organisation."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__contacts__user=user, organisation__archived_at__isnull=True).distinct()


class Contact(models.Model):
    """A person at an organisation (Ansprechpartner:in); optionally the holder of a login."""

    class Salutation(models.TextChoices):
        NONE = "", _("keine Angabe")
        MS = "ms", _("Frau")
        MR = "mr", _("Herr")
        DIVERSE = "diverse", _("divers")

    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="contacts")
    salutation = models.CharField(_("Anrede"), max_length=10, choices=Salutation.choices, blank=True)
    title = models.CharField(_("Titel"), max_length=50, blank=True)
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100)
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("Hauptansprechpartner:in"), default=False)
    is_kuemmerer = models.BooleanField(
        _("Kümmerer:in"), default=False, help_text=_("Die Person im Unternehmen, die sich um die Beziehung zum Verbund kümmert.")
    )
    # Set when a mail server refused the address for good (550 while sending, a hard bounce later); cleared by a manager.
    email_undeliverable_at = models.DateTimeField(_("E-Mail unzustellbar seit"), null=True, blank=True)
    email_undeliverable_reason = models.CharField(_("Grund der Unzustellbarkeit"), max_length=300, blank=True)
    user = models.OneToOneField(User, verbose_name=_("Login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contact")
    archived_at = models.DateTimeField(_("Im Papierkorb seit"), null=True, blank=True)
    import_job = models.ForeignKey(BackgroundJob, verbose_name=_("Importiert mit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kontakt")
        verbose_name_plural = _("Kontakte")
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=Q(is_primary=True), name="one_primary_contact_per_organisation")]
        indexes = [
            # The few refused addresses, for "Heute zu tun" (health.todos) without reading every person.
            models.Index(fields=["email_undeliverable_at"], condition=Q(email_undeliverable_at__isnull=False), name="contact_undeliverable_idx"),
            # People A–Z (the default order): the first 300 for a dropdown without sorting 150,000.
            models.Index(fields=["last_name", "first_name"], name="contact_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_network(self, network: Network) -> MembershipQuerySet:
        """A network's memberships that are not in its trash."""
        return self.filter(network=network, archived_at__isnull=True)

    def trashed_in(self, network: Network) -> MembershipQuerySet:
        return self.filter(network=network, archived_at__isnull=False)

    def current(self) -> MembershipQuerySet:
        """Current memberships (verbund.models.current_membership_q): active or paused, not in the trash."""
        return self.filter(current_membership_q())

    def listed_in(self, network: Network) -> MembershipQuerySet:
        """What the network's directory lists: memberships outside its trash of organisations outside theirs.

        Without a join: the organisations in the trash are few (a partial index) and excluded by key, so counting and
        paging 50,000 members reads only the membership index `membership_directory_idx`.
        """
        return self.for_network(network).filter(~organisation_in_trash())


def organisation_in_trash() -> Exists:
    """For a membership: its organisation is in the trash. `~organisation_in_trash()` keeps the others.

    A `NOT EXISTS` the planner runs as an anti-join against the partial index `organisation_in_trash_idx` (the
    trash holds a few organisations), keeping the membership index's order: no join with every organisation.
    """
    return Exists(Organisation.objects.filter(pk=OuterRef("organisation_id"), archived_at__isnull=False))


class Membership(models.Model):
    """An organisation's membership in one network, with its role there and its status."""

    class Role(models.TextChoices):
        MANUFACTURER = "manufacturer", _("Hersteller")
        SUPPLIER = "supplier", _("Zulieferer / Vorproduzent")
        USER = "user", _("Anwender")
        RESEARCH = "research", _("Forschung")
        CONSULTANT = "consultant", _("Berater")
        MULTIPLIER = "multiplier", _("Multiplikator")
        ADMINISTRATION = "administration", _("Öffentliche Verwaltung")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Interessent")
        ACTIVE = "active", _("Aktiv")
        PAUSED = "paused", _("Ruhend")
        LEFT = "left", _("Ausgetreten")

        @property
        def is_current(self) -> bool:
            return self in CURRENT_MEMBERSHIP_STATUSES

    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle im Verbund"), max_length=20, choices=Role.choices, default=Role.USER)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField(_("Eintritt"), null=True, blank=True)
    left_on = models.DateField(_("Austritt"), null=True, blank=True)
    annual_fee = models.DecimalField(_("Jahresbeitrag (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("Bemerkungen"), blank=True)
    import_job = models.ForeignKey(BackgroundJob, verbose_name=_("Importiert mit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    archived_at = models.DateTimeField(
        _("Im Papierkorb seit"), null=True, blank=True, help_text=_("Aus dem Verzeichnis dieses Verbunds entfernt; 30 Tage wiederherstellbar.")
    )
    archived_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The organisation's folded name (Organisation.search_name), copied so that the directory sorts and pages a network's
    # members on one index without joining every organisation; written by `save` and `organisation_refresh_search`.
    sort_name = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["archived_by", "sort_name"])
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["network__name", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "network"], name="unique_membership"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(annual_fee__isnull=True) | Q(annual_fee__gte=0), name="membership_fee_not_negative"),
        ]
        indexes = [
            # The directory A–Z (and its deep pages) and the member counts: an index-only scan of one network's rows.
            models.Index(
                fields=["network", "sort_name", "id", "organisation", "status"], condition=Q(archived_at__isnull=True), name="membership_directory_idx"
            ),
            # "Zuletzt aufgenommen" on the start page.
            models.Index(fields=["network", "created_at", "id"], condition=Q(archived_at__isnull=True), name="membership_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.network}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "organisation" in update_fields:
            # A bulk_create must set it itself (members.imports.jobs does); `refresh_sort_names` repairs.
            self.sort_name = self.organisation.search_name
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "sort_name"]
        super().save(*args, **kwargs)


class MembershipStatusChange(models.Model):
    """One step in a membership's life (prospect → active → paused → left), with who and when."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("von"), max_length=20, choices=Membership.Status.choices, blank=True)
    to_status = models.CharField(_("nach"), max_length=20, choices=Membership.Status.choices)
    effective_on = models.DateField(_("wirksam ab"))
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Statuswechsel")
        verbose_name_plural = _("Statuswechsel")
        ordering = ["membership", "-effective_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.from_status or '–'} → {self.to_status} ({self.effective_on})"


class Consent(models.Model):
    """A consent as a record with proof: what, for which network, when, how, which text; and its withdrawal.

    Never a bare boolean: the current state is the newest record for a purpose.
    """

    class Purpose(models.TextChoices):
        NEWSLETTER = "newsletter", _("Infobrief des Verbunds")
        PARTICIPANT_LIST = "participant_list", _("Veröffentlichung in Teilnehmendenlisten")
        PHOTOS = "photos", _("Fotos bei Veranstaltungen")
        DIRECTORY = "directory", _("Eintrag im Mitgliederverzeichnis")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Selbstauskunft im Portal")
        MANAGER = "manager", _("Erfasst durch die Geschäftsstelle")
        PAPER = "paper", _("Schriftlich / Formular")
        EMAIL = "email", _("Per E-Mail")
        IMPORT = "import", _("Import")
        DOUBLE_OPT_IN = "double_opt_in", _("Double-Opt-in")

    contact = models.ForeignKey(Contact, verbose_name=_("Kontakt"), on_delete=models.CASCADE, related_name="consents")
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("Zweck"), max_length=30, choices=Purpose.choices)
    granted_at = models.DateTimeField(_("Erteilt am"))
    source = models.CharField(_("Quelle"), max_length=20, choices=Source.choices)
    text_version = models.CharField(_("Fassung des Einwilligungstextes"), max_length=50)
    evidence = models.TextField(_("Nachweis"), blank=True, help_text=_("z. B. IP-Adresse, Formularname, Aktenzeichen"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)
    withdrawal_source = models.CharField(_("Widerruf über"), max_length=20, choices=Source.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Einwilligung")
        verbose_name_plural = _("Einwilligungen")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["contact", "network", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("granted_at")),
                name="consent_withdrawn_after_granted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} – {self.get_purpose_display()} ({self.network})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class GovernancePosition(models.Model):
    """Who holds which office in a network: chair, deputy, board, office (Geschäftsstelle)."""

    class Function(models.TextChoices):
        CHAIR = "chair", _("Vorsitz")
        DEPUTY = "deputy", _("Stellvertretender Vorsitz")
        BOARD = "board", _("Vorstand / Lenkungskreis")
        OFFICE = "office", _("Geschäftsstelle")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="governance_positions")
    contact = models.ForeignKey(Contact, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="governance_positions")
    function = models.CharField(_("Funktion"), max_length=20, choices=Function.choices)
    since = models.DateField(_("seit"), null=True, blank=True)
    until = models.DateField(_("bis"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Gremienfunktion")
        verbose_name_plural = _("Gremienfunktionen")
        ordering = ["network", "function", "contact__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "contact", "function"], name="unique_governance_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_function_display()}: {self.contact} ({self.network})"


class SavedFilter(models.Model):
    """A manager's named directory filter: the query string of the directory URL."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_filters")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("Name"), max_length=80)
    query = models.CharField(_("Filter"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Gespeicherter Filter")
        verbose_name_plural = _("Gespeicherte Filter")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "network", "name"], name="unique_saved_filter_name")]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A manager's invitation for a contact to the member portal. Only the token's hash is stored."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("E-Mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(_("Angenommen am"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.contact.organisation})"


class ErasureTombstone(models.Model):
    """What is left of an erased person: a keyed hash of their email, so a restore cannot bring them back."""

    email_hash = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Löschvermerk")
        verbose_name_plural = _("Löschvermerke")

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.erased_at:%Y-%m-%d})" if self.erased_at else self.email_hash[:12]


class ContactExit(models.Model):
    """A network ended its own relation to a person of a shared company: she leaves that network's audiences only.

    The contact itself stays for the company and the other networks that hold it (DESIGN: shared companies).
    """

    contact = models.ForeignKey(Contact, verbose_name=_("Kontakt"), on_delete=models.CASCADE, related_name="exits")
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="contact_exits")
    ended_at = models.DateTimeField(_("Beendet am"), auto_now_add=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Beendete Kontaktbeziehung")
        verbose_name_plural = _("Beendete Kontaktbeziehungen")
        constraints = [models.UniqueConstraint(fields=["contact", "network"], name="unique_contact_exit")]

    def __str__(self) -> str:
        return f"{self.contact} ↛ {self.network}"


class ImportMapping(models.Model):
    """A column mapping saved by a network for the next file of the same shape."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="import_mappings")
    name = models.CharField(_("Name"), max_length=80)
    header = models.JSONField(_("Spaltenüberschriften"), default=list)
    header_row = models.PositiveIntegerField(_("Kopfzeile"), default=1)
    mapping = models.JSONField(_("Zuordnung"), default=dict)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Gespeicherte Importzuordnung")
        verbose_name_plural = _("Gespeicherte Importzuordnungen")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="unique_import_mapping_name")]

    def __str__(self) -> str:
        return self.name


class MergeRecord(models.Model):
    """The audit record of a merge: which record was folded into which, what it held, and what moved."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        CONTACT = "contact", _("Kontakt")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kept_id = models.PositiveIntegerField(_("Behalten (ID)"))
    merged_id = models.PositiveIntegerField(_("Zusammengeführt (ID)"))
    merged_label = models.CharField(_("Zusammengeführt"), max_length=300)
    snapshot = models.JSONField(_("Daten des zusammengeführten Datensatzes"), default=dict)
    moved = models.JSONField(_("Verschoben"), default=dict)
    merged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Zusammenführung")
        verbose_name_plural = _("Zusammenführungen")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_label} → {self.kept_id}"


class DuplicateDismissal(models.Model):
    """A manager said two records are not the same ("keine Dublette"): the pair leaves the network's Dubletten page."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=20, choices=MergeRecord.Kind.choices)
    low_id = models.PositiveIntegerField()
    high_id = models.PositiveIntegerField()
    dismissed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Keine Dublette")
        verbose_name_plural = _("Keine Dubletten")
        constraints = [
            models.UniqueConstraint(fields=["network", "kind", "low_id", "high_id"], name="unique_duplicate_dismissal"),
            models.CheckConstraint(condition=Q(low_id__lt=models.F("high_id")), name="duplicate_dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.low_id} ≠ {self.high_id}"


# --- editable field sets: the one list each form, service and import reads -------------------------------------

ORGANISATION_FIELDS = FieldSet(
    Organisation,
    names=(
        "name",
        "kind",
        "street",
        "postcode",
        "municipality",
        "district",
        "state",
        "country",
        "website",
        "employees",
        "turnover",
        "balance_sheet_total",
        "figures_year",
        "profile",
        "competencies",
        "needs",
        "share_in_directory",
        "activity",
    ),
    # Tags are edited as comma-separated text (members.services.tags_from_text).
    internal=("archived_at", "search_name", "search_text", "created_at", "updated_at", "competency_tags", "need_tags"),
)
# The form asks for the WZ code as text and resolves `activity` itself.
ORGANISATION_FORM_FIELDS = ORGANISATION_FIELDS.without("activity")

CONTACT_FIELDS = FieldSet(
    Contact,
    names=("salutation", "title", "first_name", "last_name", "function", "email", "phone", "is_primary", "is_kuemmerer"),
    internal=("organisation", "user", "archived_at", "import_job", "created_at", "updated_at", "email_undeliverable_at", "email_undeliverable_reason"),
)

MEMBERSHIP_FIELDS = FieldSet(
    Membership,
    names=("role", "annual_fee", "notes"),
    # Status and its dates change only through membership_change_status, which records each step.
    internal=("organisation", "network", "status", "joined_on", "left_on", "import_job", "archived_at", "archived_by", "sort_name", "created_at", "updated_at"),
)
