"""Forms of the satisfaction survey: the office's (year, settings, a question) and the public answer sheet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.models import SURVEY_FIELDS, SURVEY_QUESTION_FIELDS, Survey, SurveyQuestion
from health.surveys import TEXT_MAX_LENGTH
from verbund.forms import DATE, CleanTextMixin

NO_ANSWER = "na"  # the "keine Angabe" choice: answered, but without a score
SCALE_CHOICES = [
    ("5", _("5 – sehr gut")),
    ("4", _("4 – gut")),
    ("3", _("3 – teils, teils")),
    ("2", _("2 – weniger gut")),
    ("1", _("1 – schlecht")),
    (NO_ANSWER, _("keine Angabe")),
]


class SurveyCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Jahr"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class SurveySettingsForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = SURVEY_FIELDS.names
        widgets = {"intro": forms.Textarea(attrs={"rows": 4}), "closes_on": DATE}


class QuestionForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = SurveyQuestion
        fields = SURVEY_QUESTION_FIELDS.names
        widgets = {"kind": forms.RadioSelect}


class AnswerForm(forms.Form):
    """One field per question, named after the question's key: a radio group (1–5 or "keine Angabe") or a text box."""

    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == SurveyQuestion.Kind.SCALE:
                self.fields[question.key] = forms.ChoiceField(
                    label=question.text,
                    choices=SCALE_CHOICES,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Bitte wählen Sie eine Antwort (oder „keine Angabe“)."),
                        "invalid_choice": _("Bitte wählen Sie einen Wert von 1 bis 5."),
                    },
                )
            else:
                self.fields[question.key] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=_("Freiwillig. Bitte keine Namen nennen: Ihre Antwort soll niemandem zugeordnet werden können."),
                )

    def answers(self) -> dict[str, int | str | None]:
        """The cleaned values as survey_answer takes them: scores as int, "keine Angabe" as None, texts as text."""
        found: dict[str, int | str | None] = {}
        for question in self.questions:
            value: Any = self.cleaned_data.get(question.key)
            if question.kind == SurveyQuestion.Kind.SCALE:
                found[question.key] = None if value == NO_ANSWER else int(value)
            else:
                found[question.key] = value or ""
        return found
