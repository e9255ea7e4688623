"""Writes and reads for needs and offers (issue 19): entries, matching, confirmed matches and round tables.

An entry belongs to one network (see cooperation.models.needs). Matching ranks the organisations of the networks the
manager runs whose entries are visible there: their offers, competencies (tags and text) and sector (WZ title) are
compared with the need's title, description and tags. On PostgreSQL the database recalls (trigram GIN index on the
folded search text, shared tags, fitting offers) and ranks them (german full text plus trigram word similarity), and
only the best few are read; on SQLite the fallback compares every member in Python — folded words
(members.matching.fold), simple stems for compounds and pg_trgm's measure (members.matching.trigram_similarity).
Either way the reasons shown to the manager are worded in Python from the same comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, FloatField, OuterRef, Q, QuerySet, StringAgg, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import NEED_OFFER_FIELDS, Match, NeedOffer
from events import services as event_services
from events.models import Meeting
from members.matching import fold, trigram_similarity
from members.models import Contact, EconomicActivity, Membership, Organisation
from members.services import tags_from_text
from verbund.mail import mail_send_later, network_reply_to, render_mail
from verbund.models import Network, User
from verbund.services import save_audited

# Words too common in needs and offers to say anything about a fit.
STOPWORDS = frozenset(
    "und oder der die das den dem des ein eine einer eines einen fuer mit von zu zum zur auf aus bei nach ueber unter "
    "wir sie ihr unser unsere suchen suche bieten biete brauchen benoetigen gesucht angebot bedarf hilfe thema "
    "for and the with".split()
)
MIN_SCORE = 1.0  # below this a candidate is noise


def _check_contact(organisation: Organisation, contact: Contact | None) -> None:
    if contact is not None and (contact.organisation_id != organisation.pk or contact.archived_at is not None):
        raise ValidationError({"contact": _("Die Ansprechperson muss zur Organisation gehören.")})


def _check_member(organisation: Organisation, network: Network) -> None:
    if not Membership.objects.current().filter(network=network, organisation=organisation).exists():
        raise ValidationError(_("Die Organisation ist kein Mitglied dieses Verbunds."))


@transaction.atomic
def entry_create(*, network: Network, organisation: Organisation, by: User, data: dict[str, Any], tags: str = "") -> NeedOffer:
    """A new need or offer of a current member organisation in one network."""
    values = NEED_OFFER_FIELDS.take(data)
    _check_member(organisation, network)
    _check_contact(organisation, values.get("contact"))
    entry = NeedOffer(network=network, organisation=organisation, created_by=by, **values)
    save_audited(entry, by=by)
    entry.tags.set(tags_from_text(tags))
    return entry


@transaction.atomic
def entry_update(*, entry: NeedOffer, by: User, data: dict[str, Any], tags: str | None = None) -> NeedOffer:
    NEED_OFFER_FIELDS.apply(entry, NEED_OFFER_FIELDS.take(data))
    _check_contact(entry.organisation, entry.contact)
    save_audited(entry, by=by)
    if tags is not None:
        entry._history_user = by  # type: ignore[attr-defined]
        entry.tags.set(tags_from_text(tags))
    return entry


@transaction.atomic
def entry_status_set(*, entry: NeedOffer, by: User, status: str) -> NeedOffer:
    """Move an entry to another status; the history keeps every step."""
    if status not in NeedOffer.Status.values:
        raise ValidationError(_("Unbekannter Status."))
    entry.status = status
    save_audited(entry, by=by, update_fields=["status"])
    return entry


def entry_withdraw(*, entry: NeedOffer, by: User) -> NeedOffer:
    return entry_status_set(entry=entry, by=by, status=NeedOffer.Status.WITHDRAWN)


def tags_text(entry: NeedOffer) -> str:
    return ", ".join(tag.name for tag in entry.tags.all())


def status_history(entry: NeedOffer) -> list[tuple[datetime, str, User | None]]:
    """(when, status label, who) for each change of status, oldest first."""
    steps: list[tuple[datetime, str, User | None]] = []
    previous = None
    for record in entry.history.order_by("history_date", "history_id").select_related("history_user"):
        if record.status != previous:
            steps.append((record.history_date, str(NeedOffer.Status(record.status).label), record.history_user))
            previous = record.status
    return steps


# --- matching ----------------------------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {word for word in fold(text).split() if len(word) >= 4 and word not in STOPWORDS}


_ENDINGS = ("ern", "en", "er", "es", "e", "n", "s")


def _stem(word: str) -> str:
    """A crude German stem: 'bleche' → 'blech', so that it is found in the compound 'blechbearbeitung'."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 5:
            return word[: -len(ending)]
    return word


