"""Search everywhere: one field in the manager's header over the organisations, contacts, meetings, Infobriefe and
courses of every network the user holds a manager role in (observers too: they read).

It lives in `composition` because it reads every app; nothing here writes. Each group is one query with a limit,
scoped by `network__in=` the user's networks, so another network's objects never appear. Organisations use the
directory's ranked, umlaut-folded search on the stored columns (members.selectors.memberships_matching); the other,
small tables are matched word by word with `icontains`, each word also in its umlaut spellings (Müller / Mueller).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Meeting
from members.models import Contact, Membership
from members.selectors import memberships_matching
from newsletters.models import Infobrief
from qualification.models import Course
from verbund.access import AuthenticatedRequest, manager_required
from verbund.formatting import format_date
from verbund.forms import strip_control_chars
from verbund.models import Network, User

PER_GROUP = 10
MAX_QUERY = 200
_TO_DIGRAPHS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than PER_GROUP matched
    more_links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) to see all of them


def word_forms(word: str) -> set[str]:
    """A typed word and its other German spellings: 'Müller' → {Müller, Mueller}; 'Mueller' → {Mueller, Müller}."""
    forms = {word, word.translate(_TO_DIGRAPHS)}
    back = word
    for digraph, umlaut in (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("Ae", "Ä"), ("Oe", "Ö"), ("Ue", "Ü")):
        back = back.replace(digraph, umlaut)
    forms.add(back)
    return {form for form in forms if form}


def _words_in(fields: tuple[str, ...], text: str) -> Q:
    """Every word of `text` in one of `fields`, in any of its spellings."""
    condition = Q()
    for word in text.split()[:8]:
        any_field = Q()
        for form in word_forms(word):
            for name in fields:
                any_field |= Q(**{f"{name}__icontains": form})
        condition &= any_field
    return condition


def _take[T: Model](queryset: QuerySet[T]) -> tuple[list[T], bool]:
    rows = list(queryset[: PER_GROUP + 1])
    return rows[:PER_GROUP], len(rows) > PER_GROUP


def _organisations(networks: list[Network], text: str) -> Group:
    group = Group("organisations", _("Organisationen"))
    memberships = Membership.objects.filter(network__in=networks, archived_at__isnull=True, organisation__archived_at__isnull=True).select_related(
        "organisation", "network"
    )
    rows, group.more = _take(memberships_matching(memberships, text))
    several = len(networks) > 1
    for membership in rows:
        org = membership.organisation
        place = " ".join(part for part in (org.postcode, org.municipality) if part)
        detail = " · ".join(part for part in (place, membership.network.name if several else "") if part)
        group.hits.append(Hit(org.name, reverse("directory:organisation", kwargs={"network_slug": membership.network.slug, "pk": org.pk}), detail))
    for network in networks:
        url = reverse("directory:directory", kwargs={"network_slug": network.slug})
        group.more_links.append((_("Alle Treffer im Verzeichnis von %(network)s") % {"network": network.name}, f"{url}?{urlencode({'q': text})}"))
    return group


def _people_order(text: str) -> tuple[str | Upper, ...]:
    """A to Z by name, in the order that lets PostgreSQL find the first hits soonest.

    With words of three letters or more the trigram indexes find the few people who match, which are then sorted:
    ordering by the plain columns would make the planner walk the name index through most of the table instead
    („Müller“ at 150,000 people: 210 ms that way, 34 ms this way). A shorter word matches most people and cannot
    use a trigram index: then the walk along the name index finds the first ones soonest.
    """
    if all(len(word) >= 3 for word in text.split()[:8]):
        return (Upper("last_name"), Upper("first_name"), "pk")
    return ("last_name", "first_name", "pk")


def _contacts(networks: list[Network], text: str) -> Group:
    group = Group("contacts", _("Ansprechpersonen"))
    home = Membership.objects.filter(organisation=OuterRef("organisation"), network__in=networks, archived_at__isnull=True).order_by("network__name")
    # The words match on trigram indexes (members migration 0009); the networks are a semi-join, and the network a hit
    # links to is looked up only for the hits shown.
    ordering = _people_order(text)
    matches = (
        Contact.objects.filter(archived_at__isnull=True, organisation__archived_at__isnull=True)
        .filter(_words_in(("first_name", "last_name", "email", "function"), text))
        .filter(Exists(home))
        .order_by(*ordering)
    )
    keys = list(matches.values_list("pk", flat=True)[: PER_GROUP + 1])
    keys, group.more = keys[:PER_GROUP], len(keys) > PER_GROUP
    contacts = (
        Contact.objects.filter(pk__in=keys)
        .annotate(network_slug=Subquery(home.values("network__slug")[:1]), network_name=Subquery(home.values("network__name")[:1]))
        .select_related("organisation")
        .order_by(*ordering)
    )
    rows = list(contacts)
    for contact in rows:
        name = " ".join(part for part in (contact.title, contact.first_name, contact.last_name) if part)
        url = reverse("directory:organisation", kwargs={"network_slug": contact.network_slug, "pk": contact.organisation_id})
        group.hits.append(Hit(name, url, " · ".join(part for part in (contact.function, contact.organisation.name) if part)))
    return group


def _meetings(networks: list[Network], text: str) -> Group:
    group = Group("meetings", _("Treffen"))
    meetings = Meeting.objects.filter(network__in=networks).filter(_words_in(("title", "venue_name"), text)).select_related("network").order_by("-starts_at")
    rows, group.more = _take(meetings)
    for meeting in rows:
        detail = " · ".join(part for part in (format_date(meeting.starts_at, "date_short"), meeting.venue_name, meeting.network.name) if part)
        group.hits.append(Hit(meeting.title, meeting.get_absolute_url(), detail))
    return group


def _infobriefe(networks: list[Network], text: str) -> Group:
    group = Group("infobriefe", _("Infobriefe"))
    letters = Infobrief.objects.filter(network__in=networks).filter(_words_in(("subject",), text)).select_related("network").order_by("-pk")
    rows, group.more = _take(letters)
    for letter in rows:
        group.hits.append(Hit(letter.subject, letter.get_absolute_url(), f"{letter.get_status_display()} · {letter.network.name}"))
    return group


def _courses(networks: list[Network], text: str) -> Group:
    group = Group("courses", _("Kurse"))
    courses = Course.objects.filter(network__in=networks).filter(_words_in(("title", "provider"), text)).select_related("network").order_by("-year", "title")
    rows, group.more = _take(courses)
    for course in rows:
        url = reverse("qualification:course", kwargs={"network_slug": course.network.slug, "pk": course.pk})
        group.hits.append(Hit(course.title, url, " · ".join(part for part in (str(course.year), course.provider, course.network.name) if part)))
    return group


def search_everywhere(user: User, text: str) -> list[Group]:
    """The groups of hits for `text` in the networks `user` manages (any manager role); [] for an empty search."""
    text = " ".join(strip_control_chars(text).split())[:MAX_QUERY]  # PostgreSQL refuses NUL in a query parameter
    networks = list(Network.objects.active().managed_by(user).order_by("name"))
    if not text or not networks:
        return []
    return [find(networks, text) for find in (_organisations, _contacts, _meetings, _infobriefe, _courses)]


@manager_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    """The results page of the header's search field: grouped hits, each a link to its page (a plain GET form)."""
    text = request.GET.get("q", "")
    groups = search_everywhere(request.user, text)
    return render(
        request,
        "composition/search.html",
        {"q": " ".join(text.split())[:MAX_QUERY], "groups": groups, "found": sum(len(group.hits) for group in groups)},
    )
