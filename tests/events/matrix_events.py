"""URL × persona expectations for the manager's meeting pages (events.urls.manage).

A meeting in network X and one in Y are created on demand; writes touch X's meeting only.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import ActionItem, AgendaItem, Meeting, MinuteEntry, Registration
from members.models import Contact
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def meeting(w, network_attr: str = "network_x") -> Meeting:
    network = getattr(w, network_attr)
    day = timezone.localdate() + timedelta(days=20)
    found = Meeting.objects.filter(network=network).first()
    return found or Meeting.objects.create(
        network=network, title=f"Treffen {network.slug}", starts_at=services.meeting_at(day, 9), ends_at=services.meeting_at(day, 17)
    )


def agenda_item(w) -> AgendaItem:
    m = meeting(w)
    return m.agenda_items.first() or AgendaItem.objects.create(meeting=m, starts_at=time(9), ends_at=time(10), title="Begrüßung")


def registration(w) -> Registration:
    m = meeting(w)
    contact = Contact.objects.get(organisation=w.org_b)
    return Registration.objects.get_or_create(meeting=m, contact=contact)[0]


def action_item(w) -> ActionItem:
    return ActionItem.objects.get_or_create(network=w.network_x, title="Antrag", defaults={"meeting": meeting(w)})[0]


def minute(w) -> MinuteEntry:
    m = meeting(w)
    return m.minutes.first() or MinuteEntry.objects.create(meeting=m, kind="question", text="Wie finanziert?")


def u(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[p(w) for p in parts]])


def pk(factory):
    return lambda w: factory(w).pk


EVENTS_MATRIX: dict[str, Case] = {
    "events:meeting_list": Case([Target(u("events:meeting_list"), X_ONLY)]),
    "events:meeting_create": Case([Target(u("events:meeting_create"), X_ONLY)]),
    "events:meeting": Case(
        [
            Target(u("events:meeting", pk(meeting)), X_ONLY),
            Target(u("events:meeting", pk(lambda w: meeting(w, "network_y"))), NOBODY),  # Y's meeting through X's URL
        ]
    ),
    "events:meeting_edit": Case([Target(u("events:meeting_edit", pk(meeting)), X_ONLY)]),
    "events:agenda_add": Case(
        # Refused input: the page again with the errors at the form (200), for managers of X only
        [Target(u("events:agenda_add", pk(meeting)), X_ONLY, method="post", data=lambda w: {"title": "", "starts_at": "x"}, htmx=False)]
    ),
    "events:agenda_move": Case(
        [Target(lambda w: reverse("events:agenda_move", args=["netz-x", meeting(w).pk, agenda_item(w).pk, "down"]), X_WRITE, method="post", htmx=False)]
    ),
    "events:agenda_delete": Case(
        [Target(lambda w: reverse("events:agenda_delete", args=["netz-x", meeting(w).pk, agenda_item(w).pk]), X_WRITE, method="post", htmx=False)]
    ),
    "events:registration_add": Case(
        [Target(u("events:registration_add", pk(meeting)), X_WRITE, method="post", data=lambda w: {"guest": "1", "name": "Gast Matrix"}, htmx=False)]
    ),
    "events:registration_attendance": Case(
        [Target(lambda w: reverse("events:registration_attendance", args=["netz-x", meeting(w).pk, registration(w).pk]), X_WRITE, method="post", htmx=False)]
    ),
    "events:registration_cancel": Case(
        [Target(lambda w: reverse("events:registration_cancel", args=["netz-x", meeting(w).pk, registration(w).pk]), X_WRITE, method="post", htmx=False)]
    ),
    "events:minute_add": Case(
        [Target(u("events:minute_add", pk(meeting)), X_WRITE, method="post", data=lambda w: {"kind": "question", "text": "Wie finanziert?"}, htmx=False)]
    ),
    "events:action_item_add": Case([Target(u("events:action_item_add", pk(meeting)), X_WRITE, method="post", data=lambda w: {"title": "Antrag"}, htmx=False)]),
    "events:action_item_done": Case([Target(u("events:action_item_done", pk(action_item)), X_WRITE, method="post", htmx=False)]),
}


def registration_of_a(w) -> Registration:
    return Registration.objects.get_or_create(meeting=meeting(w), contact=Contact.objects.get(organisation=w.org_a))[0]


PORTAL_OWN = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)

EVENTS_MATRIX |= {
    "portal_events:meeting_list": Case([Target(lambda w: reverse("portal_events:meeting_list"), statuses(403, anonymous=302, members=200))]),
    "portal_events:meeting": Case(
        [
            Target(lambda w: reverse("portal_events:meeting", args=[meeting(w).pk]), PORTAL_OWN),
            Target(
                lambda w: reverse("portal_events:meeting", args=[meeting(w, "network_y").pk]),
                statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200),
            ),
        ]
    ),
    "portal_events:register": Case(  # B's user posting A's contact gets a message, not a registration
        [
            Target(
                lambda w: reverse("portal_events:register", args=[meeting(w).pk]),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
                data=lambda w: {"people": [Contact.objects.get(organisation=w.org_a).pk]},
            )
        ]
    ),
    "portal_events:cancel": Case(
        [
            Target(
                lambda w: reverse("portal_events:cancel", args=[meeting(w).pk, registration_of_a(w).pk]),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404),
                method="post",
                htmx=False,
            )
        ]
    ),
}

EVENTS_MATRIX |= {
    "events:meeting_ics": Case([Target(u("events:meeting_ics", pk(meeting)), X_ONLY)]),
    "portal_events:meeting_ics": Case([Target(lambda w: reverse("portal_events:meeting_ics", args=[meeting(w).pk]), PORTAL_OWN)]),
    "network_calendar": Case(
        [
            Target(lambda w: reverse("network_calendar", args=["netz-x", w.network_x.calendar_token]), statuses(200)),
            Target(lambda w: reverse("network_calendar", args=["netz-x", "falsch"]), statuses(404)),
            Target(lambda w: reverse("network_calendar", args=["netz-x", w.network_y.calendar_token]), statuses(404)),
        ]
    ),
}

EVENTS_MATRIX |= {
    "events:check_in": Case([Target(u("events:check_in", pk(meeting)), X_ONLY)]),
    "events:walk_in": Case([Target(u("events:walk_in", pk(meeting)), X_WRITE, method="post", data=lambda w: {"guest": "1", "name": "Spontan"}, htmx=False)]),
}

EVENTS_MATRIX |= {
    "events:document": Case(
        [
            Target(lambda w: reverse("events:document", args=["netz-x", meeting(w).pk, "participant_list"]), X_ONLY, htmx=False),
            Target(  # htmx polling stops (286) when there is nothing to wait for
                lambda w: reverse("events:document", args=["netz-x", meeting(w).pk, "participant_list"]) + "?poll=1",
                statuses(404, anonymous=302, manager_x=200, manager_xy=200),
                htmx=False,
            ),
            Target(lambda w: reverse("events:document", args=["netz-x", meeting(w).pk, "unbekannt"]), NOBODY),
        ]
    ),
    "events:document_request": Case(
        [Target(lambda w: reverse("events:document_request", args=["netz-x", meeting(w).pk, "participant_list"]), X_WRITE, method="post", htmx=False)]
    ),
    "events:document_download": Case(  # nothing rendered yet: 404 for everyone who may look
        [Target(lambda w: reverse("events:document_download", args=["netz-x", meeting(w).pk, "participant_list"]), NOBODY)]
    ),
}


def m(name: str, factory, *extra: str):
    """A URL of one object of X's meeting (a programme item, a minute, an action item, a registration)."""
    return lambda w: reverse(name, args=["netz-x", meeting(w).pk, factory(w).pk, *extra])


