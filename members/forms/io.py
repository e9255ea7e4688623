"""Forms of the import and export pages. They validate and normalise; the upload form parses the file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports import (
    CONTACT_KEYS,
    EXISTING_ADD_CONTACT,
    EXISTING_SKIP,
    TARGETS,
    TARGETS_BY_KEY,
    Table,
    read_table,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder Excel .xlsx)"),
        help_text=gettext_lazy("Höchstens 5 MB und 5.000 Zeilen. Die erste Zeile enthält die Spaltenüberschriften."),
        allow_empty_file=True,  # read_table says "Die Datei ist leer." in our words
        error_messages={
            "required": gettext_lazy("Bitte wählen Sie eine Datei aus."),
            "invalid": gettext_lazy("Bitte wählen Sie eine Datei aus."),
            "missing": gettext_lazy("Bitte wählen Sie eine Datei aus."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.table: Table | None = None
        if too_large:
            self.fields["file"].required = False  # the upload handler dropped it; say why instead

    def clean_file(self) -> Any:
        if self.too_large:
            raise ValidationError(_("Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf."), code="too_large")
        upload = self.cleaned_data["file"]
        self.table = read_table(upload)
        return upload


def _target_choices() -> list[tuple[StrOrPromise, Any]]:
    groups = {
        "organisation": gettext_lazy("Organisation"),
        "contact": gettext_lazy("Kontaktperson"),
        "membership": gettext_lazy("Mitgliedschaft"),
    }
    choices: list[tuple[StrOrPromise, Any]] = [("", gettext_lazy("– nicht übernehmen –"))]
    for group, label in groups.items():
        choices.append((label, [(t.key, t.label) for t in TARGETS if t.group == group]))
    return choices


class MappingForm(forms.Form):
    """One select per column of the file: which field it fills, or none."""

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        for index, heading in enumerate(header):
            self.fields[f"col_{index}"] = forms.ChoiceField(label=_("Spalte „%(heading)s“") % {"heading": heading}, choices=_target_choices(), required=False)

    @classmethod
    def initial_from(cls, mapping: dict[str, int]) -> dict[str, str]:
        return {f"col_{index}": key for key, index in mapping.items()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        seen: dict[str, str] = {}
        for index, heading in enumerate(self.header):
            key = cleaned.get(f"col_{index}")
            if not key:
                continue
            if key in seen:
                raise ValidationError(
                    _("„%(target)s“ ist zwei Spalten zugeordnet: „%(first)s“ und „%(second)s“.")
                    % {"target": TARGETS_BY_KEY[key].label, "first": seen[key], "second": heading}
                )
            seen[key] = heading
        if "name" not in seen:
            raise ValidationError(_("Bitte ordnen Sie eine Spalte dem Namen der Organisation zu."))
        if set(seen) & CONTACT_KEYS and not {"last_name", "contact_name"} & set(seen):
            raise ValidationError(_("Für Kontaktpersonen braucht es eine Spalte „Nachname“ oder „Ansprechpartner:in (ganzer Name)“."))
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {key: index for index in range(len(self.header)) if (key := self.cleaned_data.get(f"col_{index}"))}


class ConfirmForm(forms.Form):
    existing = forms.ChoiceField(
        label=gettext_lazy("Organisationen, die es im Verbund schon gibt"),
        choices=[
            (EXISTING_ADD_CONTACT, gettext_lazy("nicht doppelt anlegen, nur die Kontaktperson ergänzen")),
            (EXISTING_SKIP, gettext_lazy("die ganze Zeile überspringen")),
        ],
        initial=EXISTING_ADD_CONTACT,
        widget=forms.RadioSelect,
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (;)")],
        required=False,
    )

    def fmt(self) -> str:
        return self.cleaned_data.get("format") or "xlsx"
