"""Needs and offers of member organisations, the matches the office confirms, and the round tables that follow (issue 19).

An entry belongs to exactly one network: the organisation posts it in one of the networks it is a current member of.
Managers see the entries of the networks they run; members see their own organisation's entries and, of the other
members of their networks, the entries marked visible to the network. Nothing crosses networks: an organisation that
is a member of two networks posts the entry again in the other one if it wants it seen there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events.models import Meeting
from members.models import Contact, Organisation, Tag
from verbund.fieldsets import FieldSet
from verbund.models import Network


class NeedOfferQuerySet(models.QuerySet["NeedOffer"]):
    def for_network(self, network: Network) -> NeedOfferQuerySet:
        return self.filter(network=network)

    def for_member(self, organisation: Organisation) -> NeedOfferQuerySet:
        """What a member organisation sees: its own entries, and the network-visible, not withdrawn entries of
        other members in the networks it currently belongs to."""
        networks = Network.objects.joined_by(organisation)
        return self.filter(
            Q(organisation=organisation)
            | Q(network__in=networks, visibility=NeedOffer.Visibility.NETWORK, organisation__archived_at__isnull=True) & ~Q(status=NeedOffer.Status.WITHDRAWN)
        )

    def open(self) -> NeedOfferQuerySet:
        return self.filter(status__in=[NeedOffer.Status.OPEN, NeedOffer.Status.DISCUSSION])


class NeedOffer(models.Model):
    """A need (Bedarf) or an offer (Angebot/Kompetenz) of a member organisation in one network."""

    class Kind(models.TextChoices):
        NEED = "need", _("Bedarf")
        OFFER = "offer", _("Angebot")

    class Urgency(models.TextChoices):
        LOW = "low", _("niedrig")
        NORMAL = "normal", _("mittel")
        HIGH = "high", _("hoch")

    class Visibility(models.TextChoices):
        MANAGERS = "managers", _("Nur Netzwerkmanagement")
        NETWORK = "network", _("Alle Mitglieder des Verbunds")

    class Status(models.TextChoices):
        OPEN = "open", _("Offen")
        DISCUSSION = "discussion", _("Im Gespräch")
        MATCHED = "matched", _("Vermittelt")
        SOLVED = "solved", _("Erledigt")
        WITHDRAWN = "withdrawn", _("Zurückgezogen")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.NEED)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("Schlagwörter"), blank=True, related_name="+")
    urgency = models.CharField(_("Dringlichkeit"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    visibility = models.CharField(_("Sichtbar für"), max_length=10, choices=Visibility.choices, default=Visibility.NETWORK)
    contact = models.ForeignKey(Contact, verbose_name=_("Ansprechperson"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    round_table = models.ForeignKey(Meeting, verbose_name=_("Runder Tisch"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[tags])
    objects = NeedOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bedarf/Angebot")
        verbose_name_plural = _("Bedarfe und Angebote")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["network", "kind", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", kwargs={"network_slug": self.network.slug, "pk": self.pk})


class Match(models.Model):
    """A need paired with a provider (an organisation, and the offer that fits, if one does), proposed, confirmed or declined."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Vorgeschlagen")
        CONFIRMED = "confirmed", _("Bestätigt")
        DECLINED = "declined", _("Verworfen")

    need = models.ForeignKey(NeedOffer, verbose_name=_("Bedarf"), on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(NeedOffer, verbose_name=_("Angebot"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Anbieter"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.CharField(_("Begründung"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("Entschieden am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Vermittlung")
        verbose_name_plural = _("Vermittlungen")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["need", "organisation"], name="one_match_per_need_and_provider")]

    def __str__(self) -> str:
        return f"{self.need} → {self.organisation}"


NEED_OFFER_FIELDS = FieldSet(
    NeedOffer,
    names=("kind", "title", "description", "urgency", "visibility", "contact"),
    internal=("network", "organisation", "tags", "status", "round_table", "created_by", "created_at", "updated_at"),
    printed=(),
)
