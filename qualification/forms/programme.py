"""Forms of the qualification pages (topics, matrix cells, courses, sessions, enrolments, attendance, documentation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Contact
from qualification.matrix import municipalities
from qualification.models import COURSE_FIELDS, NEED_FIELDS, TOPIC_FIELDS, Course, Need, Topic
from verbund.forms import DATETIME, DATETIME_FORMATS, CleanTextMixin, form_field, label_choices, strip_control_chars


class TopicForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Topic
        fields = TOPIC_FIELDS.names
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, network=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["description"].validators.append(MaxLengthValidator(5000))
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Reihenfolge in Matrix und Listen; leer: 0.")

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0

    def clean_title(self) -> str:
        title = strip_control_chars(self.cleaned_data["title"])  # as it is stored: the clash check must see the same text
        clash = Topic.objects.filter(network=self.network, title__iexact=title).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Dieses Thema gibt es im Katalog schon."))
        return title


class NeedForm(CleanTextMixin, forms.ModelForm):
    """One matrix cell. Only the cell's own fields: an organisation or topic in the POST body is ignored."""

    class Meta:
        model = Need
        fields = NEED_FIELDS.names
        widgets = {"priority": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "head_count", forms.IntegerField).min_value = 0
        self.fields["head_count"].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.fields["head_count"].error_messages["min_value"] = _("Die Anzahl der Personen muss eine ganze Zahl ab 0 sein.")
        self.fields["head_count"].error_messages["invalid"] = _("Die Anzahl der Personen muss eine ganze Zahl ab 0 sein.")

    def clean_head_count(self) -> int:
        value = self.cleaned_data["head_count"]
        if value is None or value < 0:
            raise forms.ValidationError(_("Die Anzahl der Personen muss eine ganze Zahl ab 0 sein."))
        return value


class MatrixFilterForm(forms.Form):
    """The heat map's filters (GET). Unknown values are dropped, never an error page."""

    q = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    municipality = forms.ChoiceField(label=_("Ort"), required=False)
    min_priority = forms.TypedChoiceField(
        label=_("Zählen ab Priorität"),
        required=False,
        coerce=int,
        empty_value=Need.Priority.USEFUL,  # type: ignore[arg-type]  # Django passes any empty_value through; the stub allows only str | None
        choices=[(p.value, p.label) for p in Need.Priority if p.value > 0],
    )
    topic = forms.MultipleChoiceField(label=_("Themen"), required=False, widget=forms.CheckboxSelectMultiple)
    only_with_need = forms.BooleanField(label=_("Nur Organisationen mit Bedarf"), required=False)

    def __init__(self, *args: Any, topics=(), municipalities=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "topic", forms.MultipleChoiceField).choices = [(str(t.pk), t.title) for t in topics]
        form_field(self, "municipality", forms.ChoiceField).choices = [("", _("alle"))] + [(m, m) for m in municipalities]

    @classmethod
    def for_network(cls, network, data=None) -> MatrixFilterForm:

        topics = Topic.objects.filter(network=network, archived_at__isnull=True).order_by("position", "title")
        return cls(data or None, topics=topics, municipalities=municipalities(network))

    def values(self) -> dict[str, Any]:
        valid: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # a field with a bad value is left out of cleaned_data; the others still filter
            valid = self.cleaned_data
        return {
            "search": valid.get("q", "") or "",
            "municipality": valid.get("municipality", "") or "",
            "min_priority": valid.get("min_priority") or Need.Priority.USEFUL,
            "topic_ids": [int(pk) for pk in valid.get("topic", [])] or None,
            "only_with_need": bool(valid.get("only_with_need")),
        }


class CourseForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = COURSE_FIELDS.names
        widgets = {"topics": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, network=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = self.instance.topics.values("pk") if self.instance.pk else Topic.objects.none()
        form_field(self, "topics", forms.ModelMultipleChoiceField).queryset = Topic.objects.filter(network=network).filter(
            Q(archived_at__isnull=True) | Q(pk__in=keep)
        )
        self.fields["year"].initial = timezone.localdate().year
        form_field(self, "cost_per_seat", forms.DecimalField).min_value = 0
        self.fields["cost_per_seat"].widget.attrs["min"] = 0

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Bitte ein Jahr zwischen 2000 und 2100 angeben."))
        return year

    def clean_seats(self):
        seats = self.cleaned_data.get("seats")
        if seats is not None and seats < 1:
            raise forms.ValidationError(_("Bitte mindestens einen Platz angeben (leer lassen: unbegrenzt)."))
        return seats

    def clean_cost_per_seat(self):
        cost = self.cleaned_data.get("cost_per_seat")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("Die Kosten können nicht negativ sein."))
        return cost


class ProposalForm(forms.Form):
    """Accept (one topic), merge (several) or drop proposals of the Verbundabstimmung."""

    topics = forms.MultipleChoiceField(label=_("Themen"), widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("Kurstitel"), required=False, max_length=200)
    action = forms.ChoiceField(choices=[("accept", _("Als Kurs übernehmen")), ("drop", _("Verwerfen"))], widget=forms.HiddenInput, initial="accept")

    def __init__(self, *args: Any, topics=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "topics", forms.MultipleChoiceField).choices = [(str(t.pk), t.title) for t in topics]
        self.fields["topics"].error_messages["invalid_choice"] = _("Bitte nur vorgeschlagene Themen wählen.")
        self.fields["topics"].error_messages["required"] = _("Bitte mindestens ein Thema wählen.")


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Beginn"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ende"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    place = forms.CharField(label=_("Ort"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        for name in ("starts_at", "ends_at"):
            if cleaned.get(name) and not 2000 <= cleaned[name].year <= 2100:
                self.add_error(name, _("Bitte ein Datum zwischen 2000 und 2100 angeben."))
                cleaned.pop(name, None)
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] <= cleaned["starts_at"]:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        return cleaned


class EnrolForm(forms.Form):
    """Named employees (one enrolment each) or a head count for the organisation."""

    contacts = forms.ModelMultipleChoiceField(
        label=_("Namentlich anmelden"), queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    head_count = forms.IntegerField(
        label=_("oder Anzahl Personen"),
        required=False,
        min_value=1,
        max_value=1000,
        error_messages={"min_value": _("Bitte mindestens eine Person anmelden."), "invalid": _("Bitte eine ganze Zahl angeben.")},
    )

    def __init__(self, *args: Any, organisation=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = form_field(self, "contacts", forms.ModelMultipleChoiceField)
        contacts.queryset = Contact.objects.filter(organisation=organisation, archived_at__isnull=True).order_by("last_name", "first_name")
        label_choices(contacts, lambda c: c.full_name)
        contacts.error_messages["invalid_choice"] = _("Diese Person gehört nicht zu Ihrer Organisation.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if not self.errors and not cleaned.get("contacts") and not cleaned.get("head_count"):
            raise forms.ValidationError(_("Bitte Personen auswählen oder eine Anzahl angeben."))
        return cleaned


class DocumentationForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Notizen zum Kurs (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 10}), validators=[MaxLengthValidator(50_000)]
    )
    publish = forms.BooleanField(label=_("Für die Mitglieder des Verbunds veröffentlichen"), required=False)


class CourseFileForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    upload = forms.FileField(label=_("Datei (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
