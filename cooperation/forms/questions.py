"""Forms of questions to the office, the knowledge base and topic suggestions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Answer, Question, TopicSuggestion
from cooperation.models.questions import QUESTION_FIELDS, SUGGESTION_FIELDS
from events.models import Meeting
from members.models import Organisation
from newsletters.models import Infobrief
from qualification.models import Topic
from verbund.forms import CleanTextMixin
from verbund.models import Network

MAX_TEXT = 10_000


def _limit_networks(form: forms.BaseForm, organisation: Organisation) -> None:
    """A member picks one of the networks its organisation belongs to."""
    field = form.fields["network"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = Network.objects.joined_by(organisation).order_by("name")


class QuestionForm(CleanTextMixin, forms.ModelForm):
    network = forms.ModelChoiceField(label=_("Verbund"), queryset=Network.objects.none(), empty_label=None)
    tags_text = forms.CharField(label=_("Themen (Schlagwörter)"), required=False, max_length=1000, help_text=_("durch Kommas getrennt"))

    class Meta:
        model = Question
        fields = QUESTION_FIELDS.names
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_networks(self, organisation)
        self.fields["text"].validators.append(MaxLengthValidator(MAX_TEXT))
        self.order_fields(["network", "title", "text", "tags_text"])


class AnswerForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Ihre Antwort"), widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_TEXT)


class RouteForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(label=_("Weiterleiten an"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            Organisation.objects.current_members_of(question.network)
            .exclude(pk=question.organisation_id)
            .exclude(pk__in=question.routings.values("organisation_id"))
            .order_by("name")
        )


class PublishForm(forms.Form):
    answers = forms.ModelMultipleChoiceField(
        label=_("Antworten im Wissenseintrag"),
        queryset=Answer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Nur Antworten, deren Organisation der Veröffentlichung zugestimmt hat."),
    )

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["answers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = question.answers.filter(consent_at__isnull=False).select_related("organisation")
        field.label_from_instance = lambda a: f"{a.organisation.name}: {a.text[:80]}"  # type: ignore[method-assign]  # Django calls it per choice


class SearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(label=_("Suchbegriffe"), required=False, max_length=200)


class SuggestionForm(CleanTextMixin, forms.ModelForm):
    network = forms.ModelChoiceField(label=_("Verbund"), queryset=Network.objects.none(), empty_label=None)

    class Meta:
        model = TopicSuggestion
        fields = SUGGESTION_FIELDS.names
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "target": forms.RadioSelect}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_networks(self, organisation)
        self.fields["text"].validators.append(MaxLengthValidator(MAX_TEXT))
        self.order_fields(["network", "title", "text", "target"])


class TakeForm(CleanTextMixin, forms.Form):
    """Where the office takes a suggestion: a meeting's programme, a draft Infobrief or a planned course."""

    target = forms.ChoiceField(label=_("Aufnehmen in"), choices=TopicSuggestion.Target.choices, widget=forms.RadioSelect)
    meeting = forms.ModelChoiceField(label=_("Treffen für das Programm"), queryset=Meeting.objects.none(), required=False)
    infobrief = forms.ModelChoiceField(label=_("Infobrief-Entwurf"), queryset=Infobrief.objects.none(), required=False)
    topic = forms.ModelChoiceField(label=_("Thema im Qualifizierungsprogramm"), queryset=Topic.objects.none(), required=False)
    year = forms.IntegerField(label=_("Jahr der Weiterbildung"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, suggestion: TopicSuggestion, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"target": suggestion.target, "year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        meeting = self.fields["meeting"]
        infobrief = self.fields["infobrief"]
        topic = self.fields["topic"]
        assert isinstance(meeting, forms.ModelChoiceField) and isinstance(infobrief, forms.ModelChoiceField) and isinstance(topic, forms.ModelChoiceField)
        topic.queryset = Topic.objects.filter(network=suggestion.network, archived_at__isnull=True).order_by("position", "title")
        meeting.queryset = Meeting.objects.for_network(suggestion.network).upcoming()
        infobrief.queryset = Infobrief.objects.filter(network=suggestion.network, status=Infobrief.Status.DRAFT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        needed = {"meeting": ["meeting"], "infobrief": ["infobrief"], "course": ["topic", "year"]}.get(cleaned.get("target") or "", [])
        for name in needed:
            if not cleaned.get(name):
                self.add_error(name, _("Bitte angeben."))
        return cleaned
