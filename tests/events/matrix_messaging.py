"""URL × persona expectations for the office's meeting mails and the documentation downloads.

The documentation is stored as rendered and current, so the download paths answer 200 where allowed.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse

from events.documents import inputs_hash
from events.messaging import DOCUMENTATION_LINK
from events.models import Meeting, MeetingDocument, Registration
from events.tokens import make_token
from tests.events.matrix_events import X_ONLY, meeting, registration
from tests.matrix import Case, Target, statuses

PORTAL_OWN = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)


def documented(w, network_attr: str = "network_x") -> Meeting:
    """A meeting whose documentation PDF is rendered and matches it (the hash is refreshed on every call)."""
    m = meeting(w, network_attr)
    kind = MeetingDocument.Kind.DOCUMENTATION
    document = MeetingDocument.objects.filter(meeting=m, kind=kind).first()
    if document is None:
        document = MeetingDocument(meeting=m, kind=kind, status=MeetingDocument.Status.DONE)
        document.file.save("matrix.pdf", ContentFile(b"%PDF-1.7\n%matrix\n"), save=False)
    document.input_hash = inputs_hash(m, kind)
    document.save()
    return m


def _link(w, network_attr: str = "network_x") -> str:
    m = documented(w, network_attr)
    r = registration(w) if network_attr == "network_x" else None
    if r is not None:  # another target of the matrix may have cancelled it
        Registration.objects.filter(pk=r.pk).update(status=Registration.Status.REGISTERED)
    token = make_token(DOCUMENTATION_LINK, {"m": m.pk, "r": r.pk if r else 0})
    return reverse("public_events:documentation", args=[m.network.slug, m.pk, token])


MESSAGING_MATRIX: dict[str, Case] = {
    "events:messages": Case(
        [
            Target(lambda w: reverse("events:messages", args=["netz-x", meeting(w).pk]), X_ONLY),
            Target(lambda w: reverse("events:messages", args=["netz-x", meeting(w, "network_y").pk]), statuses(404, anonymous=302)),
        ]
    ),
    "events:message_send": Case(
        [
            Target(lambda w: reverse("events:message_send", args=["netz-x", meeting(w).pk, "reminder"]), X_ONLY),
            Target(lambda w: reverse("events:message_send", args=["netz-x", meeting(w).pk, "update"]), statuses(404, anonymous=302)),
            # A POST without "confirm" only asks again: nothing is sent.
            Target(
                lambda w: reverse("events:message_send", args=["netz-x", meeting(w).pk, "message"]),
                statuses(404, anonymous=302, manager_x=200, manager_xy=200),
                method="post",
                data=lambda w: {"subject": "Hallo", "body": "Text"},
                htmx=False,
            ),
            Target(lambda w: reverse("events:message_send", args=["netz-x", meeting(w, "network_y").pk, "reminder"]), statuses(404, anonymous=302)),
        ]
    ),
    "portal_events:documentation": Case(
        [
            Target(lambda w: reverse("portal_events:documentation", args=[documented(w).pk]), PORTAL_OWN),
            Target(
                lambda w: reverse("portal_events:documentation", args=[documented(w, "network_y").pk]),
                statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200),
            ),
        ]
    ),
    "public_events:documentation": Case(
        [
            Target(_link, statuses(200)),
            Target(lambda w: reverse("public_events:documentation", args=["netz-x", documented(w).pk, "gefaelscht"]), statuses(404)),
            Target(lambda w: _link(w, "network_y"), statuses(404)),  # a link for no registration of that meeting
        ]
    ),
}
