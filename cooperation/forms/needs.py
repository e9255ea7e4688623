"""Forms of needs and offers: the entry (manager and portal), the filter of the lists, the round table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperation.models import NEED_OFFER_FIELDS, NeedOffer
from members.models import Contact, Organisation
from verbund.forms import DATE, CleanTextMixin
from verbund.models import Network

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NeedOfferForm(CleanTextMixin, forms.ModelForm):
    """A need or an offer; the organisation's contact people to choose from, tags as comma-separated text."""

    tags_text = forms.CharField(
        label=_("Schlagwörter"), required=False, max_length=500, help_text=_("Durch Kommas getrennt, z. B. Digitalisierung, Fachkräfte.")
    )

    class Meta:
        model = NeedOffer
        fields = NEED_OFFER_FIELDS.names

    def __init__(self, *args: Any, organisation: Organisation | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].validators.append(MaxLengthValidator(10_000))
        contacts = Contact.objects.filter(organisation=organisation, archived_at__isnull=True) if organisation else Contact.objects.none()
        self.fields["contact"].queryset = contacts.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        if self.instance.pk and "tags_text" not in self.initial:
            self.initial["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())

    def entry_data(self) -> dict[str, Any]:
        """The entry's own fields for the service (without the organisation, network and tags the form asks for too)."""
        return {name: self.cleaned_data[name] for name in NEED_OFFER_FIELDS.names}


class ManagerNeedOfferForm(NeedOfferForm):
    """The manager posts for a member organisation of the network."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    field_order = ["organisation"]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        members = Organisation.objects.current_members_of(network).order_by("name")
        chosen = None
        if data is not None and (value := data.get("organisation")) and str(value).isdigit():
            chosen = members.filter(pk=value).first()
        super().__init__(*args, organisation=chosen, **kwargs)
        self.fields["organisation"].queryset = members  # type: ignore[attr-defined]
        self.fields["contact"].help_text = _("Eine Person der gewählten Organisation.")
        if chosen is None:  # before an organisation is chosen any of the network's people may be named; the service checks
            self.fields["contact"].queryset = Contact.objects.current_in(network).order_by("last_name")  # type: ignore[attr-defined]


class PortalNeedOfferForm(NeedOfferForm):
    """The member posts in one of its networks."""

    network = forms.ModelChoiceField(label=_("Verbund"), queryset=Network.objects.none(), empty_label=None)
    field_order = ["network"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["network"].queryset = Network.objects.joined_by(organisation).order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["network"]  # an entry stays in its network


class EntryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art"), required=False, choices=[("", _("alle"))] + NeedOffer.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("alle"))] + NeedOffer.Status.choices)
    q = forms.CharField(label=_("Suche"), required=False, max_length=100)

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["q"]:
            queryset = queryset.filter(Q(title__icontains=data["q"]) | Q(description__icontains=data["q"]))
        return queryset


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=NeedOffer.Status.choices)


class RoundTableForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), required=False, max_length=200, help_text=_("Leer lassen für „Runder Tisch: …“."))
    day = forms.DateField(label=_("Datum"), widget=DATE)
    starts = forms.TimeField(label=_("Beginn"), widget=TIME)
    ends = forms.TimeField(label=_("Ende"), widget=TIME)
    venue_name = forms.CharField(label=_("Ort"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("starts") and cleaned.get("ends") and cleaned["ends"] <= cleaned["starts"]:
            self.add_error("ends", _("Das Ende muss nach dem Beginn liegen."))
        return cleaned
