"""The project's override of Django's select widget (templates/django/forms/widgets/select.html) writes the options
inline instead of including a template per option: the markup must stay exactly Django's."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "Ärger & <Ö>"), (1, "eins")], initial="a")
    grouped = forms.ChoiceField(choices=[("Gruppe „A“", [("x", "X"), ("y", 'Y "quoted"')]), ("z", "Z")])
    several = forms.MultipleChoiceField(choices=[("p", "P"), ("q", "Q")], initial=["p", "q"], required=False)
    attrs = forms.ChoiceField(choices=[("", "–")], widget=forms.Select(attrs={"disabled": True, "data-x": 'a"b', "hidden": False}))


def test_the_project_renders_forms_through_its_own_templates():
    assert isinstance(get_default_renderer(), TemplatesSetting)


def test_the_inline_select_is_byte_for_byte_djangos():
    ours, djangos = Sample(renderer=TemplatesSetting()), Sample(renderer=DjangoTemplates())
    for name in Sample.base_fields:
        assert str(ours[name]) == str(djangos[name]), name
    assert "selected>Ärger &amp; &lt;Ö&gt;</option>" in str(ours["plain"])
    assert '<optgroup label="Gruppe „A“">' in str(ours["grouped"])
