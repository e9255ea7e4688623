"""The Infobrief: a network's newsletter, composed from typed entries and sent by Celery with one delivery row per recipient.

The delivery rows are the truth about who got what (QUALITY.md R-1): a worker
claims a batch of rows, sends over one SMTP connection and marks each row right
after the server accepted it. A row claimed by a worker that died goes back to
the queue after a timeout (its attempts show it was tried before), so only a
message the server accepted in that window can arrive twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events.models import Meeting
from members.models import Contact
from verbund.fieldsets import FieldSet
from verbund.models import Network, User

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Bitte eine Farbe als #RRGGBB angeben."))

DEFAULT_CONSENT_TEXT = (
    "Ich möchte den Infobrief des Verbunds per E-Mail erhalten. Meine E-Mail-Adresse wird nur dafür verwendet "
    "und nicht weitergegeben. Ich kann den Infobrief jederzeit über den Link in jeder Ausgabe abbestellen."
)


class NewsletterSettings(models.Model):
    """The network's reusable Infobrief template: sender, logo, colours, imprint footer, subscription text."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="newsletter_settings")
    title = models.CharField(_("Name des Infobriefs"), max_length=200, blank=True, help_text=_("z. B. „Infobrief energieland 2050“"))
    sender_name = models.CharField(_("Absendername"), max_length=100, blank=True)
    reply_to = models.EmailField(_("Antworten an"), blank=True)
    logo = models.FileField(_("Logo"), upload_to="newsletters/logos/", blank=True)
    primary_colour = models.CharField(_("Hauptfarbe"), max_length=7, default="#1d4f7a", validators=[COLOUR])
    accent_colour = models.CharField(_("Akzentfarbe"), max_length=7, default="#e8f0f7", validators=[COLOUR])
    footer = models.TextField(_("Fußzeile (Impressum)"), blank=True, help_text=_("Anschrift, Vertretungsberechtigte, Kontakt – steht unter jeder Ausgabe."))
    public_archive = models.BooleanField(_("Archiv öffentlich"), default=False, help_text=_("Versendete Ausgaben sind ohne Anmeldung lesbar."))
    allow_subscriptions = models.BooleanField(_("Externe Anmeldung erlauben"), default=True)
    consent_text = models.TextField(_("Einwilligungstext für externe Abonnent:innen"), default=DEFAULT_CONSENT_TEXT)
    consent_version = models.PositiveIntegerField(_("Fassung des Einwilligungstextes"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Infobrief-Vorlage")
        verbose_name_plural = _("Infobrief-Vorlagen")

    def __str__(self) -> str:
        return self.title or str(self.network)


def new_image_key() -> str:
    """An unguessable name for an entry's image in public URLs (counting ids would let anyone harvest drafts)."""
    return secrets.token_urlsafe(24)


class EntryQuerySet(models.QuerySet["Entry"]):
    def for_network(self, network: Network) -> EntryQuerySet:
        return self.filter(network=network)


class Entry(models.Model):
    """A typed item, entered once and reusable in several Infobriefe (and shown as a date on the portal and in the feed)."""

    class Kind(models.TextChoices):
        FUNDING_CALL = "funding_call", _("Ausschreibung / Förderaufruf")
        DATE = "date", _("Termin")
        TRADE_FAIR = "trade_fair", _("Messe")
        PRESS = "press", _("Presse")
        MEMBER_NEWS = "member_news", _("Aus dem Netzwerk")
        TEXT = "text", _("Freier Text")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="newsletter_entries")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(_("Text"), blank=True, help_text=_("Markdown: **fett**, *kursiv*, Listen mit „-“, Links als [Text](https://…)."))
    link = models.URLField(_("Link"), blank=True, max_length=500)
    funder = models.CharField(_("Fördergeber"), max_length=200, blank=True)
    deadline = models.DateField(_("Frist"), null=True, blank=True)
    starts_at = models.DateTimeField(_("Beginn"), null=True, blank=True)
    ends_at = models.DateTimeField(_("Ende"), null=True, blank=True)
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("Treffen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_entries",
        help_text=_("Aus diesem Treffen übernommen."),
    )
    image = models.FileField(_("Bild"), upload_to="newsletters/images/", blank=True)
    image_alt = models.CharField(_("Bildbeschreibung"), max_length=200, blank=True)
    image_key = models.CharField(max_length=64, unique=True, default=new_image_key, editable=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Infobrief-Beitrag")
        verbose_name_plural = _("Infobrief-Beiträge")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "meeting"], condition=Q(meeting__isnull=False), name="one_entry_per_meeting"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_dated(self) -> bool:
        return self.kind in {self.Kind.DATE, self.Kind.TRADE_FAIR} and self.starts_at is not None

    @property
    def is_published(self) -> bool:
        """Gone out in an Infobrief (sending, paused, sent or cancelled while sending): its image is as public as the mail."""
        return self.placements.filter(infobrief__status__in=Infobrief.PUBLISHED).exists()


class InfobriefQuerySet(models.QuerySet["Infobrief"]):
    def for_network(self, network: Network) -> InfobriefQuerySet:
        return self.filter(network=network)


class Infobrief(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SCHEDULED = "scheduled", _("Geplant")
        SENDING = "sending", _("Wird versendet")
        PAUSED = "paused", _("Angehalten")
        SENT = "sent", _("Versendet")
        CANCELLED = "cancelled", _("Abgebrochen")

    # Statuses in which mails have gone out (a cancel stops a running send; a scheduled one goes back to draft):
    # what the Infobrief shows is public from then on.
    PUBLISHED = (Status.SENDING, Status.PAUSED, Status.SENT, Status.CANCELLED)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="infobriefe")
    subject = models.CharField(_("Betreff"), max_length=150)
    preheader = models.CharField(_("Vorschauzeile"), max_length=150, blank=True, help_text=_("Erscheint in vielen Postfächern neben dem Betreff."))
    intro = models.TextField(_("Einleitung"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(_("Geplanter Versand"), null=True, blank=True)
    # Audience: members' contacts who consented (narrowed by the filters) plus confirmed external subscribers.
    audience_roles = models.JSONField(_("Rollen im Verbund"), default=list, blank=True)
    audience_municipalities = models.JSONField(_("Orte"), default=list, blank=True)
    audience_kinds = models.JSONField(_("Arten von Organisationen"), default=list, blank=True)
    include_subscribers = models.BooleanField(_("Externe Abonnent:innen"), default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    send_requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("Versand abgeschlossen"), null=True, blank=True)
    test_sent_at = models.DateTimeField(_("Zuletzt als Test gesendet"), null=True, blank=True)
    pdf = models.FileField(upload_to="newsletters/pdf/", blank=True)

    # A test send is no edit of the Infobrief: its time is bookkeeping for the wizard, outside the history.
    history = HistoricalRecords(excluded_fields=["test_sent_at"])
    objects = InfobriefQuerySet.as_manager()

    class Meta:
        verbose_name = _("Infobrief")
        verbose_name_plural = _("Infobriefe")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletters:infobrief", kwargs={"network_slug": self.network.slug, "pk": self.pk})

    @property
    def editable(self) -> bool:
        """Content and audience can change until sending starts; after that the entries are frozen (the archive shows them)."""
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}

    @property
    def has_content(self) -> bool:
        """Something to send: placed entries or an introduction (the content step is done; sending needs it)."""
        return bool(self.intro.strip()) or self.placements.exists()


class InfobriefEntry(models.Model):
    infobrief = models.ForeignKey(Infobrief, on_delete=models.CASCADE, related_name="placements")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="placements")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["infobrief", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["infobrief", "entry"], name="entry_once_per_infobrief")]

    def __str__(self) -> str:
        return f"{self.infobrief_id} #{self.position}: {self.entry_id}"


