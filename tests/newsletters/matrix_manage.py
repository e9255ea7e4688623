"""URL × persona expectations for the Infobrief's manager pages (newsletters/urls.py)."""

from __future__ import annotations

from django.urls import reverse

from members.models import Consent, Contact
from newsletters.models import Entry, Infobrief, InfobriefEntry
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_REDIRECT = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)  # require_POST answers before the login is checked


def infobrief(w, network_attr: str = "network_x") -> Infobrief:
    """The network's Infobrief for the matrix (found by its subject, so the one the create target adds is never taken)."""
    network = getattr(w, network_attr)
    subject = f"Infobrief {network.slug}"
    found = Infobrief.objects.filter(network=network, subject=subject).first()
    if found:
        return found
    letter = Infobrief.objects.create(network=network, subject=subject, intro="Hallo")
    entry = Entry.objects.create(network=network, kind="text", title="Neues")
    InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=1)
    contact = Contact.objects.filter(organisation__memberships__network=network).first()
    from django.utils import timezone

    Consent.objects.get_or_create(
        contact=contact, network=network, purpose="newsletter", defaults={"granted_at": timezone.now(), "source": "portal", "text_version": "t"}
    )
    return letter


def entry(w) -> Entry:
    return Entry.objects.filter(network=w.network_x, placements__isnull=True).first() or Entry.objects.create(network=w.network_x, kind="press", title="Presse")


def placement(w) -> InfobriefEntry:
    return infobrief(w).placements.first()


def spare_placement(w) -> InfobriefEntry:
    """A placement of its own for the remove target, so removing it leaves the shared Infobrief's content alone."""
    letter = infobrief(w)
    extra, _ = Entry.objects.get_or_create(network=w.network_x, kind="text", title="Zum Entfernen")
    return InfobriefEntry.objects.get_or_create(infobrief=letter, entry=extra, defaults={"position": 99})[0]


def theirs(w) -> Infobrief:
    return infobrief(w, "network_y")


def their_entry(w) -> Entry:
    return theirs(w).placements.first().entry


def u(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[p(w) for p in parts]])


def pk(factory):
    return lambda w: factory(w).pk


