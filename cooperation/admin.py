from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cooperation.models import Answer, KnowledgeEntry, Question, QuestionRouting, SuggestionSupport, TopicSuggestion
from verbund.admin import ReadOnlyAdmin


@admin.register(Question, QuestionRouting, Answer, KnowledgeEntry, TopicSuggestion, SuggestionSupport)
class QuestionsAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Questions, answers, consents and suggestions are the members' own: staff can see them, the portal and the office change them."""
