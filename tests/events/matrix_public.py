"""URL × persona expectations for events/urls/public.py: public pages and signed links, the same for everyone."""

from __future__ import annotations

from django.urls import reverse

from events.invitations import CANCEL, REPLY, SIGNUP
from events.models import Meeting
from events.tokens import make_token
from members.models import Contact
from tests.events.matrix_events import meeting, registration
from tests.matrix import Case, Target, statuses


def public(w) -> Meeting:
    m = meeting(w)
    if not m.is_public:
        Meeting.objects.filter(pk=m.pk).update(is_public=True)
    return m


def p(name: str, make) -> callable:
    return lambda w: reverse(name, args=["netz-x", public(w).pk, make(w)])


OK = statuses(200)
GONE = statuses(404)

PUBLIC_MATRIX: dict[str, Case] = {
    "public_events:meeting_list": Case(
        [
            Target(lambda w: reverse("public_events:meeting_list", args=["netz-x"]), OK),
            Target(lambda w: reverse("public_events:meeting_list", args=["unbekannt"]), GONE),
        ]
    ),
    "public_events:meeting": Case(
        [
            Target(lambda w: reverse("public_events:meeting", args=["netz-x", public(w).pk]), OK),
            Target(lambda w: reverse("public_events:meeting", args=["netz-y", public(w).pk]), GONE),  # X's meeting under Y
            Target(lambda w: reverse("public_events:meeting", args=["netz-y", meeting(w, "network_y").pk]), GONE),  # not public
        ]
    ),
    "public_events:confirm": Case(
        [
            Target(p("public_events:confirm", lambda w: make_token(SIGNUP, {"m": public(w).pk, "name": "Gast", "email": "gast@example.org"})), OK, htmx=False),
            Target(p("public_events:confirm", lambda w: make_token(REPLY, {"m": public(w).pk, "name": "Gast", "email": "gast@example.org"})), GONE, htmx=False),
        ]
    ),
    "public_events:reply": Case(
        [
            Target(
                p("public_events:reply", lambda w: make_token(REPLY, {"m": public(w).pk, "c": Contact.objects.get(organisation=w.org_a).pk})), OK, htmx=False
            ),
            Target(
                p("public_events:reply", lambda w: make_token(REPLY, {"m": public(w).pk + 1000, "c": Contact.objects.get(organisation=w.org_a).pk})),
                GONE,
                htmx=False,
            ),
        ]
    ),
    "public_events:cancel": Case(
        [
            Target(p("public_events:cancel", lambda w: make_token(CANCEL, {"m": public(w).pk, "r": registration(w).pk})), OK, htmx=False),
            Target(p("public_events:cancel", lambda w: "gefälscht"), GONE, htmx=False),
        ]
    ),
}
