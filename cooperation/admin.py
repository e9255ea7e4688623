"""Admin of cooperation: read-mostly — entries and matches are changed through the services (cooperation.needs)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperation.models import Match, NeedOffer
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
