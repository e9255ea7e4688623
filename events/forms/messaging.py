"""The office's mails from the meeting page: a reminder now, the documentation, a message to everyone registered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import MeetingMessage
from verbund.forms import CleanTextMixin


class MeetingMessageForm(CleanTextMixin, forms.Form):
    """Subject and text are asked only for a free message; reminders and the documentation have their own wording."""

    subject = forms.CharField(label=_("Betreff"), max_length=200, required=False)
    body = forms.CharField(label=_("Nachricht"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != MeetingMessage.Kind.MESSAGE:
            del self.fields["subject"]
            del self.fields["body"]
        else:
            self.fields["subject"].required = True
            self.fields["body"].required = True
