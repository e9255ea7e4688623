"""A meeting's participants as CSV for German Excel (UTF-8 with BOM, ';', CRLF: members.exports.write_csv).

Two lists: the office's own (name, organisation, e-mail, status, the consents and when someone registered — what
the office sees on the Teilnehmende tab, nothing of the people who recorded it) and the list to pass on to others
(name and organisation of the people holding a seat or present who agreed to the participant list, nothing else).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Meeting, Registration
from members.exports import write_csv


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nein")


def in_name_order(registrations):
    return registrations.select_related("contact__organisation").order_by("contact__last_name", "contact__first_name", "guest_name", "pk")


def participants_csv(registrations: Iterable[Registration]) -> bytes:
    """The office's list of the given registrations (in the given order)."""
    headers = [
        _("Name"),
        _("Organisation"),
        _("E-Mail"),
        _("Status"),
        _("Einverstanden mit Teilnehmendenliste"),
        _("Einverstanden mit Fotos"),
        _("Angemeldet am"),
    ]
    rows: list[list[Any]] = [
        [
            r.display_name,
            r.organisation_name,
            r.email,
            r.get_status_display(),
            _yes_no(r.consent_participant_list),
            _yes_no(r.consent_photos),
            timezone.localdate(r.created_at),
        ]
        for r in registrations
    ]
    return write_csv(headers, rows)


def shared_participants_csv(registrations: Iterable[Registration]) -> bytes:
    """The list to pass on: only people holding a seat or present who agreed to the participant list; name and organisation."""
    shown = [r for r in registrations if r.consent_participant_list and r.status in {Registration.Status.REGISTERED, Registration.Status.ATTENDED}]
    return write_csv([_("Nr."), _("Name"), _("Organisation")], ([n, r.display_name, r.organisation_name] for n, r in enumerate(shown, start=1)))


def filename(meeting: Meeting, *, shared: bool) -> str:
    stem = "teilnehmendenliste" if shared else "teilnehmende"
    return f"{stem}-{timezone.localdate(meeting.starts_at):%Y-%m-%d}-{meeting.pk}.csv"
