"""The create forms' duplicate check ("trotzdem anlegen") and the merge preview's choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.duplicates import Finder
from members.merging import KEPT, MERGED, MergePlan

CREATE_ANYWAY = "create_anyway"


class DuplicateCheckMixin:
    """For a form that creates a record: with candidates from `finder`, it is invalid until "trotzdem anlegen" is ticked.

    The form calls `init_duplicate_check(finder)` in `__init__` and `check_duplicates(cleaned)` at the end of
    `clean()`; without a finder (editing, the portal) nothing changes. `duplicate_candidates` is what the
    template lists.
    """

    fields: dict[str, forms.Field]
    _errors: Any

    def init_duplicate_check(self, finder: Finder | None) -> None:
        self.duplicate_finder = finder
        self.duplicate_candidates: list[Any] = []
        if finder is not None:
            # Hidden until there is something to confirm; then the same field shows as a checkbox.
            self.fields[CREATE_ANYWAY] = forms.BooleanField(label=_("trotzdem anlegen"), required=False, widget=forms.HiddenInput)

    def check_duplicates(self, cleaned: dict[str, Any]) -> None:
        """Look for candidates (on otherwise valid data only). Takes the confirmation out of `cleaned`: it is no field of the record."""
        confirmed = cleaned.pop(CREATE_ANYWAY, False)
        if self.duplicate_finder is None or self._errors:
            return
        self.duplicate_candidates = self.duplicate_finder(cleaned)
        if self.duplicate_candidates and not confirmed:
            self.fields[CREATE_ANYWAY].widget = forms.CheckboxInput()
            self.add_error(  # type: ignore[attr-defined]  # a Form's method
                CREATE_ANYWAY,
                _("Es gibt schon ähnliche Einträge (siehe oben). Wenn es trotzdem ein neuer ist, setzen Sie das Häkchen „trotzdem anlegen“."),
            )


class MergeForm(forms.Form):
    """Which record is kept, and for each field both records fill differently, whose value wins."""

    keep = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: MergePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["keep"].initial = plan.kept.pk
        self.choice_names: list[str] = []
        for choice in plan.choosable:
            name = f"field_{choice.name}"
            self.fields[name] = forms.ChoiceField(
                label=choice.label,
                choices=[(KEPT, choice.kept), (MERGED, choice.merged)],
                initial=MERGED if choice.take_merged else KEPT,
                widget=forms.RadioSelect,
                required=False,  # not chosen: the default (the kept record's value)
            )
            self.choice_names.append(name)

    def clean_keep(self) -> int:
        keep = self.cleaned_data["keep"]
        if keep != self.plan.kept.pk:
            raise forms.ValidationError(_("Die Auswahl hat sich geändert; bitte prüfen Sie die Vorschau noch einmal."))
        return keep

    def rows(self) -> list[tuple[Any, forms.BoundField | None]]:
        """The fields both records fill differently or only one fills, each with its radio buttons when there is a choice."""
        return [(c, self[f"field_{c.name}"] if f"field_{c.name}" in self.fields else None) for c in self.plan.fields if c.differs]

    def take_from_merged(self) -> set[str]:
        """The fields whose value comes from the merged record: the ones chosen so, and those only it fills."""
        taken = set()
        for choice in self.plan.fields:
            picked = self.cleaned_data.get(f"field_{choice.name}") or (MERGED if choice.take_merged else KEPT)
            if picked == MERGED:
                taken.add(choice.name)
        return taken