class Subscriber(models.Model):
    """An external subscriber with the double-opt-in record German courts expect as proof."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Unbestätigt")
        CONFIRMED = "confirmed", _("Bestätigt")
        UNSUBSCRIBED = "unsubscribed", _("Abgemeldet")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="newsletter_subscribers")
    email = models.EmailField(_("E-Mail"))
    name = models.CharField(_("Name"), max_length=200, blank=True)
    organisation = models.CharField(_("Organisation"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("Angefordert am"))
    request_ip = models.GenericIPAddressField(_("IP-Adresse der Anforderung"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("Bestätigungsmail gesendet am"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    confirm_ip = models.GenericIPAddressField(_("IP-Adresse der Bestätigung"), null=True, blank=True)
    consent_text = models.TextField(_("Einwilligungstext"))
    consent_version = models.PositiveIntegerField(_("Fassung des Einwilligungstextes"))
    unsubscribed_at = models.DateTimeField(_("Abgemeldet am"), null=True, blank=True)
    unsubscribe_source = models.CharField(_("Abgemeldet über"), max_length=30, blank=True)
    email_undeliverable_at = models.DateTimeField(_("E-Mail unzustellbar seit"), null=True, blank=True)
    email_undeliverable_reason = models.CharField(_("Grund der Unzustellbarkeit"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Abonnent:in")
        verbose_name_plural = _("Abonnent:innen")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["network", "email"], name="one_subscription_per_address")]

    def __str__(self) -> str:
        return self.email


class Suppression(models.Model):
    """An address that receives no Infobrief of this network any more: hard bounce, complaint or unsubscribed."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Unzustellbar")
        UNSUBSCRIBED = "unsubscribed", _("Abgemeldet")
        COMPLAINED = "complained", _("Beschwerde")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="newsletter_suppressions")
    email = models.EmailField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()  # lifting a bounce block names the manager who did it

    class Meta:
        verbose_name = _("Sperre")
        verbose_name_plural = _("Sperren")
        constraints = [models.UniqueConstraint(fields=["network", "email"], name="one_suppression_per_address")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"


class Bounce(models.Model):
    """A bounce that came back after the mail was accepted (a DSN or a non-standard report), read by newsletters.bounces.

    Hard bounces suppress the address at once; soft ones (mailbox full, …) after SOFT_LIMIT within SOFT_WINDOW_DAYS.
    """

    class Kind(models.TextChoices):
        HARD = "hard", _("Dauerhaft")
        SOFT = "soft", _("Vorübergehend")

    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE, related_name="newsletter_bounces")
    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    delivery = models.ForeignKey("Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces")
    detail = models.CharField(max_length=500, blank=True)
    report_message_id = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Rückläufer")
        verbose_name_plural = _("Rückläufer")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["email", "received_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def open(self) -> DeliveryQuerySet:
        return self.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.RETRY])


