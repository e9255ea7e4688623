"""Forms of the company check pages: template editing, the answer sheet, the visit start, sharing.

Forms validate and normalise; the views call the services.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from qualification.models import (
    CHECK_AREA_FORM_FIELDS,
    CHECK_QUESTION_FIELDS,
    CHECK_TEMPLATE_FIELDS,
    SCALE,
    CheckArea,
    CheckQuestion,
    CheckTemplate,
)
from verbund.forms import form_field
from verbund.models import Network, User

OUT_OF_SCALE = _("Bitte eine Bewertung von 0 bis 4 wählen.")
FIELD_NAME = re.compile(r"^(value|note)-(\d+)$")


class TemplateForm(forms.ModelForm):
    class Meta:
        model = CheckTemplate
        fields = CHECK_TEMPLATE_FIELDS.names
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OptionalPositionMixin:
    """An empty "Reihenfolge" keeps the place the item has (new ones: at the end), rather than an error."""

    if TYPE_CHECKING:  # provided by the ModelForm this is mixed into
        fields: dict[str, forms.Field]
        cleaned_data: dict[str, Any]
        instance: CheckArea | CheckQuestion

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False

    def clean_position(self) -> int:
        value = self.cleaned_data.get("position")
        return value if value is not None else (self.instance.position or 0)


class AreaForm(OptionalPositionMixin, forms.ModelForm):
    instance: CheckArea

    topics = forms.CharField(
        label=_("Vorgeschlagene Qualifizierungsthemen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ein Thema pro Zeile; sie werden vorgeschlagen, wenn das Ergebnis in diesem Feld unter 50 Prozent liegt."),
    )

    class Meta:
        model = CheckArea
        fields = CHECK_AREA_FORM_FIELDS
        labels = {"position": _("Reihenfolge")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["topics"] = "\n".join(self.instance.suggested_topics)

    def clean_topics(self) -> list[str]:
        topics: list[str] = []
        for line in self.cleaned_data["topics"].splitlines():
            topic = line.strip()[:200]
            if topic and topic not in topics:
                topics.append(topic)
        return topics


class QuestionForm(OptionalPositionMixin, forms.ModelForm):
    weight = forms.TypedChoiceField(
        label=_("Gewicht"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        initial=1,
        help_text=_("1 = normal, 5 = zählt fünffach im Ergebnis des Handlungsfelds."),
    )

    class Meta:
        model = CheckQuestion
        fields = CHECK_QUESTION_FIELDS.names
        labels = {"position": _("Reihenfolge")}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


def current_member_organisations(network: Network) -> QuerySet[Organisation]:
    return Organisation.objects.current_members_of(network).order_by("name")


class VisitStartForm(forms.Form):
    """A manager starts a check together with a company during a visit; the company's consent is required."""

    organisation = forms.ModelChoiceField(label=_("Unternehmen"), queryset=Organisation.objects.none())
    template = forms.ModelChoiceField(label=_("Fragebogen"), queryset=CheckTemplate.objects.none())
    consent = forms.BooleanField(
        label=_("Das Unternehmen ist einverstanden, dass die Geschäftsstelle die Ergebnisse dieses Checks sieht."),
        help_text=_("Das Unternehmen kann die Freigabe später im Mitgliederbereich zurückziehen."),
        error_messages={"required": _("Ohne Einverständnis des Unternehmens kann der Check nicht gemeinsam ausgefüllt werden.")},
    )

    def __init__(self, *args, network: Network, templates: QuerySet[CheckTemplate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ModelChoiceField).queryset = current_member_organisations(network)
        form_field(self, "template", forms.ModelChoiceField).queryset = templates


class AnswerForm(forms.Form):
    """One rating (0–4, optional while a draft) and one optional note per question of the round's template.

    Fields are named value-<question pk> and note-<question pk>; a posted name for a question of
    another template is refused as a whole, so a forged request saves nothing.
    """

    def __init__(self, *args, questions: list[CheckQuestion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"value-{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(v), label) for v, label in SCALE],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": OUT_OF_SCALE},
            )
            self.fields[f"note-{question.pk}"] = forms.CharField(label=_("Notiz"), max_length=1000, required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        known = {q.pk for q in self.questions}
        for name in self.data:
            match = FIELD_NAME.match(name)
            if match and int(match.group(2)) not in known:
                raise forms.ValidationError(_("Diese Frage gehört zu einem anderen Fragebogen."))
        for question in self.questions:
            if cleaned.get(f"note-{question.pk}", "").strip() and cleaned.get(f"value-{question.pk}") in (None, ""):
                self.add_error(f"value-{question.pk}", _("Zu einer Notiz gehört eine Bewertung."))
        return cleaned

    def answers(self) -> list[tuple[CheckQuestion, int, str]]:
        """The answered questions with value and note (only after is_valid)."""
        found = []
        for question in self.questions:
            value = self.cleaned_data.get(f"value-{question.pk}")
            if value not in (None, ""):
                found.append((question, value, self.cleaned_data.get(f"note-{question.pk}", "")))
        return found


class ShareForm(forms.Form):
    """Share a round with the network's managers or with one named advisor (a manager of the network)."""

    WITH_MANAGERS = "managers"
    WITH_ADVISOR = "advisor"

    target = forms.ChoiceField(choices=[(WITH_MANAGERS, _("Geschäftsstelle")), (WITH_ADVISOR, _("Beraterin / Berater"))])
    advisor = forms.ModelChoiceField(label=_("Beraterin / Berater"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, network: Network, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "advisor", forms.ModelChoiceField).queryset = advisors(network)
        self.fields["advisor"].error_messages["invalid_choice"] = _("Bitte wählen Sie eine Person aus.")

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if cleaned.get("target") == self.WITH_ADVISOR and not cleaned.get("advisor") and "advisor" not in self.errors:
            self.add_error("advisor", _("Bitte wählen Sie eine Person aus."))
        return cleaned


def advisors(network: Network) -> QuerySet[User]:
    return User.objects.filter(manager_roles__network=network, is_active=True).distinct().order_by("last_name", "first_name", "email")
