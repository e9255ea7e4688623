"""Forms for meetings: they validate and normalise; events/services.py writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext_lazy as _

from events.models import (
    ACTION_ITEM_FIELDS,
    AGENDA_ITEM_FORM_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    MinuteEntry,
)
from members.models import Contact
from verbund.forms import DATETIME, CleanTextMixin, form_field, label_choices
from verbund.models import Network

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def network_contacts(network: Network):
    """People of the network's current member companies, to choose from (a company that left offers nobody)."""
    return Contact.objects.current_in(network).select_related("organisation").order_by("last_name", "first_name")


class MeetingForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = MEETING_FIELDS.names
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "registration_deadline": DATETIME, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "series", forms.ModelChoiceField).queryset = MeetingSeries.objects.filter(network=network)
        for name in ("starts_at", "ends_at", "registration_deadline"):
            form_field(self, name, forms.DateTimeField).input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]
        self.fields["capacity"].validators.append(MaxValueValidator(100_000))
        self.fields["reminder_days"].validators.append(MaxValueValidator(60))
        self.fields["description"].validators.append(MaxLengthValidator(20_000))


class AgendaItemForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = AGENDA_ITEM_FORM_FIELDS
        widgets = {"starts_at": TIME, "ends_at": TIME}


class RegisterContactForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Person aus einer Mitgliedsorganisation"), queryset=Contact.objects.none())

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = form_field(self, "contact", forms.ModelChoiceField)
        contact.queryset = network_contacts(network)
        label_choices(contact, lambda c: f"{c.full_name} ({c.organisation.name})")


class GuestForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name des Gastes"), max_length=200)
    email = forms.EmailField(label=_("E-Mail"), required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)


class MinuteForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = MinuteEntry
        fields = MINUTE_FIELDS.names
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "agenda_item", forms.ModelChoiceField).queryset = meeting.agenda_items.all()
        self.fields["agenda_item"].required = False
        self.fields["text"].validators.append(MaxLengthValidator(20_000))


class ActionItemForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ACTION_ITEM_FIELDS.names
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = form_field(self, "owner", forms.ModelChoiceField)
        owner.queryset = network_contacts(network)
        label_choices(owner, lambda c: f"{c.full_name} ({c.organisation.name})")


class PortalRegistrationForm(forms.Form):
    """A member registers itself and colleagues in one step."""

    people = forms.ModelMultipleChoiceField(label=_("Wer nimmt teil?"), queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple)
    consent_participant_list = forms.BooleanField(label=_("Mit der Aufnahme in die Teilnehmendenliste einverstanden"), required=False)
    consent_photos = forms.BooleanField(label=_("Mit Fotos bei der Veranstaltung einverstanden"), required=False)

    def __init__(self, *args: Any, organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = form_field(self, "people", forms.ModelMultipleChoiceField)
        people.queryset = organisation.contacts.filter(archived_at__isnull=True).order_by("last_name")
        label_choices(people, lambda c: c.full_name)
