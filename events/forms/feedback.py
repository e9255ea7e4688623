from django import forms
from django.utils.translation import gettext_lazy as _

from verbund.forms import CleanTextMixin

SCORES = [
    (5, _("5 – sehr gut")),
    (4, _("4 – gut")),
    (3, _("3 – teils, teils")),
    (2, _("2 – weniger gut")),
    (1, _("1 – schlecht")),
]


class FeedbackForm(CleanTextMixin, forms.Form):
    score = forms.TypedChoiceField(label=_("Wie hilfreich war das Treffen für Sie?"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Was sollen wir beibehalten, was ändern? (freiwillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
