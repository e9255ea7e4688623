from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from newsletters.models import (
    Bounce,
    Delivery,
    Entry,
    Infobrief,
    NewsletterSettings,
    Subscriber,
    Suppression,
)
from verbund.admin import ReadOnlyAdmin


@admin.register(NewsletterSettings)
class NewsletterSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "network", "public_archive", "allow_subscriptions", "consent_version"]


@admin.register(Entry)
class EntryAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "kind", "deadline", "starts_at"]
    list_filter = ["network", "kind"]
    search_fields = ["title", "funder"]
    raw_id_fields = ["meeting", "created_by"]


@admin.register(Infobrief)
class InfobriefAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "network", "status", "scheduled_for", "sent_at"]
    list_filter = ["network", "status"]
    search_fields = ["subject"]
    readonly_fields = ["status", "send_started_at", "sent_at", "pdf"]


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    """The double-opt-in record is proof: staff read it, only the portal writes it."""

    list_display = ["email", "network", "status", "requested_at", "confirmed_at", "consent_version", "unsubscribed_at"]
    list_filter = ["network", "status"]
    search_fields = ["email", "name"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["email", "infobrief", "status", "attempts", "smtp_code", "sent_at"]
    list_filter = ["status"]
    search_fields = ["email"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["email", "network", "reason", "created_at"]
    list_filter = ["network", "reason"]
    search_fields = ["email"]


@admin.register(Bounce)
class BounceAdmin(ReadOnlyAdmin):
    list_display = ["email", "network", "kind", "received_at", "detail"]
    list_filter = ["network", "kind"]
    search_fields = ["email"]
