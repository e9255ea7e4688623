"""Admin of cooperation: read-mostly; writes go through the services of cooperation's areas."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperation.models import ContactLogEntry, Match, NeedOffer, Prospect, ProspectStep
from verbund.admin import ReadOnlyAdmin


@admin.register(NeedOffer)
class NeedOfferAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "organisation", "network", "status", "visibility", "created_at"]
    list_filter = ["network", "kind", "status", "visibility"]
    search_fields = ["title", "organisation__name"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["need", "organisation", "status", "decided_at"]
    list_filter = ["status", "need__network"]


@admin.register(ContactLogEntry)
class ContactLogEntryAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """The office's contact log (outreach): kept by the portal's services."""

    list_display = ["happened_on", "kind", "organisation", "network", "office_user", "next_step_due", "next_step_done_at"]
    list_filter = ["kind", "network"]
    search_fields = ["organisation__name", "summary", "next_step"]
    list_select_related = ["organisation", "network", "office_user"]


@admin.register(Prospect)
class ProspectAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Prospects on their way to membership (outreach): moved by the portal's services."""

    list_display = ["membership", "network", "stage", "source", "owner", "updated_at"]
    list_filter = ["stage", "source", "network"]
    list_select_related = ["membership__organisation", "network", "owner"]


@admin.register(ProspectStep)
class ProspectStepAdmin(ReadOnlyAdmin):
    list_display = ["prospect", "from_stage", "to_stage", "on", "by"]
