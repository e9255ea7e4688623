"""Questions to the office (Fachfragen), their answers and the knowledge base; topic suggestions (Themenvorschläge)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events.models import AgendaItem, Meeting
from members.models import Contact, Organisation, Tag
from newsletters.models import Entry
from qualification.models import Course
from verbund.fieldsets import FieldSet
from verbund.models import Network, User


class QuestionQuerySet(models.QuerySet["Question"]):
    def for_network(self, network: Network) -> QuestionQuerySet:
        return self.filter(network=network)

    def visible_to_organisation(self, organisation: Organisation) -> QuestionQuerySet:
        """Questions the organisation asked or was asked to answer, only in networks it currently belongs to."""
        return self.filter(
            Q(organisation=organisation) | Q(routings__organisation=organisation),
            network__in=Network.objects.joined_by(organisation),
        ).distinct()


class Question(models.Model):
    """A member's question to the network office; the office routes it to members who can answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offen")
        CLOSED = "closed", _("Abgeschlossen")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Fragende Organisation"), on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(Contact, verbose_name=_("Gestellt von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Frage"))
    tags = models.ManyToManyField(Tag, verbose_name=_("Themen"), blank=True, related_name="+")
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    first_answer_at = models.DateTimeField(_("Erste Antwort am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)
    consent_at = models.DateTimeField(_("Zustimmung zur Veröffentlichung am"), null=True, blank=True)
    consent_by = models.ForeignKey(User, verbose_name=_("Zustimmung von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("Gestellt am"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[tags])
    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Fachfrage")
        verbose_name_plural = _("Fachfragen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def hours_to_first_answer(self) -> float | None:
        if self.first_answer_at is None:
            return None
        return (self.first_answer_at - self.created_at).total_seconds() / 3600


class QuestionRouting(models.Model):
    """The office asked this member organisation to answer the question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="routings")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+")
    routed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    routed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Weiterleitung")
        verbose_name_plural = _("Weiterleitungen")
        ordering = ["routed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "organisation"], name="one_routing_per_organisation")]

    def __str__(self) -> str:
        return f"{self.question_id} → {self.organisation_id}"


class Answer(models.Model):
    """An answer of a routed member; published in the knowledge entry only with its author's consent."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Contact, verbose_name=_("Antwort von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("Antwort"))
    consent_at = models.DateTimeField(_("Zustimmung zur Veröffentlichung am"), null=True, blank=True)
    consent_by = models.ForeignKey(User, verbose_name=_("Zustimmung von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published = models.BooleanField(_("Veröffentlicht"), default=False)
    created_at = models.DateTimeField(_("Beantwortet am"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class KnowledgeEntryQuerySet(models.QuerySet["KnowledgeEntry"]):
    def for_network(self, network: Network) -> KnowledgeEntryQuerySet:
        return self.filter(network=network)

    def search(self, words: str) -> KnowledgeEntryQuerySet:
        """Entries that contain every word in their title, question, answers or tags."""
        result = self
        for word in words.split()[:10]:
            result = result.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(tags__name__icontains=word))
        return result.distinct()


class KnowledgeEntry(models.Model):
    """A closed question with its consented answers, readable and searchable by the members of its network."""

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="+")
    question = models.OneToOneField(Question, verbose_name=_("Fachfrage"), on_delete=models.CASCADE, related_name="knowledge_entry")
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Inhalt"))
    tags = models.ManyToManyField(Tag, verbose_name=_("Themen"), blank=True, related_name="+")
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("Veröffentlicht am"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[tags])
    objects = KnowledgeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Wissenseintrag")
        verbose_name_plural = _("Wissenseinträge")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TopicSuggestion(models.Model):
    """A member's proposal of a topic for a meeting, the Infobrief or a course; the office may take it up."""

    class Target(models.TextChoices):
        MEETING = "meeting", _("Treffen")
        INFOBRIEF = "infobrief", _("Infobrief")
        COURSE = "course", _("Weiterbildung")

    class Status(models.TextChoices):
        OPEN = "open", _("Offen")
        TAKEN = "taken", _("Aufgenommen")

    network = models.ForeignKey(Network, verbose_name=_("Verbund"), on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="+")
    proposed_by = models.ForeignKey(Contact, verbose_name=_("Vorgeschlagen von"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("Thema"), max_length=200)
    text = models.TextField(_("Beschreibung"), blank=True)
    target = models.CharField(_("Vorgeschlagen für"), max_length=20, choices=Target.choices, default=Target.MEETING)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    taken_at = models.DateTimeField(_("Aufgenommen am"), null=True, blank=True)
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("Vorgeschlagen am"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Themenvorschlag")
        verbose_name_plural = _("Themenvorschläge")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SuggestionSupport(models.Model):
    """One person supports a suggestion (once; withdrawing deletes the row)."""

    suggestion = models.ForeignKey(TopicSuggestion, on_delete=models.CASCADE, related_name="supports")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Unterstützung")
        verbose_name_plural = _("Unterstützungen")
        constraints = [models.UniqueConstraint(fields=["suggestion", "contact"], name="one_support_per_person")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} ← {self.contact_id}"


QUESTION_FIELDS = FieldSet(
    Question,
    names=("title", "text"),
    internal=("network", "organisation", "asked_by", "tags", "status", "first_answer_at", "closed_at", "consent_at", "consent_by", "created_at", "updated_at"),
)
ANSWER_FIELDS = FieldSet(Answer, names=("text",), internal=("question", "organisation", "author", "consent_at", "consent_by", "published", "created_at"))
SUGGESTION_FIELDS = FieldSet(
    TopicSuggestion,
    names=("title", "text", "target"),
    internal=("network", "organisation", "proposed_by", "status", "taken_at", "agenda_item", "meeting", "entry", "course", "created_at", "updated_at"),
)
