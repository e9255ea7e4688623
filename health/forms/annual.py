from django import forms
from django.utils.translation import gettext as _

from health.models import ANNUAL_REPORT_FIELDS, AnnualReport
from verbund.forms import CleanTextMixin

FOREWORD_MAX = 20_000


class ForewordForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ANNUAL_REPORT_FIELDS.names
        widgets = {"foreword": forms.Textarea(attrs={"rows": 10})}

    def clean_foreword(self) -> str:
        text = self.cleaned_data["foreword"]
        if len(text) > FOREWORD_MAX:
            raise forms.ValidationError(_("Das Vorwort ist zu lang: höchstens %(max)s Zeichen.") % {"max": f"{FOREWORD_MAX:,}".replace(",", ".")})
        return text
