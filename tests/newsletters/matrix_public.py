"""URL × persona expectations for the Infobrief's public pages (newsletters/urls/public.py)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from newsletters.models import Entry, Infobrief, InfobriefEntry
from newsletters.services import unsubscribe_token
from tests.hostile_files import JPEG
from tests.matrix import Case, Target, statuses
from tests.newsletters.matrix_manage import infobrief


def sent(w) -> Infobrief:
    letter = infobrief(w)
    Infobrief.objects.filter(pk=letter.pk).update(status="sent", sent_at=timezone.now())
    return letter


def image_entry(w, *, published: bool, network_attr: str = "network_x") -> Entry:
    """An entry with an image, in a draft Infobrief or in one that went out."""
    network = getattr(w, network_attr)
    title = f"Bild {network.slug} {'versendet' if published else 'Entwurf'}"
    entry = Entry.objects.filter(network=network, title=title).first()
    if entry is None:
        entry = Entry.objects.create(network=network, kind="member_news", title=title)
        entry.image.save(f"{entry.image_key}.jpg", ContentFile(JPEG), save=True)
        letter = Infobrief.objects.create(
            network=network, subject=title, status="sent" if published else "draft", sent_at=timezone.now() if published else None
        )
        InfobriefEntry.objects.create(infobrief=letter, entry=entry, position=1)
    return entry


NEWSLETTER_PUBLIC_MATRIX: dict[str, Case] = {
    "newsletter_public:subscribe": Case(
        [
            Target(lambda w: reverse("newsletter_public:subscribe", args=["netz-x"]), statuses(200)),
            Target(lambda w: reverse("newsletter_public:subscribe", args=["unbekannt"]), statuses(404)),
        ]
    ),
    "newsletter_public:confirm": Case([Target(lambda w: reverse("newsletter_public:confirm", args=["netz-x", "gefälscht"]), statuses(404), htmx=False)]),
    "newsletter_public:archive": Case(
        [Target(lambda w: reverse("newsletter_public:archive", args=["netz-x"]), statuses(404, member_a_x=200, member_b_x=200, manager_x=200, manager_xy=200))]
    ),
    "newsletter_public:archive_pdf": Case(  # not rendered yet: 202 with a page saying so, for those who may read the archive
        [
            Target(
                lambda w: reverse("newsletter_public:archive_pdf", args=["netz-x", sent(w).pk]),
                statuses(404, member_a_x=202, member_b_x=202, manager_x=202, manager_xy=202),
                htmx=False,
            )
        ]
    ),
    "newsletter_public:unsubscribe": Case(
        [
            Target(
                lambda w: reverse("newsletter_public:unsubscribe", args=["netz-x", unsubscribe_token(w.network_x, "leser@example.org")]),
                statuses(200),
                htmx=False,
            ),
            Target(
                lambda w: reverse("newsletter_public:unsubscribe", args=["netz-y", unsubscribe_token(w.network_x, "leser@example.org")]),
                statuses(404),
                htmx=False,
            ),
        ]
    ),
    "newsletter_public:entry_image": Case(  # by key; a draft's image only for the network's managers (the compose preview)
        [
            Target(
                lambda w: reverse("newsletter_public:entry_image", args=["netz-x", infobrief(w).placements.first().entry.image_key]), statuses(404), htmx=False
            ),
            Target(
                lambda w: reverse("newsletter_public:entry_image", args=["netz-x", image_entry(w, published=False).image_key]),
                statuses(404, manager_x=200, manager_xy=200),
                htmx=False,
            ),
            Target(lambda w: reverse("newsletter_public:entry_image", args=["netz-x", image_entry(w, published=True).image_key]), statuses(200), htmx=False),
            Target(lambda w: reverse("newsletter_public:entry_image", args=["netz-y", image_entry(w, published=True).image_key]), statuses(404), htmx=False),
            Target(lambda w: reverse("newsletter_public:entry_image", args=["netz-x", str(image_entry(w, published=True).pk)]), statuses(404), htmx=False),
        ]
    ),
    "newsletter_public:logo": Case([Target(lambda w: reverse("newsletter_public:logo", args=["netz-x"]), statuses(404), htmx=False)]),  # no logo yet
    "newsletter_public:archive_issue": Case(  # members and managers of X; the archive is not public by default
        [
            Target(
                lambda w: reverse("newsletter_public:archive_issue", args=["netz-x", sent(w).pk]),
                statuses(404, member_a_x=200, member_b_x=200, manager_x=200, manager_xy=200),
                htmx=False,
            ),
        ]
    ),
}
