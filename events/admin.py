from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from events.models import (
    ActionItem,
    AgendaItem,
    DocumentationSettings,
    InvitationRecipient,
    Meeting,
    MeetingAttachment,
    MeetingDocument,
    MeetingInvitation,
    MeetingLogo,
    MeetingMessage,
    MeetingMessageRecipient,
    MeetingSeries,
    MinuteEntry,
    Registration,
    SatisfactionResponse,
)
from verbund.admin import ReadOnlyAdmin


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "network"]
    list_filter = ["network"]
    search_fields = ["name"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "starts_at", "ends_at", "kind", "title", "speaker"]


class DocumentationSettingsInline(admin.StackedInline):
    model = DocumentationSettings
    extra = 0


class MeetingLogoInline(admin.TabularInline):
    """Logos are uploaded on the meeting's documentation page (re-encoded there); here they are only named or ordered."""

    model = MeetingLogo
    extra = 0
    readonly_fields = ["logo"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "kind", "starts_at", "status", "is_public"]
    list_filter = ["network", "kind", "status", "is_public"]
    search_fields = ["title", "venue_name"]
    date_hierarchy = "starts_at"
    inlines = [AgendaInline, DocumentationSettingsInline, MeetingLogoInline]


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "consent_participant_list", "consent_photos", "created_at"]
    list_filter = ["status", "meeting__network"]
    search_fields = ["contact__last_name", "guest_name", "guest_email", "meeting__title"]
    raw_id_fields = ["meeting", "contact", "registered_by"]


@admin.register(MinuteEntry)
class MinuteEntryAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "meeting", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["meeting", "agenda_item", "created_by"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "owner", "due_on", "done_at"]
    list_filter = ["network"]
    search_fields = ["title"]
    raw_id_fields = ["meeting", "owner", "created_by"]


@admin.register(MeetingAttachment)
class MeetingAttachmentAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "kind", "people_shown", "in_documentation", "size"]
    list_filter = ["kind", "people_shown"]
    raw_id_fields = ["meeting", "agenda_item", "uploaded_by"]
    readonly_fields = ["file", "thumbnail", "content_type", "size"]


@admin.register(MeetingDocument, MeetingInvitation, InvitationRecipient, MeetingMessage, MeetingMessageRecipient, SatisfactionResponse)
class EventRecordAdmin(ReadOnlyAdmin):
    """Rendered documents, sent invitations and pulse answers: evidence, changed only by the portal."""
