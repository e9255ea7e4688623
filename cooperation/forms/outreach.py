"""Forms of the contact log and the acquisition pipeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.models import CONTACT_LOG_FIELDS, PROSPECT_FIELDS, ContactLogEntry, Prospect
from members.models import Organisation
from verbund.forms import CleanTextMixin
from verbund.models import Network, User


def office_users(network: Network):
    """The people of the network's office (a manager role there), A–Z."""
    return User.objects.filter(manager_roles__network=network).distinct().order_by("email")


class ContactLogForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ContactLogEntry
        fields = CONTACT_LOG_FIELDS.names
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_step_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's own people (not in the trash): a foreign contact's id is a form error.
        self.fields["contact"].queryset = organisation.contacts.filter(archived_at__isnull=True).order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["contact"].required = False


class ContactLogFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=[("", _("alle Arten")), *ContactLogEntry.Kind.choices], required=False)
    who = forms.ModelChoiceField(label=_("Wer"), queryset=User.objects.none(), required=False, empty_label=_("alle in der Geschäftsstelle"))
    open = forms.BooleanField(label=_("nur offene nächste Schritte"), required=False)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].queryset = office_users(network)  # type: ignore[attr-defined]


class ProspectForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Prospect
        fields = PROSPECT_FIELDS.names
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = office_users(network)  # type: ignore[attr-defined]


class ProspectMoveForm(CleanTextMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("Neue Stufe"), choices=Prospect.Stage.choices)
    on = forms.DateField(label=_("am"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text=_("leer: heute"))
