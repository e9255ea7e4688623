from django import forms
from django.utils.translation import gettext_lazy as _

from verbund.forms import CleanTextMixin


class SubscribeForm(CleanTextMixin, forms.Form):
    email = forms.EmailField(label=_("E-Mail"))
    name = forms.CharField(label=_("Name (freiwillig)"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation (freiwillig)"), max_length=200, required=False)
    consent = forms.BooleanField(label=_("Ich willige wie oben beschrieben ein."))
    # For bots only: hidden from people and screen readers (static/css/verbund.css).
    hp_url = forms.CharField(label=_("Bitte leer lassen"), required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
