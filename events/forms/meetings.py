"""Forms for meetings: they validate and normalise; events/services.py writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import (
    ACTION_ITEM_FIELDS,
    AGENDA_ITEM_FORM_FIELDS,
    CONSENT_FIELDS,
    MEETING_FIELDS,
    MINUTE_FIELDS,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    MinuteEntry,
    Registration,
)
from members.models import Contact
from verbund.forms import DATE, DATETIME, CleanTextMixin, form_field, label_choices
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


class ConsentFields(forms.Form):
    """What the office was told about consent, with its source and date (CONSENT_FIELDS); part of every office registration form."""

    consent_participant_list = forms.BooleanField(label=_("Einverstanden mit der Teilnehmendenliste"), required=False)
    consent_photos = forms.BooleanField(label=_("Einverstanden mit Fotos"), required=False)
    consent_source = forms.ChoiceField(
        label=_("Einverständnis gegeben per"),
        choices=[("", "—"), *((source.value, source.label) for source in Registration.OFFICE_CONSENT_SOURCES)],
        required=False,
    )
    consent_recorded_at = forms.DateField(label=_("Einverständnis vom"), required=False, widget=DATE, initial=timezone.localdate)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        if (cleaned.get("consent_participant_list") or cleaned.get("consent_photos")) and not cleaned.get("consent_source"):
            self.add_error("consent_source", _("Bitte angeben, wie das Einverständnis gegeben wurde."))
        given = cleaned.get("consent_recorded_at")
        if given is not None and not date(2000, 1, 1) <= given <= timezone.localdate():
            # Proof of consent carries the day it was given: never a day still to come, nor one before the portal's time.
            self.add_error("consent_recorded_at", _("Das Datum des Einverständnisses muss zwischen dem 1.1.2000 und heute liegen."))
        return cleaned

    def consent_data(self) -> dict[str, Any]:
        """The cleaned consent, keyed as CONSENT_FIELDS names it."""
        return {name: self.cleaned_data.get(name) for name in CONSENT_FIELDS.names}

    def consent_kwargs(self) -> dict[str, Any]:
        """The cleaned consent as `services.registration_register` takes it."""
        data = self.consent_data()
        return {
            "consent_participant_list": bool(data["consent_participant_list"]),
            "consent_photos": bool(data["consent_photos"]),
            "consent_source": data["consent_source"] or "",
            "consent_recorded_at": data["consent_recorded_at"],
        }


class ConsentForm(ConsentFields):
    """Change one registration's consent (a "yes" at the door, a withdrawal by mail)."""

    def __init__(self, *args: Any, registration: Registration, default_source: str = "", **kwargs: Any) -> None:
        office = {source.value for source in Registration.OFFICE_CONSENT_SOURCES}
        source = registration.consent_source if registration.consent_source in office else default_source
        initial = {
            "consent_participant_list": registration.consent_participant_list,
            "consent_photos": registration.consent_photos,
            "consent_source": source,
            "consent_recorded_at": timezone.localdate(),
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)


class RegisterContactForm(ConsentFields):
    contact = forms.ModelChoiceField(label=_("Person aus einer Mitgliedsorganisation"), queryset=Contact.objects.none())

    field_order = ["contact"]

    # A network of 50,000 members has 150,000 people: the dropdown offers at most this many (matching the page's
    # search when there is one); any person of the network is still accepted (the queryset checks the choice).
    CHOICES_SHOWN = 300

    def __init__(self, *args: Any, network: Network, search: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = form_field(self, "contact", forms.ModelChoiceField)
        contact.queryset = network_contacts(network)
        label_choices(contact, lambda c: f"{c.full_name} ({c.organisation.name})")
        shown = contact.queryset
        if search:
            shown = shown.filter(Q(last_name__icontains=search) | Q(first_name__icontains=search) | Q(organisation__name__icontains=search))
        people = list(shown.only("first_name", "last_name", "title", "organisation__name")[: self.CHOICES_SHOWN + 1])
        if len(people) > self.CHOICES_SHOWN:
            people = people[: self.CHOICES_SHOWN]
            contact.help_text = _("Die Auswahl zeigt die ersten %(n)s Personen von A bis Z. Suchen Sie nach einem Namen, um andere zu finden.") % {
                "n": self.CHOICES_SHOWN
            }
        contact.widget.choices = [("", contact.empty_label or ""), *((person.pk, contact.label_from_instance(person)) for person in people)]


class GuestForm(CleanTextMixin, ConsentFields):
    name = forms.CharField(label=_("Name des Gastes"), max_length=200)
    email = forms.EmailField(label=_("E-Mail"), required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    field_order = ["name", "email", "organisation"]

    def guest(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("name", "email", "organisation")}


class MinuteForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = MinuteEntry
        fields = MINUTE_FIELDS.names
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agenda_item = form_field(self, "agenda_item", forms.ModelChoiceField)
        agenda_item.queryset = meeting.agenda_items.all()
        label_choices(agenda_item, lambda item: f"{item.starts_at:%H:%M} {item.title}")
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
        self.fields["due_on"].validators += [
            MinValueValidator(date(1990, 1, 1), _("Bitte ein Datum ab 1990 angeben.")),
            MaxValueValidator(date(2100, 12, 31), _("Bitte ein Datum bis 2100 angeben.")),
        ]


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


class RegistrationIdsField(forms.Field):
    """Checked registrations as a list of ids (repeated `registration=`). Anything that is no id is dropped; whether
    an id belongs to the meeting is the view's question (it filters through the meeting's registrations)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        return sorted({int(v) for v in value or [] if str(v).isdigit() and len(str(v)) < 12})


class ParticipantsBulkForm(forms.Form):
    """One action for several people on the Teilnehmende tab: for the checked ones, or ("…-all") for everyone."""

    # The buttons' values on the Teilnehmende tab (their labels live there): "…-all" acts on everyone.
    ACTIONS = ("present", "present-all", "mail", "mail-all", "export", "export-all", "export-shared")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    registration = RegistrationIdsField(required=False)

    @property
    def verb(self) -> str:
        """present, mail or export (the shared list is an export too)."""
        return self.cleaned_data["action"].split("-")[0]

    @property
    def everyone(self) -> bool:
        """The action is for all of the meeting's registrations, not only the checked ones."""
        return self.cleaned_data["action"] in {"present-all", "mail-all", "export-all", "export-shared"}