# Issue 14: editing in place, delete with undo, consent.
EVENTS_MATRIX |= {
    "events:agenda_edit": Case(
        [
            Target(m("events:agenda_edit", agenda_item), X_ONLY),
            Target(
                m("events:agenda_edit", agenda_item),
                X_WRITE,
                method="post",
                data=lambda w: {"starts_at": "09:00", "ends_at": "10:00", "kind": "welcome", "title": "Begrüßung"},
                htmx=False,
            ),
        ]
    ),
    "events:agenda_restore": Case([Target(m("events:agenda_restore", agenda_item), X_WRITE, method="post", htmx=False)]),
    "events:minute_edit": Case([Target(m("events:minute_edit", minute), X_ONLY)]),
    "events:minute_move": Case([Target(m("events:minute_move", minute, "up"), X_WRITE, method="post", htmx=False)]),
    "events:minute_delete": Case([Target(m("events:minute_delete", minute), X_WRITE, method="post", htmx=False)]),
    "events:minute_restore": Case([Target(m("events:minute_restore", minute), X_WRITE, method="post", htmx=False)]),
    "events:action_item_edit": Case([Target(m("events:action_item_edit", action_item), X_ONLY)]),
    "events:action_item_delete": Case([Target(m("events:action_item_delete", action_item), X_WRITE, method="post", htmx=False)]),
    "events:action_item_restore": Case([Target(m("events:action_item_restore", action_item), X_WRITE, method="post", htmx=False)]),
    "events:registration_consent": Case(
        [
            Target(m("events:registration_consent", registration), X_ONLY),
            Target(
                m("events:registration_consent", registration),
                X_WRITE,
                method="post",
                data=lambda w: {"consent_participant_list": "on", "consent_source": "oral"},
                htmx=False,
            ),
        ]
    ),
}


def _undo_url(w) -> str:
    from events.tokens import make_token
    from events.views.participants import UNDO_ATTENDANCE

    m = meeting(w)
    token = make_token(UNDO_ATTENDANCE, {"m": m.pk, "r": [registration(w).pk]})
    return reverse("events:registrations_attendance_undo", args=["netz-x", m.pk]) + f"?t={token}"


# Issue 15: the meeting page's tabs (?tab=… on events:meeting) and the participants' bulk actions.
EVENTS_MATRIX["events:meeting"].targets += [
    Target(lambda w, tab=tab: reverse("events:meeting", args=["netz-x", meeting(w).pk]) + f"?tab={tab}", X_ONLY)
    for tab in ("programme", "participants", "minutes", "files")
] + [Target(lambda w: reverse("events:meeting", args=["netz-x", meeting(w, "network_y").pk]) + "?tab=participants", NOBODY)]
EVENTS_MATRIX |= {
    "events:registrations_bulk": Case(
        [
            Target(u("events:registrations_bulk", pk(meeting)), X_WRITE, method="post", data=lambda w: {"action": "present-all"}, htmx=False),
            Target(  # the CSV answers at once
                u("events:registrations_bulk", pk(meeting)),
                statuses(404, anonymous=302, manager_x=200, manager_xy=200),
                method="post",
                data=lambda w: {"action": "export-all"},
                htmx=False,
            ),
            Target(  # Y's meeting through X's URL
                lambda w: reverse("events:registrations_bulk", args=["netz-x", meeting(w, "network_y").pk]),
                NOBODY,
                method="post",
                data=lambda w: {"action": "present-all"},
                htmx=False,
            ),
            Target(u("events:registrations_bulk", pk(meeting)), statuses(405), htmx=False),  # POST only
        ]
    ),
    "events:registrations_attendance_undo": Case([Target(_undo_url, X_WRITE, method="post", htmx=False)]),
}
