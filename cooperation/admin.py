"""Admin of cooperation: read-mostly; changes go through the services (cooperation/<area>.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperation.models import (
    Answer,
    ContactLogEntry,
    DecisionOption,
    DecisionPaper,
    KnowledgeEntry,
    Match,
    NeedOffer,
    Project,
    ProjectLink,
    ProjectParticipant,
    Prospect,
    ProspectStep,
    Question,
    QuestionRouting,
    SuggestionSupport,
    TopicSuggestion,
)
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


@admin.register(Question, QuestionRouting, Answer, KnowledgeEntry, TopicSuggestion, SuggestionSupport)
class QuestionsAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Questions, answers, consents and suggestions are the members' own: staff can see them, the portal and the office change them."""
