"""One declaration per editable field set (verbund/fieldsets.py): forms, services, copies and hashes read it, and drift fails here."""

from __future__ import annotations

from datetime import date, time

import icalendar
import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string

from events import services
from events.documents import TEMPLATES, document_context, inputs_hash
from events.ics import calendar
from events.models import AGENDA_ITEM_FIELDS, MEETING_FIELDS, MINUTE_FIELDS, Meeting, MeetingDocument
from verbund.fieldsets import FieldSet
from verbund.models import Network

# Every ModelForm of the project; each edits only fields its model's FieldSet declares.
FORM_MODULES = [
    "verbund.forms",
    "members.forms.organisations",
    "members.forms.io",
    "events.forms.meetings",
    "events.forms.attachments",
    "events.forms.invitations",
    "events.forms.feedback",
    "qualification.forms.programme",
    "qualification.forms.checks",
    "newsletters.forms.manage",
    "newsletters.forms.public",
    "health.forms.surveys",
    "health.forms.annual",
    "health.forms_reports",
    "cooperation.forms.projects",
]


def model_forms() -> list[type[forms.ModelForm]]:
    found = []
    for module in FORM_MODULES:
        for value in vars(import_string(module)).values():
            if isinstance(value, type) and issubclass(value, forms.ModelForm) and value is not forms.ModelForm and value._meta.model:
                found.append(value)
    return found


def fieldset_of(model) -> FieldSet | None:
    return next((fs for fs in FieldSet.registry if fs.model is model), None)


def test_every_field_of_a_declared_model_is_editable_or_internal():
    """A new model field must be classified in its FieldSet; otherwise the form shows it and the service drops it."""
    assert len({fs.model for fs in FieldSet.registry}) >= 20
    for fieldset in FieldSet.registry:
        opts = fieldset.model._meta
        model_fields = {f.name for f in (*opts.local_fields, *opts.local_many_to_many) if not f.primary_key}
        declared = set(fieldset.names) | set(fieldset.internal)
        assert model_fields == declared, f"{fieldset.model.__name__}: undeclared {model_fields - declared}, gone {declared - model_fields}"


def test_every_model_form_edits_only_declared_fields():
    checked = 0
    for form_class in model_forms():
        fieldset = fieldset_of(form_class._meta.model)
        if fieldset is None:
            continue
        checked += 1
        assert set(form_class._meta.fields) <= set(fieldset.names), f"{form_class.__name__} edits fields its FieldSet does not declare"
    assert checked >= 15


def test_the_editable_models_of_the_issue_all_have_a_declaration():
    for label in [
        "events.Meeting",
        "events.AgendaItem",
        "members.Organisation",
        "members.Contact",
        "newsletters.Entry",
        "qualification.Course",
        "qualification.CheckTemplate",
        "qualification.CheckArea",
        "qualification.CheckQuestion",
    ]:
        assert fieldset_of(apps.get_model(label)) is not None, label


def test_a_service_refuses_a_field_it_does_not_declare(world, manager_x):
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "title": "KT",
            "starts_at": services.meeting_at(date(2026, 12, 10), 9),
            "ends_at": services.meeting_at(date(2026, 12, 10), 12),
        },
    )
    with pytest.raises(TypeError, match="moderatoin"):
        services.meeting_update(meeting=meeting, by=manager_x, data={"moderatoin": "Tippfehler"})
    with pytest.raises(TypeError, match="network"):
        services.meeting_update(meeting=meeting, by=manager_x, data={"network": world.network_y})


def test_an_unknown_name_in_a_declaration_fails_at_import():
    count = len(FieldSet.registry)
    with pytest.raises(ImproperlyConfigured, match="moderatoin"):
        FieldSet(Meeting, names=("title", "moderatoin"))
    assert len(FieldSet.registry) == count


def test_the_network_profile_form_stores_every_field_it_shows(client, world, manager_x):
    """Found: the profile form showed the funding line, network_update dropped it and said "gespeichert"."""
    client.force_login(manager_x)
    form_fields = {
        "name": "Netzwerk X",
        "kind": world.network_x.kind,
        "region": "",
        "description": "",
        "goals": "Ziel",
        "rules_of_play": "",
        "founded_on": "",
        "legal_form": "",
        "parent": "",
        "stage": world.network_x.stage,
        "cluster_type": "",
        "meetings_per_year": "4",
        "funding_note": "Gefördert vom Land NRW",
    }
    response = client.post(reverse("verbund:network_profile", args=["netz-x"]), form_fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.network_x.refresh_from_db()
    assert world.network_x.funding_note == "Gefördert vom Land NRW"


def _meeting_with_canaries(world, manager_x) -> Meeting:
    canaries = {name: f"CANARY-{name}" for name in MEETING_FIELDS.printed}
    meeting = services.meeting_create(
        network=world.network_x,
        by=manager_x,
        data={
            "starts_at": services.meeting_at(date(2026, 12, 10), 9),
            "ends_at": services.meeting_at(date(2026, 12, 10), 15),
            **canaries,
        },
    )
    item = services.agenda_item_save(
        meeting=meeting,
        by=manager_x,
        data={
            "starts_at": time(10),
            "ends_at": time(11),
            "kind": "talk",
            **{name: f"CANARY-agenda-{name}" for name in AGENDA_ITEM_FIELDS.printed},
        },
    )
    services.minute_add(
        meeting=meeting,
        by=manager_x,
        data={
            "kind": "question",
            "agenda_item": item,
            **{name: f"CANARY-minute-{name}" for name in MINUTE_FIELDS.printed},
        },
    )
    return meeting


def test_every_printed_field_shows_in_the_documentation_and_the_calendar(world, manager_x):
    meeting = _meeting_with_canaries(world, manager_x)
    html = render_to_string(TEMPLATES[MeetingDocument.Kind.DOCUMENTATION], document_context(meeting, MeetingDocument.Kind.DOCUMENTATION))
    ics = calendar([meeting], name="X").replace("\r\n ", "")  # unfolded
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    shown_in_calendar = " ".join(str(event.get(key, "")) for key in ("SUMMARY", "LOCATION", "DESCRIPTION"))
    for name in MEETING_FIELDS.printed:
        assert f"CANARY-{name}" in html, f"Meeting.{name} is declared printed but the documentation does not show it"
        assert f"CANARY-{name}" in shown_in_calendar, f"Meeting.{name} is declared printed but the .ics does not show it"
    for fieldset, prefix in ((AGENDA_ITEM_FIELDS, "agenda"), (MINUTE_FIELDS, "minute")):
        for name in fieldset.printed:
            assert f"CANARY-{prefix}-{name}" in html, f"{fieldset.model.__name__}.{name} is declared printed but not shown"


def test_changing_any_declared_field_makes_the_stored_documentation_stale(world, manager_x):
    """The input hash reads the field sets: a field left out would serve a stale PDF."""
    meeting = _meeting_with_canaries(world, manager_x)
    before = inputs_hash(meeting, MeetingDocument.Kind.DOCUMENTATION)
    for name in MEETING_FIELDS.printed:
        setattr(meeting, name, getattr(meeting, name) + " geändert")
        after = inputs_hash(meeting, MeetingDocument.Kind.DOCUMENTATION)
        assert after != before, name
        before = after


def test_networks_have_a_declaration_too():
    assert fieldset_of(Network) is not None