def _same(word: str, other: str) -> bool:
    """Equal, nearly equal (trigrams), or the stem of one (five letters at least) begins or ends the other (compounds)."""
    if word == other or trigram_similarity(word, other) >= 0.6:
        return True
    a, b = _stem(word), _stem(other)
    return (len(a) >= 5 and (b.startswith(a) or b.endswith(a))) or (len(b) >= 5 and (a.startswith(b) or a.endswith(b)))


@dataclass
class Candidate:
    organisation: Organisation
    score: float = 0.0
    offer: NeedOffer | None = None
    reasons: list[str] = field(default_factory=list)


def _fit(need_words: set[str], need_tags: set[str], text: str, tags: set[str]) -> tuple[float, set[str], set[str]]:
    """Score of one text with tags against the need: shared tags weigh 3, shared (or nearly equal) words 1."""
    shared_tags = need_tags & tags
    words = _words(text) | {w for t in tags for w in _words(t)}
    shared = {w for w in need_words if any(_same(w, other) for other in words)}
    return 3.0 * len(shared_tags) + len(shared), shared_tags, shared


@dataclass(frozen=True)
class _Need:
    """What matching compares: the need's folded words and tags, its plain words (lower case) for full text, and its
    tags' rows (one row per name, members.services.tags_from_text)."""

    words: set[str]
    tags: set[str]
    plain_words: list[str]
    tag_ids: list[int]

    @classmethod
    def of(cls, need: NeedOffer) -> _Need:
        rows = list(need.tags.all())
        tags = {fold(t.name) for t in rows}
        words = _words(f"{need.title} {need.description}") | {w for t in tags for w in _words(t)}
        text = " ".join([need.title, need.description, *(t.name for t in rows)])
        plain = sorted({w for w in re.findall(r"\w+", text.casefold()) if len(w) >= 4 and fold(w) not in STOPWORDS and not w.isdigit()})
        return cls(words, tags, plain, [t.pk for t in rows])


def _explain(candidate: Candidate, need: _Need, offers: list[NeedOffer], *, best_offer: int | None = None) -> float:
    """Fill the candidate's reasons and its offer from the comparison in Python; returns that comparison's score.
    `best_offer` (a pk among `offers`: PostgreSQL's pick) is the offer named, else the best fitting one here."""
    organisation = candidate.organisation
    total = 0.0
    tags = {fold(t.name) for t in organisation.competency_tags.all()}
    score, shared_tags, shared = _fit(need.words, need.tags, organisation.competencies, tags)
    if score:
        total += score
        names = sorted({t.name for t in organisation.competency_tags.all() if fold(t.name) in shared_tags} | shared)
        candidate.reasons.append(_("Kompetenz %(what)s") % {"what": ", ".join(names)})
    if organisation.activity is not None:
        score, _tags, shared = _fit(need.words, set(), organisation.activity.title, set())
        if score:
            total += score
            candidate.reasons.append(_("Branche %(what)s") % {"what": organisation.activity.title})
    best = 0.0
    for offer in offers:
        score, _tags, _shared = _fit(need.words, need.tags, f"{offer.title} {offer.description}", {fold(t.name) for t in offer.tags.all()})
        if score:
            total += score + 1.0  # an offer posted for the network says more than a profile
        if offer.pk == best_offer or (best_offer is None and score > best):
            best = max(best, score)
            candidate.offer = offer
    if candidate.offer is not None:
        candidate.reasons.insert(0, _("Angebot „%(title)s“ passt") % {"title": candidate.offer.title})
    return total


