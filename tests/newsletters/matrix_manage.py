"""URL × persona expectations for the Infobrief's manager pages (newsletters/urls.py)."""

from __future__ import annotations

from django.urls import reverse

from members.models import Consent, Contact
from newsletters.models import Entry, Infobrief, InfobriefEntry
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def infobrief(w, network_attr: str = "network_x") -> Infobrief:
    network = getattr(w, network_attr)
    found = Infobrief.objects.filter(network=network).first()
    if found:
        return found
    letter = Infobrief.objects.create(network=network, subject=f"Infobrief {network.slug}", intro="Hallo")
    entry = Entry.objects.create(network=network, kind="text", title="Neues")
    InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=1)
    contact = Contact.objects.filter(organisation__memberships__network=network).first()
    from django.utils import timezone

    Consent.objects.get_or_create(contact=contact, network=network, purpose="newsletter", defaults={"granted_at": timezone.now(), "source": "portal", "text_version": "t"})
    return letter


def entry(w) -> Entry:
    return Entry.objects.filter(network=w.network_x, placements__isnull=True).first() or Entry.objects.create(network=w.network_x, kind="press", title="Presse")


def placement(w) -> InfobriefEntry:
    return infobrief(w).placements.first()


def u(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[p(w) for p in parts]])


def pk(factory):
    return lambda w: factory(w).pk


NEWSLETTER_MANAGE_MATRIX: dict[str, Case] = {
    "newsletters:index": Case([Target(u("newsletters:index"), X_ONLY)]),
    "newsletters:create": Case([Target(u("newsletters:create"), X_WRITE, method="post", data=lambda w: {"subject": "Neu"}, htmx=False)]),
    "newsletters:settings": Case([Target(u("newsletters:settings"), X_ONLY)]),
    "newsletters:entries": Case([Target(u("newsletters:entries"), X_ONLY)]),
    "newsletters:entry_create": Case([Target(u("newsletters:entry_create"), X_ONLY)]),
    "newsletters:entry_edit": Case([Target(u("newsletters:entry_edit", pk(entry)), X_ONLY)]),
    "newsletters:entry_delete": Case([Target(u("newsletters:entry_delete", pk(entry)), X_WRITE, method="post", htmx=False)]),
    "newsletters:infobrief": Case(
        [Target(u("newsletters:infobrief", pk(infobrief)), X_ONLY), Target(u("newsletters:infobrief", pk(lambda w: infobrief(w, "network_y"))), NOBODY)]
    ),
    "newsletters:audience": Case([Target(u("newsletters:audience", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"include_subscribers": "on"}, htmx=False)]),
    "newsletters:content": Case([Target(u("newsletters:content", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"subject": "Infobrief netz-x", "intro": "Hallo"}, htmx=False)]),
    "newsletters:place": Case([Target(u("newsletters:place", pk(infobrief)), X_WRITE, method="post", data=lambda w: {"entry": entry(w).pk}, htmx=False)]),
    "newsletters:placement_move": Case(
        [Target(lambda w: reverse("newsletters:placement_move", args=["netz-x", infobrief(w).pk, placement(w).pk, "down"]), X_WRITE, method="post", htmx=False)]
    ),
    "newsletters:placement_remove": Case(
        [Target(lambda w: reverse("newsletters:placement_remove", args=["netz-x", infobrief(w).pk, 999999]), NOBODY, method="post", htmx=False)]
    ),
    "newsletters:fill_dates": Case([Target(u("newsletters:fill_dates", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
    "newsletters:preview": Case([Target(u("newsletters:preview", pk(infobrief)), X_ONLY, htmx=False)]),
    "newsletters:test_send": Case([Target(u("newsletters:test_send", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
    "newsletters:send": Case([Target(u("newsletters:send", pk(infobrief)), X_ONLY)]),
    "newsletters:progress": Case(
        [
            Target(u("newsletters:progress", pk(infobrief)), X_ONLY, htmx=False),
            Target(  # htmx polling of a draft stops at once (286)
                lambda w: reverse("newsletters:progress", args=["netz-x", infobrief(w).pk]) + "?poll=1",
                statuses(404, anonymous=302, manager_x=200, manager_xy=200), htmx=False,
            ),
        ]
    ),
    # Control actions on a draft: refused with a message, redirect back, nothing changed.
    "newsletters:pause": Case([Target(u("newsletters:pause", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
    "newsletters:resume": Case([Target(u("newsletters:resume", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
    "newsletters:cancel": Case([Target(u("newsletters:cancel", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
    "newsletters:retry": Case([Target(u("newsletters:retry", pk(infobrief)), X_WRITE, method="post", htmx=False)]),
}
