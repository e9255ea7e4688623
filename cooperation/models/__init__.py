"""The models of cooperation, one module per area; each area's module is imported here so Django finds its models."""

from cooperation.models.questions import Answer, KnowledgeEntry, Question, QuestionRouting, SuggestionSupport, TopicSuggestion  # noqa: F401