def _ranked_in_postgres(organisations: QuerySet[Organisation], offers: QuerySet[NeedOffer], need: _Need) -> QuerySet[Organisation]:
    """`organisations` that fit the need, best first, scored by PostgreSQL: full text (german) over competency tags
    (weight A), competencies (B) and the sector's title (C); trigram word similarity of each word of the need with the
    same text (≥ 0.6, pg_trgm's `%>`: compounds and typos, "Bleche" in "Blechbearbeitung"); 3 for each shared
    competency tag; 2 for an open offer of the networks whose text or tags fit. The recall — only these rows are
    scored — uses the trigram GIN index on the folded `search_text`, the shared tags and the fitting offers.
    `match_score` and `match_offer` (the best fitting offer's pk) are annotated."""
    query: SearchQuery | None = None
    for word in need.plain_words:
        part = SearchQuery(word, config="german")
        query = part if query is None else query | part
    tags = need.tag_ids
    through = Organisation.competency_tags.through
    tag_text = Subquery(
        through.objects.filter(organisation_id=OuterRef("pk")).values("organisation_id").annotate(text=StringAgg("tag__name", Value(" "))).values("text")  # type: ignore[misc]
    )
    shared_tags = Subquery(
        through.objects.filter(organisation_id=OuterRef("pk"), tag_id__in=tags).values("organisation_id").annotate(n=Count("pk")).values("n")  # type: ignore[misc]
    )
    offer_text = Lower(Concat("title", Value(" "), "description", output_field=TextField()))
    fitting = Q(tags__in=tags)
    for word in need.plain_words:
        fitting |= Q(offer_text__trigram_word_similar=word)
    if query is not None:
        fitting |= Q(offer_vector=query)
    annotated = offers.annotate(offer_text=offer_text, offer_vector=SearchVector("title", "description", config="german"))
    fitting_offers = annotated.filter(fitting).order_by().values("pk").distinct()

    recall = Q(pk__in=through.objects.filter(tag_id__in=tags).values("organisation_id"))
    recall |= Q(pk__in=NeedOffer.objects.filter(pk__in=fitting_offers).values("organisation_id"))
    # One query per word, united: an OR of the words would be planned as a scan of every organisation (the planner
    # does not know what word_similarity costs), each word alone uses the trigram GIN index (30× faster at 40k).
    similar = [Organisation.objects.filter(search_text__trigram_word_similar=word).values("pk") for word in sorted(need.words)]
    if similar:
        recall |= Q(pk__in=similar[0].union(*similar[1:]) if len(similar) > 1 else similar[0])
    if query is not None:
        activities = EconomicActivity.objects.annotate(vector=SearchVector("title", config="german")).filter(vector=query)
        recall |= Q(activity__in=activities.values("pk"))

    text = Lower(
        Concat(
            "competencies",
            Value(" "),
            Coalesce(tag_text, Value(""), output_field=TextField()),
            Value(" "),
            Coalesce("activity__title", Value("")),
            output_field=TextField(),
        )
    )
    score: Any = 3.0 * Coalesce(shared_tags, 0)
    if query is not None:
        vector = (
            SearchVector(Coalesce(tag_text, Value(""), output_field=TextField()), weight="A", config="german")
            + SearchVector("competencies", weight="B", config="german")
            + SearchVector(Coalesce("activity__title", Value("")), weight="C", config="german")
        )
        score = score + 5.0 * SearchRank(vector, query)
    for word in need.plain_words:
        score = score + Case(When(GreaterThanOrEqual(TrigramWordSimilarity(word, text), 0.6), then=Value(1.0)), default=Value(0.0))
    offer_of_row = NeedOffer.objects.filter(pk__in=fitting_offers, organisation_id=OuterRef("pk"))
    score = score + Case(When(Exists(offer_of_row), then=Value(2.0)), default=Value(0.0))
    best_offer = offer_of_row.annotate(rank=SearchRank(SearchVector("title", "description", config="german"), query) if query is not None else Value(0.0))
    return (
        organisations.filter(recall)
        .annotate(match_score=Cast(score, FloatField()), match_offer=Subquery(best_offer.order_by("-rank", "-created_at").values("pk")[:1]))
        .filter(match_score__gte=MIN_SCORE)
        .order_by("-match_score", "name", "pk")
    )


def candidates(need: NeedOffer, networks: QuerySet[Network] | list[Network], *, limit: int = 10) -> list[Candidate]:
    """Organisations that could meet the need, best first, each with its reasons.

    Looked for among the current members of `networks` (the networks the manager runs), except the need's own
    organisation and those already declined for it; offers count only where they are visible to these networks'
    managers (every offer of these networks, open or in discussion). On PostgreSQL the database finds and ranks them
    (`_ranked_in_postgres`) and only the best `limit` are read and explained; on SQLite every member is compared in
    Python (`_fit`), the simple fallback for a small office.
    """
    wanted = _Need.of(need)
    if not wanted.words and not wanted.tags:
        return []
    network_ids = [n.pk for n in networks]
    members = Membership.objects.current().filter(network_id__in=network_ids).values("organisation_id")
    declined = Match.objects.filter(need=need, status=Match.Status.DECLINED).values("organisation_id")
    organisations = (
        Organisation.objects.filter(pk__in=members, archived_at__isnull=True)
        .exclude(pk=need.organisation_id)
        .exclude(pk__in=declined)
        .select_related("activity")
        .prefetch_related("competency_tags")
    )
    offers = NeedOffer.objects.open().filter(kind=NeedOffer.Kind.OFFER, network_id__in=network_ids)
    postgres = connection.vendor == "postgresql"
    rows = list(_ranked_in_postgres(organisations, offers, wanted)[:limit] if postgres else organisations)
    offers_of: dict[int, list[NeedOffer]] = {}
    for offer in offers.filter(organisation_id__in=[o.pk for o in rows]).prefetch_related("tags").order_by("-created_at", "pk"):
        offers_of.setdefault(offer.organisation_id, []).append(offer)
    found = []
    for organisation in rows:
        candidate = Candidate(organisation)
        score = _explain(candidate, wanted, offers_of.get(organisation.pk, []), best_offer=getattr(organisation, "match_offer", None))
        candidate.score = round(organisation.match_score, 2) if postgres else score  # type: ignore[attr-defined]
        if not candidate.reasons:  # PostgreSQL's stems found what the comparison here does not name
            candidate.reasons.append(_("Kompetenzen passen zum Text des Bedarfs"))
        if candidate.score >= MIN_SCORE:
            found.append(candidate)
    if not postgres:
        found.sort(key=lambda c: (-c.score, c.organisation.name))
    return found[:limit]


