"""The models of cooperation, one module per area; each area's module is imported here so Django finds its models."""

from cooperation.models.needs import NEED_OFFER_FIELDS, Match, NeedOffer  # noqa: F401
from cooperation.models.outreach import *  # noqa: F403 – the contact log and acquisition
from cooperation.models.projects import DecisionOption, DecisionPaper, Project, ProjectLink, ProjectParticipant  # noqa: F401
from cooperation.models.questions import Answer, KnowledgeEntry, Question, QuestionRouting, SuggestionSupport, TopicSuggestion  # noqa: F401
