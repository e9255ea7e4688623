"""Forms of the Infobrief's manager pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from newsletters.models import ENTRY_FIELDS, INFOBRIEF_CONTENT_FIELDS, NEWSLETTER_SETTINGS_FIELDS, Entry, Infobrief, NewsletterSettings
from verbund.forms import DATE, DATETIME, DATETIME_FORMATS, CleanTextMixin, form_field, label_choices
from verbund.uploads import clean_image


class EntryForm(CleanTextMixin, forms.ModelForm):
    image_upload = forms.FileField(label=_("Bild"), required=False, help_text=_("JPEG, PNG, WebP oder GIF bis 15 MB; wird neu gespeichert, ohne Metadaten."))
    remove_image = forms.BooleanField(label=_("Bild entfernen"), required=False)

    class Meta:
        model = Entry
        fields = ENTRY_FIELDS.names
        widgets = {"body": forms.Textarea(attrs={"rows": 6}), "deadline": DATE, "starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            form_field(self, name, forms.DateTimeField).input_formats = DATETIME_FORMATS
        self.fields["body"].validators.append(MaxLengthValidator(10_000))
        self.fields["image_upload"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"
        if not self.instance.image:
            del self.fields["remove_image"]

    def clean_image_upload(self):
        upload = self.cleaned_data.get("image_upload")
        return clean_image(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Entry.Kind.FUNDING_CALL and not cleaned.get("deadline"):
            self.add_error("deadline", _("Ein Förderaufruf braucht eine Frist."))
        if kind in {Entry.Kind.DATE, Entry.Kind.TRADE_FAIR} and not cleaned.get("starts_at"):
            self.add_error("starts_at", _("Ein Termin braucht einen Beginn."))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        has_image = cleaned.get("image_upload") or (self.instance.image and not cleaned.get("remove_image"))
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen."))
        return cleaned


class InfobriefForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Infobrief
        fields = INFOBRIEF_CONTENT_FIELDS
        widgets = {"intro": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intro"].validators.append(MaxLengthValidator(10_000))
        self.fields["intro"].help_text = _("Markdown: **fett**, *kursiv*, Listen mit „-“, Links als [Text](https://…).")


class AudienceForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Nur Rollen im Verbund"), required=False, widget=forms.CheckboxSelectMultiple)
    municipalities = forms.MultipleChoiceField(label=_("Nur Orte"), required=False, widget=forms.CheckboxSelectMultiple)
    kinds = forms.MultipleChoiceField(label=_("Nur Arten von Organisationen"), required=False, widget=forms.CheckboxSelectMultiple)
    include_subscribers = forms.BooleanField(label=_("Externe Abonnent:innen einbeziehen"), required=False)

    def __init__(self, *args: Any, choices: dict[str, list], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "roles", forms.MultipleChoiceField).choices = choices["roles"]
        form_field(self, "municipalities", forms.MultipleChoiceField).choices = choices["municipalities"]
        form_field(self, "kinds", forms.MultipleChoiceField).choices = choices["kinds"]


class PlaceEntryForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("Vorhandenen Beitrag aufnehmen"), queryset=Entry.objects.none())

    def __init__(self, *args: Any, infobrief: Infobrief, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = form_field(self, "entry", forms.ModelChoiceField)
        entry.queryset = Entry.objects.for_network(infobrief.network).exclude(placements__infobrief=infobrief)
        label_choices(entry, lambda e: f"{e.get_kind_display()}: {e.title}")


class ScheduleForm(CleanTextMixin, forms.Form):
    when = forms.DateTimeField(label=_("Versand am"), widget=DATETIME, input_formats=DATETIME_FORMATS)


COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


class ColourInput(forms.TextInput):
    """<input type=color>: the browser offers a picker; `maxlength` and `required` are not allowed on it (HTML)."""

    input_type = "color"

    def use_required_attribute(self, initial: Any) -> bool:
        return False


class ColourField(forms.CharField):
    """A colour as #RRGGBB, checked on the server (the picker always sends one; a hand-made request may not)."""

    widget = ColourInput
    default_error_messages = {
        "required": _("Bitte eine Farbe wählen."),
        "invalid": _("„%(value)s“ ist keine Farbe. Bitte als #RRGGBB angeben, z. B. #1d4f7a."),
    }

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("empty_value", None)
        super().__init__(**kwargs)  # no max_length: the pattern fixes the length, and type=color has no maxlength

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value and not COLOUR_PATTERN.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value[:40]})
        return value.lower()

    def bound_data(self, data: Any, initial: Any) -> Any:
        """A bad value is not put back into the picker (it would show black); the stored colour stays, the error names the bad one."""
        return data if isinstance(data, str) and COLOUR_PATTERN.match(data.strip()) else initial


class SettingsForm(CleanTextMixin, forms.ModelForm):
    logo_upload = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG oder JPEG; erscheint oben in jedem Infobrief."))
    remove_logo = forms.BooleanField(label=_("Logo entfernen"), required=False)

    class Meta:
        model = NewsletterSettings
        fields = NEWSLETTER_SETTINGS_FIELDS.names
        field_classes = {"primary_colour": ColourField, "accent_colour": ColourField}
        widgets = {
            "footer": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo_upload"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
        self.fields["consent_text"].help_text = _("Wer sich anmeldet, stimmt genau diesem Text zu; jede Änderung zählt als neue Fassung.")
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return clean_image(upload) if upload else None
