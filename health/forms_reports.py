"""Forms of the periodic member reports: the request (office) and the report itself (member portal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from health import reports
from health.models import REPORT_REQUEST_FIELDS, ReportPeriod, ReportRequest
from members.models import Membership, Organisation
from verbund.forms import form_field
from verbund.models import Network


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        kind = obj.get_kind_display()
        return f"{obj.name} ({kind}{', ' + obj.municipality if obj.municipality else ''})"


class ReportRequestForm(forms.ModelForm):
    """The request's fields (REPORT_REQUEST_FIELDS) and the quick pick of the group, which adds to the ticked members."""

    add_kind = forms.ChoiceField(
        label=_("Zusätzlich alle Mitglieder der Art"),
        required=False,
        choices=[("", "–"), *Organisation.Kind.choices],
        help_text=_("z. B. „Kommune / Verwaltung“: alle aktuellen Mitglieder dieser Art kommen in die Gruppe."),
    )
    add_role = forms.ChoiceField(
        label=_("Zusätzlich alle Mitglieder mit der Rolle"),
        required=False,
        choices=[("", "–"), *Membership.Role.choices],
        help_text=_("Die Rolle im Verbund laut Mitgliedschaft."),
    )

    class Meta:
        model = ReportRequest
        fields = REPORT_REQUEST_FIELDS.names
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "prompts": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"] = OrganisationChoices(
            queryset=Organisation.objects.current_members_of(network).order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Berichtende Mitglieder"),
            help_text=_("Nur aktuelle Mitglieder des Verbunds. Die Schnellauswahl unten fügt weitere hinzu."),
        )
        self.fields["due_days"].widget.attrs.update({"min": 1, "max": reports.MAX_DUE_DAYS})  # the service checks the range
        self.fields["prompts"].required = False  # the service says what is missing (at least one prompt, one per line)
        self.fields["prompts"].help_text = _("Eine Frage je Zeile (höchstens %(n)s); jede bekommt ein eigenes Textfeld.") % {"n": reports.MAX_PROMPTS}
        # The quick pick sits right after the list it adds to.
        order = [*REPORT_REQUEST_FIELDS.names]
        at = order.index("organisations") + 1
        self.order_fields([*order[:at], "add_kind", "add_role", *order[at:]])

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in REPORT_REQUEST_FIELDS.names}


class OpenPeriodForm(forms.Form):
    """Which period to ask for now: the one before the current one or the current one, those not yet asked for."""

    period = forms.ChoiceField(label=_("Zeitraum"))

    def __init__(self, *args: Any, request: ReportRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spans = {span.starts_on.isoformat(): span for span in reports.open_candidates(request)}
        form_field(self, "period", forms.ChoiceField).choices = [(key, span.label) for key, span in self.spans.items()]
        if self.spans:
            self.fields["period"].initial = list(self.spans)[-1]

    def span(self) -> reports.PeriodSpan:
        return self.spans[self.cleaned_data["period"]]


class MemberReportForm(forms.Form):
    """One text field per current prompt, labelled with the prompt."""

    def __init__(self, *args: Any, period: ReportPeriod, initial_texts: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prompts = period.request.prompt_list()
        texts = initial_texts or []
        for index, prompt in enumerate(self.prompts):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=prompt,
                required=False,
                max_length=reports.MAX_ANSWER_LENGTH,
                strip=True,
                initial=texts[index] if index < len(texts) else "",
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def texts(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{index}", "") for index in range(len(self.prompts))]
