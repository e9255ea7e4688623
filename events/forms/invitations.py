"""Forms for inviting an audience and for the public and personal sign-up pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events.forms.meetings import network_contacts
from events.models import MeetingInvitation
from members.models import Contact, GovernancePosition, Membership
from verbund.forms import CleanTextMixin, form_field, label_choices
from verbund.models import Network


class InvitationForm(CleanTextMixin, forms.Form):
    audience = forms.ChoiceField(
        label=_("Empfängerkreis"), choices=MeetingInvitation.Audience.choices, widget=forms.RadioSelect, initial=MeetingInvitation.Audience.ALL
    )
    membership_role = forms.ChoiceField(
        label=_("Rolle im Verbund"),
        choices=[("", "—"), *Membership.Role.choices],
        required=False,
        help_text=_("Nur für „Mitglieder mit einer Rolle im Verbund“."),
    )
    governance_function = forms.ChoiceField(
        label=_("Gremienfunktion"),
        choices=[("", "—"), *GovernancePosition.Function.choices],
        required=False,
        help_text=_("Nur für „Inhaber:innen einer Gremienfunktion“."),
    )
    contacts: forms.ModelMultipleChoiceField[Contact] = forms.ModelMultipleChoiceField(
        label=_("Ausgewählte Kontakte"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple, help_text=_("Nur für „Ausgewählte Kontakte“.")
    )
    message = forms.CharField(label=_("Persönliche Nachricht"), required=False, widget=forms.Textarea(attrs={"rows": 4}), validators=[MaxLengthValidator(5000)])

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = form_field(self, "contacts", forms.ModelMultipleChoiceField)
        contacts.queryset = network_contacts(network).exclude(email="")
        label_choices(contacts, lambda c: f"{c.full_name} ({c.organisation.name})")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == MeetingInvitation.Audience.MEMBERSHIP_ROLE and not cleaned.get("membership_role"):
            self.add_error("membership_role", _("Bitte eine Rolle wählen."))
        if audience == MeetingInvitation.Audience.GOVERNANCE and not cleaned.get("governance_function"):
            self.add_error("governance_function", _("Bitte eine Gremienfunktion wählen."))
        if audience == MeetingInvitation.Audience.SELECTED and not cleaned.get("contacts"):
            self.add_error("contacts", _("Bitte mindestens einen Kontakt auswählen."))
        return cleaned


class ConsentsForm(forms.Form):
    consent_participant_list = forms.BooleanField(label=_("Mit der Aufnahme in die Teilnehmendenliste einverstanden"), required=False)
    consent_photos = forms.BooleanField(label=_("Mit Fotos bei der Veranstaltung einverstanden"), required=False)


class PublicSignupForm(CleanTextMixin, ConsentsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-Mail"))
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    # A field people never see (hidden by CSS, out of the tab order); bots fill it in.
    hp_url = forms.CharField(label=_("Bitte leer lassen"), required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    field_order = ["name", "email", "organisation", "consent_participant_list", "consent_photos", "hp_url"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if "\n" in email or "\r" in email:
            raise ValidationError(_("Bitte eine gültige E-Mail-Adresse angeben."))
        return email

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("hp_url"))