@transaction.atomic
def match_decide(*, need: NeedOffer, organisation: Organisation, by: User, confirm: bool, offer: NeedOffer | None = None, reason: str = "") -> Match:
    """The manager confirms a candidate (the need becomes "Vermittelt") or dismisses it (it is not proposed again)."""
    if need.kind != NeedOffer.Kind.NEED:
        raise ValidationError(_("Nur Bedarfe werden vermittelt."))
    if offer is not None and (offer.organisation_id != organisation.pk or offer.kind != NeedOffer.Kind.OFFER):
        raise ValidationError(_("Das Angebot gehört nicht zu dieser Organisation."))
    match = Match.objects.filter(need=need, organisation=organisation).first() or Match(need=need, organisation=organisation)
    match.offer = offer
    match.reason = reason[:500]
    match.status = Match.Status.CONFIRMED if confirm else Match.Status.DECLINED
    match.decided_by = by
    match.decided_at = timezone.now()
    save_audited(match, by=by)
    if confirm and need.status in (NeedOffer.Status.OPEN, NeedOffer.Status.DISCUSSION):
        entry_status_set(entry=need, by=by, status=NeedOffer.Status.MATCHED)
    if confirm:
        introduce(match=match, note=reason)
    return match


def contact_person(organisation: Organisation, preferred: Contact | None, *, network: Network | None = None, with_email: bool = False) -> Contact | None:
    """Who speaks for `organisation` in a match: the entry's contact person `preferred` when they qualify, else the
    organisation's primary (or first by name) person who does.

    Everyone qualifying is a live (not archived) person of the organisation; with `network` only those current in that
    network (Contact.objects.current_in: the organisation a current member, the person not exited) — the round table's
    people; with `with_email` only those with an address — the introduction mail's.
    """
    people = Contact.objects.current_in(network) if network is not None else Contact.objects.filter(archived_at__isnull=True)
    people = people.filter(organisation=organisation)
    if with_email:
        people = people.exclude(email="")
    if preferred is not None and preferred.organisation_id == organisation.pk and people.filter(pk=preferred.pk).exists():
        return preferred
    return people.order_by("-is_primary", "last_name", "pk").first()


def _side(entry: NeedOffer | None, organisation: Organisation, network: Network) -> dict[str, str]:
    """What one side shares with the other: the entry's title, its description only when the entry is visible to the
    whole network (what its author agreed to show), the organisation, and its contact person with address."""
    person = contact_person(organisation, entry.contact if entry else None, with_email=True)
    shared = entry is not None and entry.visibility == NeedOffer.Visibility.NETWORK
    return {
        "organisation": organisation.name,
        "title": entry.title if entry else "",
        "text": entry.description if shared and entry else "",
        "person": person.full_name if person else "",
        "email": person.email if person else "",
        "to": person.email if person else "",
    }


def introduce(*, match: Match, note: str = "") -> int:
    """After a confirmed match: each side gets a mail introducing the other (after the commit, through the worker).
    A side without a contact person with an address gets none; returns how many mails were queued."""
    need, network = match.need, match.need.network
    need_side = _side(need, need.organisation, network)
    provider_side = _side(match.offer, match.organisation, network)
    sent = 0
    for side, me, other in (("need", need_side, provider_side), ("provider", provider_side, need_side)):
        if not me["to"]:
            continue
        context = {"network": network, "need": need, "side": side, "other": other, "note": note}
        mail_send_later(message=render_mail("match-introduction", to=[me["to"]], context=context, reply_to=network_reply_to(network)))
        sent += 1
    return sent


