"""Forms of the import and export pages. They validate and normalise; the upload form parses the file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports import (
    EXISTING_ADD_CONTACT,
    EXISTING_SKIP,
    TARGETS,
    TARGETS_BY_KEY,
    Table,
    read_table,
)
from members.imports.mappings import saved_mappings
from members.imports.reading import PERSON_KEYS, too_large_error
from members.models import ImportMapping
from verbund.models import Network

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder Excel .xlsx)"),
        help_text=gettext_lazy(
            "Höchstens 25 MB und 50.000 Zeilen. Die Zeile mit den Spaltenüberschriften wird gesucht; im nächsten Schritt können Sie eine andere wählen."
        ),
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
            raise too_large_error()
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

    save_as = forms.CharField(
        label=gettext_lazy("Zuordnung speichern unter"),
        help_text=gettext_lazy("Optional: unter diesem Namen wird die Zuordnung für die nächste Datei gleicher Art gespeichert."),
        max_length=80,
        required=False,
    )

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
        # E-mail and phone alone are an organisation's general contact; a person needs a last name.
        if set(seen) & PERSON_KEYS and not {"last_name", "contact_name"} & set(seen):
            raise ValidationError(_("Für Kontaktpersonen braucht es eine Spalte „Nachname“ oder „Ansprechpartner:in (ganzer Name)“."))
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {key: index for index in range(len(self.header)) if (key := self.cleaned_data.get(f"col_{index}"))}


class HeaderRowForm(forms.Form):
    """ "Kopfzeile in Zeile N": which of the file's first rows holds the column headings."""

    header_line = forms.TypedChoiceField(label=gettext_lazy("Kopfzeile in Zeile"), coerce=int)

    def __init__(self, *args: Any, top: list[list[str]], top_lines: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for line, row in zip(top_lines, top, strict=True):
            cells = " · ".join(cell for cell in row if cell)
            choices.append((line, _("Zeile %(line)s: %(cells)s") % {"line": line, "cells": cells[:90] + ("…" if len(cells) > 90 else "")}))
        self.fields["header_line"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField


class SavedMappingForm(forms.Form):
    saved = forms.ModelChoiceField(label=gettext_lazy("Gespeicherte Zuordnung"), queryset=ImportMapping.objects.none(), empty_label=None)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["saved"].queryset = saved_mappings(network)  # type: ignore[attr-defined]  # a ModelChoiceField


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
    valid_only = forms.BooleanField(
        label=gettext_lazy("Nur gültige Zeilen importieren"),
        help_text=gettext_lazy("Die Zeilen mit Fehlern werden nicht importiert; Sie erhalten sie als Excel-Datei mit einer Spalte „Fehler“ zurück."),
        required=False,
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (;)")],
        required=False,
    )

    def fmt(self) -> str:
        return self.cleaned_data.get("format") or "xlsx"