class Delivery(models.Model):
    """One recipient of one Infobrief; the row is the truth about whether the mail went out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet")
        CLAIMED = "claimed", _("Wird gesendet")
        SENT = "sent", _("Gesendet")
        RETRY = "retry", _("Erneuter Versuch geplant")
        FAILED = "failed", _("Fehlgeschlagen")
        PARKED = "parked", _("Zurückgestellt")
        CANCELLED = "cancelled", _("Abgebrochen")

    infobrief = models.ForeignKey(Infobrief, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["infobrief", "email"], name="one_delivery_per_address")]
        indexes = [models.Index(fields=["infobrief", "status"]), models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return self.email

    @property
    def message_id(self) -> str:
        """Deterministic: the same delivery always carries the same Message-ID, so a second copy is recognisable."""
        host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "verbund.invalid"
        return f"<infobrief-{self.infobrief_id}.delivery-{self.pk}@{host}>"


# --- editable field sets: the one list each form and service reads (verbund.fieldsets) ---------------------------

ENTRY_FIELDS = FieldSet(
    Entry,
    names=("kind", "title", "body", "link", "funder", "deadline", "starts_at", "ends_at", "place", "image_alt"),
    # The image comes as a checked upload (verbund.uploads); `meeting` is set when an entry is made from one.
    internal=("network", "meeting", "image", "image_key", "created_by", "created_at", "updated_at"),
)
INFOBRIEF_FIELDS = FieldSet(
    Infobrief,
    # The content step edits the first three, the recipients step the audience.
    names=("subject", "preheader", "intro", "audience_roles", "audience_municipalities", "audience_kinds", "include_subscribers"),
    # Sending owns these (newsletters.sending): status, schedule, who asked, when, the last test, the archive's PDF.
    internal=(
        "network",
        "status",
        "scheduled_for",
        "created_by",
        "created_at",
        "updated_at",
        "send_requested_by",
        "send_started_at",
        "sent_at",
        "test_sent_at",
        "pdf",
    ),
)
INFOBRIEF_CONTENT_FIELDS = INFOBRIEF_FIELDS.without("audience_roles", "audience_municipalities", "audience_kinds", "include_subscribers")
NEWSLETTER_SETTINGS_FIELDS = FieldSet(
    NewsletterSettings,
    names=("title", "sender_name", "reply_to", "primary_colour", "accent_colour", "footer", "public_archive", "allow_subscriptions", "consent_text"),
    # A changed consent text becomes a new version (the proof of each subscription names it); the logo is an upload.
    internal=("network", "logo", "consent_version"),
)
