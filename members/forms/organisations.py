"""Forms of the manager's member pages: they validate and normalise; services do the writing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.utils.translation import gettext_lazy as _

from members.duplicates import Finder
from members.forms.duplicates import DuplicateCheckMixin
from members.models import (
    CONTACT_FIELDS,
    MEMBERSHIP_FIELDS,
    ORGANISATION_FORM_FIELDS,
    Consent,
    Contact,
    EconomicActivity,
    GovernancePosition,
    Membership,
    Organisation,
)
from members.selectors import SORTS, DirectoryFilter, import_jobs, municipalities, municipality_exists
from members.services import BulkAction, normalise_phone
from verbund.formatting import format_date
from verbund.forms import CleanTextMixin, form_field, label_choices, strip_control_chars
from verbund.models import Network, User

MAX_TEXT = 5000


class ImportJobField(forms.ModelChoiceField):
    """An import batch of the network, named by its file and when it ran (the directory's `import` filter)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({format_date(obj.created_at, 'datetime_short')})"


# "Added from/to" beyond these would overflow the date arithmetic of the filter (9999-12-31 + 1 day).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Suche"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Art"), required=False)
    section = forms.ChoiceField(label=_("Branche (WZ-Abschnitt)"), required=False)
    size = forms.ChoiceField(label=_("Größenklasse"), required=False)
    municipality = forms.CharField(label=_("Ort"), required=False, max_length=100, widget=forms.Select)
    role = forms.ChoiceField(label=_("Rolle"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    also_in = forms.ModelChoiceField(label=_("Auch Mitglied in"), required=False, queryset=Network.objects.none())
    added_from = forms.DateField(label=_("Hinzugefügt ab"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    added_to = forms.DateField(label=_("Hinzugefügt bis"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    sort = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[
            ("relevance", _("Beste Treffer zuerst")),
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("place", _("Ort")),
            ("-employees", _("Beschäftigte (meiste zuerst)")),
            ("employees", _("Beschäftigte (wenigste zuerst)")),
            ("-joined", _("Neueste Mitglieder")),
            ("joined", _("Älteste Mitglieder")),
            ("status", _("Status")),
        ],
    )

    # "import" (a job id, linked from an import's job page) is a Python keyword: that field is added in __init__.
    FIELDS = ["q", "kind", "section", "size", "municipality", "role", "status", "also_in", "import", "added_from", "added_to", "sort"]

    def __init__(self, *args: Any, network: Network, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("alle"))]
        form_field(self, "kind", forms.ChoiceField).choices = everyone + list(Organisation.Kind.choices)
        sections = EconomicActivity.objects.filter(version=EconomicActivity.Version.WZ2008, level=1).order_by("code")
        form_field(self, "section", forms.ChoiceField).choices = everyone + [(s.code, f"{s.code} – {s.title.capitalize()[:60]}") for s in sections]
        form_field(self, "size", forms.ChoiceField).choices = everyone + list(Organisation.SizeClass.choices)
        self.network = network
        # Lazy: the htmx results and the exports never render the dropdown, so they never ask for the places.
        self.fields["municipality"].widget.choices = lambda: everyone + [(m, m) for m in municipalities(network)]
        form_field(self, "role", forms.ChoiceField).choices = everyone + list(Membership.Role.choices)
        form_field(self, "status", forms.ChoiceField).choices = everyone + list(Membership.Status.choices)
        also_in = form_field(self, "also_in", forms.ModelChoiceField)
        also_in.queryset = Network.objects.active().managed_by(user).exclude(pk=network.pk)
        also_in.to_field_name = "slug"
        also_in.empty_label = _("egal")
        self.fields["import"] = ImportJobField(label=_("Import"), required=False, queryset=import_jobs(network), empty_label=_("alle"))
        self.fields = {name: self.fields[name] for name in self.FIELDS}

    def places(self) -> list[str]:
        """The places of the dropdown (members.selectors.municipalities: cached per network)."""
        return municipalities(self.network)

    def _sane_day(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not (FIRST_DAY <= day <= LAST_DAY):
            raise ValidationError(_("Bitte ein Datum zwischen %(first)s und %(last)s angeben.") % {"first": FIRST_DAY.year, "last": LAST_DAY.year})
        return day

    def clean_added_from(self) -> date | None:
        return self._sane_day("added_from")

    def clean_added_to(self) -> date | None:
        return self._sane_day("added_to")

    def clean_municipality(self) -> str:
        """A place of this network's members (checked in the database: the dropdown's list may be minutes old)."""
        place = self.cleaned_data.get("municipality") or ""
        if place and not municipality_exists(self.network, place):
            raise ValidationError(_("Kein Mitglied hat diesen Ort."))
        return place

    def to_filter(self) -> DirectoryFilter:
        """The valid part of the filter; invalid values are dropped (a shared URL never errors)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {name: self.cleaned_data.get(name) for name in self.FIELDS if name not in self.errors}
        sort = data.get("sort") or "relevance"
        return DirectoryFilter(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            section=data.get("section") or "",
            size=data.get("size") or "",
            municipality=data.get("municipality") or "",
            role=data.get("role") or "",
            status=data.get("status") or "",
            also_in=data.get("also_in"),
            import_job=data.get("import"),
            added_from=data.get("added_from"),
            added_to=data.get("added_to"),
            sort=sort if sort in SORTS else "relevance",
        )


class SavedFilterForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name des Filters"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20_000)


class OrganisationForm(DuplicateCheckMixin, CleanTextMixin, forms.ModelForm):
    activity_code = forms.CharField(
        label=_("WZ-Schlüssel"),
        required=False,
        max_length=10,
        help_text=_("z. B. 28.15 – Klassifikation der Wirtschaftszweige (Quelle: Statistisches Bundesamt, Destatis)"),
    )
    activity_version = forms.ChoiceField(label=_("WZ-Ausgabe"), choices=EconomicActivity.Version.choices, initial=EconomicActivity.Version.WZ2008)
    competency_tags_text = forms.CharField(label=_("Schlagwörter Kompetenzen"), required=False, max_length=1000, help_text=_("durch Kommas getrennt"))
    need_tags_text = forms.CharField(label=_("Schlagwörter Bedarfe"), required=False, max_length=1000, help_text=_("durch Kommas getrennt"))

    class Meta:
        model = Organisation
        fields = ORGANISATION_FORM_FIELDS
        widgets = {"profile": forms.Textarea(attrs={"rows": 4}), "competencies": forms.Textarea(attrs={"rows": 3}), "needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, duplicates: Finder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_duplicate_check(duplicates)  # creating: "Mögliche Dublette" and "trotzdem anlegen" (members.forms.duplicates)
        organisation = self.instance
        if organisation.pk:
            if organisation.activity_id:
                self.fields["activity_code"].initial = organisation.activity.code
                self.fields["activity_version"].initial = organisation.activity.version
            self.fields["competency_tags_text"].initial = ", ".join(t.name for t in organisation.competency_tags.all())
            self.fields["need_tags_text"].initial = ", ".join(t.name for t in organisation.need_tags.all())
        for name in ("profile", "competencies", "needs"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
        self.fields["employees"].validators.append(MaxValueValidator(10_000_000))
        self.fields["figures_year"].validators += [MinValueValidator(1900), MaxValueValidator(2100)]
        for name in ("turnover", "balance_sheet_total"):
            self.fields[name].validators.append(MinValueValidator(0))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = (cleaned.get("activity_code") or "").strip()
        if code:
            activity = EconomicActivity.objects.filter(version=cleaned.get("activity_version"), code=code).first()
            if activity is None:
                self.add_error("activity_code", _("Diesen WZ-Schlüssel gibt es in der gewählten Ausgabe nicht."))
            cleaned["activity"] = activity
        else:
            cleaned["activity"] = None
        self.check_duplicates(cleaned)
        return cleaned

    def profile_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["activity"] = self.cleaned_data.get("activity")
        return data


class NewMembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle im Verbund"), choices=Membership.Role.choices, initial=Membership.Role.USER)
    status = forms.ChoiceField(label=_("Status"), choices=Membership.Status.choices, initial=Membership.Status.ACTIVE)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS.names

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annual_fee"].validators.append(MinValueValidator(0))


class StatusChangeForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=Membership.Status.choices)
    effective_on = forms.DateField(label=_("Wirksam ab"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Bemerkung"), required=False, max_length=300)


class ContactForm(DuplicateCheckMixin, CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS.names

    def __init__(self, *args: Any, duplicates: Finder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_duplicate_check(duplicates)  # creating: "Mögliche Dublette" and "trotzdem anlegen" (members.forms.duplicates)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        self.check_duplicates(cleaned)
        return cleaned

    def clean_phone(self) -> str:
        try:
            return normalise_phone(strip_control_chars(self.cleaned_data.get("phone") or ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class BulkActionForm(forms.Form):
    """Rows chosen in the directory, or all results of its filter, and what to do with them."""

    Action = BulkAction

    action = forms.ChoiceField(label=_("Aktion"), choices=BulkAction.choices)
    status = forms.ChoiceField(label=_("Neuer Status"), choices=Membership.Status.choices, required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all_results = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=20_000)  # re-parsed by the directory's filter form

    def __init__(self, *args: Any, allowed_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "ids", forms.TypedMultipleChoiceField).choices = [(pk, pk) for pk in (allowed_ids or [])]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if cleaned.get("action") == self.Action.SET_STATUS and not cleaned.get("status"):
            self.add_error("status", _("Bitte den neuen Status wählen."))
        if not cleaned.get("all_results") and not cleaned.get("ids"):
            raise ValidationError(_("Bitte mindestens eine Organisation auswählen."))
        return cleaned


class GovernanceForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Person"), queryset=Contact.objects.none())
    function = forms.ChoiceField(label=_("Funktion"), choices=GovernancePosition.Function.choices)
    since = forms.DateField(label=_("seit"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = form_field(self, "contact", forms.ModelChoiceField)
        contact.queryset = Contact.objects.for_network(network).filter(archived_at__isnull=True).select_related("organisation").order_by("last_name")
        label_choices(contact, lambda c: f"{c.full_name} ({c.organisation.name})")


class AcceptInvitationForm(forms.Form):
    """Choose a password for the new portal login (members may also sign in with an emailed code later)."""

    password1 = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password2 = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:

        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ConsentsForm(forms.Form):
    """One checkbox per network and purpose; the current state comes from the newest consent record."""

    def __init__(self, *args: Any, networks: list[Network], current: set[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Network, list[str]]] = []
        for network in networks:
            names = []
            for purpose, label in Consent.Purpose.choices:
                name = f"consent_{network.pk}_{purpose}"
                self.fields[name] = forms.BooleanField(label=label, required=False, initial=(network.pk, purpose) in current)
                names.append(name)
            self.rows.append((network, names))

    def wanted(self) -> set[tuple[int, str]]:
        result = set()
        for name, value in self.cleaned_data.items():
            if value:
                _prefix, network_pk, purpose = name.split("_", 2)
                result.add((int(network_pk), purpose))
        return result
