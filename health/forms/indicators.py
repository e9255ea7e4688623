"""The year picker of the indicator pages, the cluster view and the portfolio (GET ?year=)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2000
ERRORS = {
    "invalid": _("Bitte ein Jahr als Zahl angeben, z. B. 2025."),
    "min_value": _("Kennzahlen gibt es ab dem Jahr %(limit_value)s."),
    "max_value": _("Für ein Jahr nach %(limit_value)s gibt es noch keine Kennzahlen."),
}


class YearForm(forms.Form):
    """A year from FIRST_YEAR to this one; empty means this year. `year()` is the chosen year, or this year when refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The last year is this one: set per form, so a form made on 31 December and one on 1 January differ.
        self.fields["year"] = forms.IntegerField(
            label=_("Jahr"), required=False, min_value=FIRST_YEAR, max_value=timezone.localdate().year, error_messages=ERRORS
        )

    def year(self) -> int:
        if self.is_valid() and self.cleaned_data["year"] is not None:
            return int(self.cleaned_data["year"])
        return timezone.localdate().year

    def error(self) -> str:
        """The German message for a refused year ("" when the year is fine)."""
        return "" if self.is_valid() else " ".join(str(e) for e in self.errors.get("year", []))
