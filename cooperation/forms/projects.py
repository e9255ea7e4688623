"""Forms of practice projects and their decision papers (issue 19)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.models.projects import DECISION_OPTION_FIELDS, PROJECT_FIELDS, PROJECT_LINK_FIELDS, DecisionPaper, Project, ProjectLink, ProjectParticipant
from cooperation.projects import eligible_members
from members.models import Membership, Organisation
from verbund.forms import DATE, CleanTextMixin, form_field
from verbund.models import Network

OPTION_SLOTS = 4


class ProjectStartForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("Name des Projekts"), max_length=200)
    goals = forms.CharField(label=_("Ziele"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices, initial=Project.Status.IDEA)
    starts_on = forms.DateField(label=_("Beginn"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ende"), required=False, widget=DATE)
    participants = forms.ModelMultipleChoiceField(
        label=_("Beteiligte Mitglieder"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sie werden Mitglieder des Projektverbunds."),
    )
    lead = forms.ModelChoiceField(
        label=_("Projektleitung"), queryset=Organisation.objects.none(), required=False, help_text=_("Die übrigen Beteiligten sind Projektpartner.")
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Organisation.objects.filter(
            pk__in=Membership.objects.for_network(network).current().values("organisation_id"), archived_at__isnull=True
        ).order_by("name")
        form_field(self, "participants", forms.ModelMultipleChoiceField).queryset = members
        form_field(self, "lead", forms.ModelChoiceField).queryset = members

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Das Ende liegt vor dem Beginn."))
        lead = cleaned.get("lead")
        if lead is not None and lead not in (cleaned.get("participants") or []):
            self.add_error("lead", _("Die Projektleitung muss zu den Beteiligten gehören."))
        return cleaned

    def participant_roles(self) -> list[tuple[Organisation, str]]:
        lead = self.cleaned_data.get("lead")
        role = ProjectParticipant.Role
        return [(org, role.LEAD if org == lead else role.PARTNER) for org in self.cleaned_data.get("participants") or []]

    def project_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("status", "starts_on", "ends_on")}


class ProjectForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_FIELDS.names
        widgets = {"starts_on": DATE, "ends_on": DATE, "funding_deadline": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Das Ende liegt vor dem Beginn."))
        return cleaned


class ProjectLinkForm(CleanTextMixin, forms.ModelForm):
    """A link, a note or a PDF; the file is checked by the service (verbund.uploads.clean_pdf)."""

    upload = forms.FileField(
        label=_("Datei (PDF)"),
        required=False,
        help_text=_("Zum Beispiel der Förderantrag oder eine Absichtserklärung; PDF bis 25 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = ProjectLink
        fields = PROJECT_LINK_FIELDS.names
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("note") and not cleaned.get("upload") and "url" not in self.errors and "upload" not in self.errors:
            self.add_error("url", _("Bitte einen Link, eine Notiz oder eine Datei angeben."))
        return cleaned


class DecisionPaperForm(CleanTextMixin, forms.Form):
    """The paper and up to four options, each with what speaks for and against it; at least two are needed."""

    title = forms.CharField(label=_("Titel"), max_length=200)
    question = forms.CharField(label=_("Zu entscheidende Frage"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, paper: DecisionPaper | None = None, **kwargs: Any) -> None:
        if paper is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {"title": paper.title, "question": paper.question}
            for i, option in enumerate(paper.options.all()[:OPTION_SLOTS], start=1):
                initial |= {f"option_{i}_title": option.title, f"option_{i}_pros": option.pros, f"option_{i}_cons": option.cons}
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, OPTION_SLOTS + 1):
            self.fields[f"option_{i}_title"] = forms.CharField(label=_("Option %(n)s") % {"n": i}, max_length=200, required=False)
            self.fields[f"option_{i}_pros"] = forms.CharField(
                label=_("Option %(n)s: dafür spricht") % {"n": i}, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"option_{i}_cons"] = forms.CharField(
                label=_("Option %(n)s: dagegen spricht") % {"n": i}, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for i in range(1, OPTION_SLOTS + 1):
            if not cleaned.get(f"option_{i}_title") and (cleaned.get(f"option_{i}_pros") or cleaned.get(f"option_{i}_cons")):
                self.add_error(f"option_{i}_title", _("Bitte der Option einen Namen geben."))
        if len(self.options()) < 2:
            self.add_error("option_2_title", _("Eine Entscheidungsvorlage braucht mindestens zwei Optionen."))
        return cleaned

    def paper_data(self) -> dict[str, Any]:
        return {"title": self.cleaned_data["title"], "question": self.cleaned_data["question"]}

    def options(self) -> list[dict[str, Any]]:
        found = []
        for i in range(1, OPTION_SLOTS + 1):
            option = {name: self.cleaned_data.get(f"option_{i}_{name}") or "" for name in DECISION_OPTION_FIELDS.names}
            if option["title"]:
                found.append(option)
        return found


class DecisionForm(CleanTextMixin, forms.Form):
    decision = forms.CharField(label=_("Entscheidung"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_by = forms.CharField(label=_("Entschieden von"), max_length=300, help_text=_("z. B. „Lenkungskreis des Projekts“."))
    decided_on = forms.DateField(label=_("Entschieden am"), widget=DATE)


class ParticipantAddForm(CleanTextMixin, forms.Form):
    """Take a member into the project later: current members of the parent (or already of the project network) that
    do not take part yet."""

    organisation = forms.ModelChoiceField(label=_("Mitglied"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Rolle im Projekt"), choices=ProjectParticipant.Role.choices, initial=ProjectParticipant.Role.PARTNER)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        eligible = eligible_members(project.parent, project.network)
        form_field(self, "organisation", forms.ModelChoiceField).queryset = (
            Organisation.objects.filter(pk__in=eligible, archived_at__isnull=True).exclude(project_roles__project=project).order_by("name")
        )


class ParticipantRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle im Projekt"), choices=ProjectParticipant.Role.choices)
