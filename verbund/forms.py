from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from verbund.models import FUNDING_SOURCE_FIELDS, NETWORK_FIELDS, NETWORK_IMPRINT_FIELDS, FundingSource, LogoRole, Network, NetworkImprint, User
from verbund.uploads import clean_image

# The browser's own pickers; typed German and ISO dates are accepted too.
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]


def strip_control_chars(value: Any) -> Any:
    """NUL and other control characters never reach the database (PostgreSQL refuses NUL); text is trimmed."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32).strip()
    return value


def form_field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """`form.fields[name]` as the field class it is (a ModelForm's generated fields are typed as plain `Field`)."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}"
    return field


def label_choices[M: Model](field: forms.ModelChoiceField[M], label: Callable[[M], str]) -> None:
    """Show each choice of `field` as `label(obj)` instead of `str(obj)`."""
    field.label_from_instance = label  # type: ignore[method-assign, assignment]  # Django calls this attribute per choice; an instance attribute overrides the method


if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


# Dates a form accepts. Year 1 in Europe/Berlin is a timestamp before year 1 in UTC: PostgreSQL stores it, Python
# cannot read it back, and every page listing the row fails; 9999-12-31 overflows at the first `+ timedelta`.
PLAUSIBLE_YEARS = (1900, 2999)


class CleanTextMixin(_FormBase):
    """For forms: every cleaned text value without control characters and surrounding blanks; every date and
    date-time within PLAUSIBLE_YEARS."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # the form classes this is mixed into return cleaned_data
        self.cleaned_data = {name: strip_control_chars(value) for name, value in cleaned.items()}
        first, last = PLAUSIBLE_YEARS
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, date) and not first <= value.year <= last:  # a datetime is a date too
                self.add_error(name, _("Bitte geben Sie ein Datum zwischen %(first)s und %(last)s an.") % {"first": first, "last": last})
        return self.cleaned_data


class NetworkProfileForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Network
        fields = NETWORK_FIELDS.names
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "rules_of_play": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only networks this manager runs can be chosen as the parent.
        form_field(self, "parent", forms.ModelChoiceField).queryset = Network.objects.active().managed_by(user).exclude(pk=self.instance.pk)
        for name in ("description", "goals", "rules_of_play"):
            self.fields[name].validators.append(MaxLengthValidator(10_000))
        self.fields["meetings_per_year"].validators.append(MaxValueValidator(52))


class FundingSourceForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = FUNDING_SOURCE_FIELDS.names
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].validators += [MinValueValidator(1990), MaxValueValidator(2100)]
        self.fields["amount"].validators.append(MinValueValidator(0))
        self.fields["logo_upload"] = forms.FileField(
            label=_("Logo des Fördergebers"),
            required=False,
            help_text=_("Für Teilnehmendenlisten und Dokumentationen; PNG oder JPEG, bis 15 MB."),
        )
        self.fields["logo_upload"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return clean_image(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Das Ende der Laufzeit liegt vor ihrem Beginn."))
        return cleaned


IMPRINT_WIDGETS = {"funding_line": forms.Textarea(attrs={"rows": 2}), "publisher_address": forms.Textarea(attrs={"rows": 3})}


class NetworkImprintForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = NetworkImprint
        fields = NETWORK_IMPRINT_FIELDS.names
        widgets = IMPRINT_WIDGETS


class LogoForm(CleanTextMixin, forms.Form):
    """A logo for documents (a network's or a meeting's): role, name and a checked, re-encoded image."""

    role = forms.ChoiceField(label=_("Rolle"), choices=LogoRole.choices)
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Wer das Logo ist; Vorleseprogramme lesen diesen Text."))
    logo_upload = forms.FileField(label=_("Logo"), help_text=_("PNG oder JPEG, bis 15 MB."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo_upload"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"

    def clean_logo_upload(self):
        return clean_image(self.cleaned_data["logo_upload"])


class StyleguideForm(forms.Form):
    """The style page's sample form: every kind of field the portal uses, with help text and errors."""

    name = forms.CharField(label=_("Name des Unternehmens"), max_length=200, help_text=_("Wie im Handelsregister, mit Rechtsform."))
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    kind = forms.ChoiceField(label=_("Art"), choices=[("", "—"), ("company", _("Unternehmen")), ("research", _("Hochschule / Forschung"))])
    starts_on = forms.DateField(label=_("Beginn"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notiz"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agree = forms.BooleanField(label=_("Einverstanden mit der Teilnehmendenliste"), required=False)
