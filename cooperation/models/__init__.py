"""The models of cooperation, one module per area; each area's module is imported here so Django finds its models."""

from cooperation.models.projects import DecisionOption, DecisionPaper, Project, ProjectLink, ProjectParticipant  # noqa: F401
