"""Forms for a meeting's attachments and talk summaries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events.models import ATTACHMENT_FIELDS, DOCUMENTATION_SETTINGS_FIELDS, AgendaItem, DocumentationSettings, Meeting, MeetingAttachment
from verbund.forms import DATE, IMPRINT_WIDGETS, CleanTextMixin, form_field


class AttachmentUploadForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=MeetingAttachment.Kind.choices)
    file = forms.FileField(label=_("Datei"), help_text=_("Fotos als JPEG, PNG, WebP oder GIF bis 15 MB; Folien und Dokumente als PDF bis 25 MB."))
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    agenda_item = forms.ModelChoiceField(label=_("Programmpunkt"), queryset=AgendaItem.objects.none(), required=False)
    people_shown = forms.ChoiceField(
        label=_("Personen auf dem Foto"),
        choices=MeetingAttachment.PeopleShown.choices,
        initial=MeetingAttachment.PeopleShown.UNCLEAR,
        required=False,
        help_text=_("Nur für Fotos. Fotos mit erkennbaren Personen kommen nur mit deren Einverständnis in die Dokumentation."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "agenda_item", forms.ModelChoiceField).queryset = meeting.agenda_items.all()
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif,application/pdf"


class AttachmentEditForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = MeetingAttachment
        fields = ATTACHMENT_FIELDS.names

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "agenda_item", forms.ModelChoiceField).queryset = self.instance.meeting.agenda_items.all()
        self.fields["agenda_item"].required = False
        if self.instance.kind != MeetingAttachment.Kind.PHOTO:
            del self.fields["people_shown"]
        else:
            self.fields["people_shown"].required = True


class SummaryForm(CleanTextMixin, forms.Form):
    summary = forms.CharField(
        label=_("Zusammenfassung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        validators=[MaxLengthValidator(50_000)],
        help_text=_("Markdown: **fett**, *kursiv*, Listen mit „-“, Links als [Text](https://…). Erscheint als Kapitel in der Dokumentation."),
    )


class DocumentationSettingsForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = DocumentationSettings
        fields = DOCUMENTATION_SETTINGS_FIELDS.names
        widgets = {"published_on": DATE, "slides_placement": forms.RadioSelect, **IMPRINT_WIDGETS}
