"""Organisations, their people (contacts) and their memberships in networks."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from verbund.models import Network, User

postcode_validator = RegexValidator(r"^\d{5}$", _("Bitte eine fünfstellige Postleitzahl angeben."))


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(archived_at__isnull=True)

    def for_network(self, network: Network) -> OrganisationQuerySet:
        """Organisations with any membership (also prospects and former members) in one network."""
        return self.filter(memberships__network=network).distinct()

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
    wz_code = models.CharField(
        _("Wirtschaftszweig (WZ)"), max_length=10, blank=True, help_text=_("Schlüssel der Klassifikation der Wirtschaftszweige, z. B. 28.11")
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
    website = models.URLField(_("Website"), blank=True)
    profile = models.TextField(_("Kurzprofil"), blank=True)
    competencies = models.TextField(_("Kompetenzen / Angebote"), blank=True)
    needs = models.TextField(_("Bedarfe"), blank=True)
    archived_at = models.DateTimeField(_("Archiviert am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["municipality"])]

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
    def for_network(self, network: Network) -> ContactQuerySet:
        return self.filter(organisation__memberships__network=network).distinct()

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

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="contacts"
    )
    salutation = models.CharField(_("Anrede"), max_length=10, choices=Salutation.choices, blank=True)
    title = models.CharField(_("Titel"), max_length=50, blank=True)
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100)
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("Hauptansprechpartner:in"), default=False)
    user = models.OneToOneField(
        User, verbose_name=_("Login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kontakt")
        verbose_name_plural = _("Kontakte")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_primary=True), name="one_primary_contact_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_network(self, network: Network) -> MembershipQuerySet:
        return self.filter(network=network)

    def current(self) -> MembershipQuerySet:
        return self.filter(status__in=[Membership.Status.ACTIVE, Membership.Status.PAUSED])


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
            return self in {self.ACTIVE, self.PAUSED}

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle im Verbund"), max_length=20, choices=Role.choices, default=Role.USER)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField(_("Eintritt"), null=True, blank=True)
    left_on = models.DateField(_("Austritt"), null=True, blank=True)
    annual_fee = models.DecimalField(_("Jahresbeitrag (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
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

    def __str__(self) -> str:
        return f"{self.organisation} in {self.network}"