def y(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-y", *[p(w) for p in parts]])


def get_refused(name: str, *parts) -> Target:
    return Target(u(name, *parts), POST_ONLY, htmx=False)


NEWSLETTER_MANAGE_MATRIX: dict[str, Case] = {
    "newsletters:index": Case([Target(u("newsletters:index"), X_ONLY), Target(y("newsletters:index"), Y_ONLY)]),
    "newsletters:create": Case(
        [Target(u("newsletters:create"), X_WRITE, method="post", data=lambda w: {"subject": "Neu angelegt"}, htmx=False), get_refused("newsletters:create")]
    ),
    "newsletters:settings": Case([Target(u("newsletters:settings"), X_ONLY), Target(y("newsletters:settings"), Y_ONLY)]),
    "newsletters:entries": Case([Target(u("newsletters:entries"), X_ONLY)]),
    "newsletters:entry_create": Case([Target(u("newsletters:entry_create"), X_ONLY)]),
    "newsletters:entry_edit": Case(
        [
            Target(u("newsletters:entry_edit", pk(entry)), X_ONLY),
            Target(u("newsletters:entry_edit", pk(their_entry)), NOBODY),  # Y's entry under X's address
            Target(y("newsletters:entry_edit", pk(their_entry)), Y_ONLY),
        ]
    ),
    "newsletters:entry_delete": Case(
        [
            Target(u("newsletters:entry_delete", pk(entry)), X_WRITE, method="post", htmx=False),
            Target(u("newsletters:entry_delete", pk(their_entry)), NOBODY, method="post", htmx=False),
            get_refused("newsletters:entry_delete", pk(entry)),
        ]
    ),
    "newsletters:infobrief": Case(  # the Infobrief's address leads to its next open step
        [
            Target(u("newsletters:infobrief", pk(infobrief)), X_REDIRECT),
            Target(u("newsletters:infobrief", pk(theirs)), NOBODY),
            Target(y("newsletters:infobrief", pk(theirs)), statuses(404, anonymous=302, manager_y=302, manager_xy=302)),
        ]
    ),
    "newsletters:audience": Case(  # wizard step 1: GET shows, POST narrows
        [
            Target(u("newsletters:audience", pk(infobrief)), X_ONLY),
            Target(u("newsletters:audience", pk(theirs)), NOBODY),
            Target(y("newsletters:audience", pk(theirs)), Y_ONLY),
            Target(u("newsletters:audience", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"include_subscribers": "on"}, htmx=False),
            Target(u("newsletters:audience", pk(theirs)), NOBODY, method="post", data=lambda w: {"include_subscribers": ""}, htmx=False),
        ]
    ),
    "newsletters:content": Case(  # wizard step 2: GET shows, POST saves subject and introduction
        [
            Target(u("newsletters:content", pk(infobrief)), X_ONLY),
            Target(u("newsletters:content", pk(theirs)), NOBODY),
            Target(
                u("newsletters:content", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"subject": "Infobrief netz-x", "intro": "Hallo"}, htmx=False
            ),
            Target(u("newsletters:content", pk(theirs)), NOBODY, method="post", data=lambda w: {"subject": "Übernommen"}, htmx=False),
        ]
    ),
    "newsletters:place": Case(
        [
            Target(u("newsletters:place", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"entry": entry(w).pk}, htmx=False),
            Target(u("newsletters:place", pk(theirs)), NOBODY, method="post", data=lambda w: {"entry": their_entry(w).pk}, htmx=False),
            get_refused("newsletters:place", pk(infobrief)),
        ]
    ),
    "newsletters:placement_move": Case(
        [
            Target(
                lambda w: reverse("newsletters:placement_move", args=["netz-x", infobrief(w).pk, placement(w).pk, "down"]), X_WRITE, method="post", htmx=False
            ),
            Target(lambda w: reverse("newsletters:placement_move", args=["netz-x", infobrief(w).pk, placement(w).pk, "down"]), POST_ONLY, htmx=False),
        ]
    ),
    "newsletters:placement_remove": Case(
        [
            Target(lambda w: reverse("newsletters:placement_remove", args=["netz-x", infobrief(w).pk, 999999]), NOBODY, method="post", htmx=False),
            Target(  # Y's placement through X's Infobrief
                lambda w: reverse("newsletters:placement_remove", args=["netz-x", infobrief(w).pk, theirs(w).placements.first().pk]),
                NOBODY,
                method="post",
                htmx=False,
            ),
            Target(
                lambda w: reverse("newsletters:placement_remove", args=["netz-x", infobrief(w).pk, spare_placement(w).pk]), X_WRITE, method="post", htmx=False
            ),
            Target(lambda w: reverse("newsletters:placement_remove", args=["netz-x", infobrief(w).pk, placement(w).pk]), POST_ONLY, htmx=False),
        ]
    ),
    "newsletters:fill_dates": Case(
        [Target(u("newsletters:fill_dates", pk(infobrief)), X_WRITE, method="post", htmx=False), get_refused("newsletters:fill_dates", pk(infobrief))]
    ),
    "newsletters:preview": Case(  # wizard step 3: the page with the framed HTML and the text version
        [
            Target(u("newsletters:preview", pk(infobrief)), X_ONLY),
            Target(u("newsletters:preview", pk(theirs)), NOBODY),
            Target(y("newsletters:preview", pk(theirs)), Y_ONLY),
        ]
    ),
    "newsletters:preview_mail": Case(  # the mail's HTML for the preview's <iframe>
        [
            Target(u("newsletters:preview_mail", pk(infobrief)), X_ONLY, htmx=False),
            Target(u("newsletters:preview_mail", pk(theirs)), NOBODY, htmx=False),
            Target(y("newsletters:preview_mail", pk(theirs)), Y_ONLY, htmx=False),
        ]
    ),
    "newsletters:test_send": Case(
        [Target(u("newsletters:test_send", pk(infobrief)), X_WRITE, method="post", htmx=False), get_refused("newsletters:test_send", pk(infobrief))]
    ),
    "newsletters:send": Case(  # GET and POST without confirm ask (naming the number); nothing is sent here
        [
            Target(u("newsletters:send", pk(infobrief)), X_ONLY),
            Target(u("newsletters:send", pk(infobrief)), X_ONLY, method="post", data=lambda w: {"mode": "now"}, htmx=False),
            Target(u("newsletters:send", pk(theirs)), NOBODY, method="post", data=lambda w: {"mode": "now", "confirm": "1"}, htmx=False),
        ]
    ),
    "newsletters:progress": Case(
        [
            Target(u("newsletters:progress", pk(infobrief)), X_ONLY, htmx=False),  # htmx polling of a draft stops at once (286): see test_manage
            Target(u("newsletters:progress", pk(theirs)), NOBODY),
        ]
    ),
    # Control actions on a draft: refused with a message, redirect back, nothing changed.
    "newsletters:pause": Case(
        [Target(u("newsletters:pause", pk(infobrief)), X_WRITE, method="post", htmx=False), get_refused("newsletters:pause", pk(infobrief))]
    ),
    "newsletters:resume": Case(
        [Target(u("newsletters:resume", pk(infobrief)), X_WRITE, method="post", htmx=False), get_refused("newsletters:resume", pk(infobrief))]
    ),
    "newsletters:cancel": Case(
        [
            Target(u("newsletters:cancel", pk(infobrief)), X_WRITE, method="post", htmx=False),
            Target(u("newsletters:cancel", pk(theirs)), NOBODY, method="post", htmx=False),
            get_refused("newsletters:cancel", pk(infobrief)),
        ]
    ),
    "newsletters:retry": Case(
        [Target(u("newsletters:retry", pk(infobrief)), X_WRITE, method="post", htmx=False), get_refused("newsletters:retry", pk(infobrief))]
    ),
}