# --- round tables --------------------------------------------------------------------------------------------------


def _guest_person(match: Match, preferred: Contact | None, by: User) -> Contact | None:
    """The person of a provider from another network: current in its own network — the offer's, else one the manager
    runs where it is a member — so that nobody that network ended its relation to (ContactExit) is invited; the one
    with an address (the introduction's) first. Any live person only when no such network is known."""
    own = match.offer.network if match.offer else None
    if own is None:
        current = Membership.objects.current().filter(organisation=match.organisation).values("network_id")
        own = Network.objects.filter(manager_roles__user=by, pk__in=current).order_by("name", "pk").first()
    if own is None:
        return contact_person(match.organisation, preferred, with_email=True) or contact_person(match.organisation, preferred)
    return contact_person(match.organisation, preferred, network=own, with_email=True) or contact_person(match.organisation, preferred, network=own)


@transaction.atomic
def round_table_create(*, need: NeedOffer, by: User, day: date, starts: time, ends: time, title: str = "", venue_name: str = "") -> Meeting:
    """A meeting of kind round table in the need's network (through events.services), with the need's contact person and
    those of the confirmed providers registered; the need links to it.

    A provider that is a member of the need's network comes with a person current there; one from another network
    the manager runs (match_decide allows those) comes as a guest of the round table with any live person of its own
    (the one its introduction went to, when it has an address) — it sees this meeting in its portal and no other of
    the need's network."""
    if need.round_table_id:
        raise ValidationError(_("Zu diesem Bedarf gibt es schon einen Runden Tisch."))
    data = {
        "title": title or _("Runder Tisch: %(title)s") % {"title": need.title},
        "kind": Meeting.Kind.ROUND_TABLE,
        "starts_at": event_services.meeting_at(day, starts.hour, starts.minute),
        "ends_at": event_services.meeting_at(day, ends.hour, ends.minute),
        "venue_name": venue_name,
        "description": need.description,
        "status": Meeting.Status.INVITED,
        "ask_for_feedback": False,
    }
    meeting = event_services.meeting_create(network=need.network, by=by, data=data)
    people: dict[Contact | None, bool] = {contact_person(need.organisation, need.contact, network=need.network): False}  # person → a guest?
    matches = list(need.matches.filter(status=Match.Status.CONFIRMED).select_related("organisation", "offer__contact"))
    providers = [m.organisation_id for m in matches]
    members = set(Membership.objects.current().filter(network=need.network, organisation_id__in=providers).values_list("organisation_id", flat=True))
    for match in matches:
        preferred = match.offer.contact if match.offer else None
        if match.organisation_id in members:
            people.setdefault(contact_person(match.organisation, preferred, network=need.network), False)
        else:
            people.setdefault(_guest_person(match, preferred, by), True)
    for person, guest in people.items():
        if person is not None:
            event_services.registration_register(meeting=meeting, contact=person, by=by, by_manager=True, round_table_guest=guest)
    need.round_table = meeting
    if need.status == NeedOffer.Status.OPEN:
        need.status = NeedOffer.Status.DISCUSSION
    save_audited(need, by=by, update_fields=["round_table", "status"])
    return meeting


# --- figures for the network health view -------------------------------------------------------------------------


def indicators(network: Network, start: date, end: date) -> dict[str, int]:
    """Needs raised, matched, solved and round tables held in [start, end] (both days included) in one network.

    matched: needs with a match confirmed in the period; solved: needs set to "Erledigt" in the period (their
    history); round tables: meetings of kind round table of the network, not cancelled, that started in the period.
    """
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    needs = NeedOffer.objects.filter(network=network, kind=NeedOffer.Kind.NEED)
    solved = (
        NeedOffer.history.filter(
            network_id=network.pk, kind=NeedOffer.Kind.NEED, status=NeedOffer.Status.SOLVED, history_date__gte=since, history_date__lt=until
        )
        .values("id")
        .distinct()
        .count()
    )
    return {
        "needs_raised": needs.filter(created_at__gte=since, created_at__lt=until).count(),
        "needs_matched": Match.objects.filter(need__in=needs, status=Match.Status.CONFIRMED, decided_at__gte=since, decided_at__lt=until)
        .values("need_id")
        .distinct()
        .count(),
        "needs_solved": solved,
        "round_tables_held": Meeting.objects.filter(network=network, kind=Meeting.Kind.ROUND_TABLE, starts_at__gte=since, starts_at__lt=until)
        .exclude(status=Meeting.Status.CANCELLED)
        .count(),
    }
