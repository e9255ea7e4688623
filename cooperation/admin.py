"""Admin of cooperation: read-mostly; changes go through the services (cooperation/<area>.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperation.models import DecisionOption, DecisionPaper, Project, ProjectLink, ProjectParticipant
from verbund.admin import ReadOnlyAdmin


# --- projects (issue 19) -------------------------------------------------------------------------------------------
class ProjectParticipantInline(admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    fields = ["organisation", "role"]
    readonly_fields = ["organisation", "role"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["network", "parent", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    search_fields = ["network__name"]
    inlines = [ProjectParticipantInline]


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["organisation", "project", "role"]


@admin.register(ProjectLink)
class ProjectLinkAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "project", "created_at"]


class DecisionOptionInline(admin.TabularInline):
    model = DecisionOption
    extra = 0
    fields = ["position", "title", "pros", "cons"]
    readonly_fields = fields
    can_delete = False


@admin.register(DecisionPaper)
class DecisionPaperAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "project", "status", "decided_on"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [DecisionOptionInline]


@admin.register(DecisionOption)
class DecisionOptionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "paper", "position"]
