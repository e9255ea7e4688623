"""Duplicate candidates: the one matching service of the create forms, the "Dubletten" page and the merge.

A probe (an organisation or contact, stored or only proposed) is compared with the stored records of the
networks a manager can see. The keys come from `members.matching` (the importer uses the same ones):
the folded name without its legal form, the street with "Str." written out, the postcode, the company
domain of the contacts' addresses (free-mail domains say nothing) and the phone number's digits.

Candidates are fetched with a narrow query (same first word of the name, same postcode, same domain or
phone; on PostgreSQL also pg_trgm's `%` on the trigram-indexed `search_name`) and scored in Python with
pg_trgm's measure (members.matching.trigram_similarity), so SQLite and PostgreSQL rank alike. The network-wide page blocks
records by key instead of comparing every pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from members.matching import email_domain, fold, organisation_key, phone_key, street_key, trigrams, website_domain, without_legal_form
from members.models import Contact, DuplicateDismissal, Membership, MergeRecord, Organisation
from verbund.models import Network, User

# A pair at or above this score is shown as a possible duplicate.
THRESHOLD = 40
# Near names: pg_trgm similarity of the names without legal form from which a name counts as "similar".
NEAR_NAME = 0.5
# A block (records sharing a key) larger than this says little (an industrial park's address, a chamber's
# domain) and would make the network page quadratic: it is compared only through the sorted neighbourhood.
BLOCK_LIMIT = 30
# Sorted-neighbourhood window for near names across the whole network.
WINDOW = 4
# Rows a single check scores at most.
RECALL_LIMIT = 300


# The reasons, by code; a pair's texts are made only when it is shown (thousands of pairs are scored per page).
REASONS = {
    "name": gettext_lazy("gleicher Name ohne Rechtsform"),
    "contains": gettext_lazy("Name des einen steckt im anderen"),
    "near": gettext_lazy("ähnlicher Name (%(value)s %%)"),
    "address": gettext_lazy("gleiche Anschrift"),
    "street": gettext_lazy("gleiche Straße"),
    "postcode": gettext_lazy("gleiche PLZ"),
    "domain": gettext_lazy("gleiche E-Mail-Domain (%(value)s)"),
    "phone": gettext_lazy("gleiche Telefonnummer"),
    "email": gettext_lazy("gleiche E-Mail-Adresse"),
    "person_here": gettext_lazy("gleicher Name in derselben Organisation"),
    "person": gettext_lazy("gleicher Name"),
    "last_name_here": gettext_lazy("gleicher Nachname in derselben Organisation"),
}


@dataclass(frozen=True)
class Match:
    """How alike two records are: a score from 0 to 100 and the reasons (codes of REASONS with a value), in German."""

    score: int
    parts: tuple[tuple[str, str], ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(str(REASONS[code]) % {"value": value} if value else str(REASONS[code]) for code, value in self.parts)

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)

    def __bool__(self) -> bool:
        return self.score >= THRESHOLD


# --- organisations ------------------------------------------------------------------------------------------


class _Scored:
    """Score and reason of a candidate or pair, read from its Match."""

    match: Match

    @property
    def score(self) -> int:
        return self.match.score

    @property
    def reason(self) -> str:
        return self.match.reason


@dataclass(frozen=True)
class OrganisationProbe:
    """What an organisation is compared by (members.matching keys), from a stored record or a form's data."""

    pk: int | None
    name: str
    key: str
    street: str
    postcode: str
    domains: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    grams: frozenset[str] = frozenset()  # trigrams of `key` (pg_trgm's), for near names
    street_name: str = ""  # `street` without the house number

    @classmethod
    def build(
        cls,
        *,
        name: str,
        street: str = "",
        postcode: str = "",
        website: str = "",
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        pk: int | None = None,
        key: str | None = None,
    ) -> OrganisationProbe:
        """`key` may be given when known (from the stored `search_name`), else it is made from `name`."""
        domains = {email_domain(email) for email in emails} | {website_domain(website)}
        key, street = organisation_key(name or "") if key is None else key, street_key(street or "")
        return cls(
            pk=pk,
            name=name,
            key=key,
            street=street,
            grams=frozenset(trigrams(key, folded=True)),
            street_name=_street_name(street),
            postcode=(postcode or "").strip(),
            domains=frozenset(d for d in domains if d),
            phones=frozenset(p for p in (phone_key(phone) for phone in phones) if p),
        )

    @classmethod
    def of(cls, organisation: Organisation, contacts: Iterable[tuple[str, str]] | None = None) -> OrganisationProbe:
        """A stored organisation; `contacts` are its people's (email, phone), read from the database when not given."""
        if contacts is None:
            contacts = organisation.contacts.filter(archived_at__isnull=True).values_list("email", "phone")
        pairs = list(contacts)
        return cls.build(
            pk=organisation.pk,
            name=organisation.name,
            street=organisation.street,
            postcode=organisation.postcode,
            website=organisation.website,
            emails=[email for email, _phone in pairs],
            phones=[phone for _email, phone in pairs],
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> OrganisationProbe:
        """An organisation a form proposes (OrganisationForm.cleaned_data)."""
        return cls.build(name=data.get("name") or "", street=data.get("street") or "", postcode=data.get("postcode") or "", website=data.get("website") or "")


def _street_name(key: str) -> str:
    """The street without its house number: 'hauptstrasse 5 a' → 'hauptstrasse'."""
    words = key.split()
    while words and (any(char.isdigit() for char in words[-1]) or len(words[-1]) == 1):
        words.pop()
    return " ".join(words)


def _name_words_contain(short: str, long: str) -> bool:
    """'mueller' in 'mueller maschinenbau' (whole leading words, at least four letters)."""
    return len(short) >= 4 and long.startswith(short + " ")


def organisation_match(a: OrganisationProbe, b: OrganisationProbe) -> Match:
    """Score two organisations; each reason adds to the score (at most 100)."""
    score = 0
    parts: list[tuple[str, str]] = []
    if a.key and a.key == b.key:
        score += 60
        parts.append(("name", ""))
    elif a.key and b.key:
        if _name_words_contain(a.key, b.key) or _name_words_contain(b.key, a.key):
            score += 35
            parts.append(("contains", ""))
        elif a.grams and b.grams:
            similarity = len(a.grams & b.grams) / len(a.grams | b.grams)  # members.matching.trigram_similarity
            if similarity >= NEAR_NAME:
                # 20 to 40: alone (below THRESHOLD but for the same words in another order) a near name is no duplicate.
                score += int(20 + 20 * (similarity - NEAR_NAME) / (1 - NEAR_NAME))
                parts.append(("near", str(round(similarity * 100))))
    if a.street and a.street == b.street:
        score += 25
        parts.append(("address", ""))
    elif a.street_name and a.street_name == b.street_name:
        score += 10
        parts.append(("street", ""))
    if a.postcode and a.postcode == b.postcode:
        score += 10
        parts.append(("postcode", ""))
    if a.domains and b.domains and (shared := a.domains & b.domains):
        score += 30
        parts.append(("domain", ", ".join(sorted(shared))))
    if a.phones and b.phones and a.phones & b.phones:
        score += 30
        parts.append(("phone", ""))
    return Match(min(score, 100), tuple(parts))


@dataclass(frozen=True)
class OrganisationCandidate(_Scored):
    organisation: Organisation
    match: Match
    networks: tuple[Network, ...] = ()  # which of the searched networks it belongs to


def organisations_in(networks: Iterable[Network] | QuerySet[Network]) -> QuerySet[Organisation]:
    """Organisations outside the trash with a membership (not in a trash) in one of `networks`."""
    return Organisation.objects.filter(
        archived_at__isnull=True, pk__in=Membership.objects.filter(network__in=networks, archived_at__isnull=True).values("organisation_id")
    )


def _contacts_by_organisation(organisation_ids: Iterable[int] | QuerySet) -> dict[int, list[tuple[str, str]]]:
    """(email, phone) of the people (outside the trash) of the given organisations (ids or a subquery of ids)."""
    result: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ids = organisation_ids if isinstance(organisation_ids, QuerySet) else list(organisation_ids)
    rows = Contact.objects.filter(organisation_id__in=ids, archived_at__isnull=True).values_list("organisation_id", "email", "phone")
    for organisation_id, email, phone in rows:
        result[organisation_id].append((email, phone))
    return result


def _organisation_recall(probe: OrganisationProbe) -> Q | None:
    """A narrow query for rows that may score: same first word of the name, same postcode, same domain or phone."""
    recall: list[Q] = []
    if probe.key:
        recall.append(Q(search_name__startswith=probe.key.split()[0]))
        if connection.vendor == "postgresql":
            # pg_trgm's `%` (similarity above pg_trgm.similarity_threshold, 0.3) uses the GIN index on search_name.
            recall.append(Q(search_name__trigram_similar=fold(probe.name)))
    if probe.postcode:
        recall.append(Q(postcode=probe.postcode))
    for domain in probe.domains:
        people = Contact.objects.filter(archived_at__isnull=True, email__iendswith="@" + domain)
        recall.append(Q(pk__in=people.values("organisation_id")) | Q(website__icontains=domain))
    if probe.phones:
        # Phones are stored formatted (+49 5971 12345); compare digits in Python, fetch by the last digits here.
        people = Contact.objects.filter(archived_at__isnull=True).filter(_any_contains("phone", [phone[-4:] for phone in probe.phones]))
        recall.append(Q(pk__in=people.values("organisation_id")))
    if not recall:
        return None
    query = recall[0]
    for part in recall[1:]:
        query |= part
    return query


def _any_contains(name: str, values: list[str]) -> Q:
    query = Q()
    for value in values:
        query |= Q(**{f"{name}__contains": value})
    return query


def organisation_candidates(probe: OrganisationProbe, *, networks: Iterable[Network] | QuerySet[Network], limit: int = 10) -> list[OrganisationCandidate]:
    """Stored organisations of `networks` that may be the same as `probe`, best first (none for an empty name)."""
    networks = list(networks)
    recall = _organisation_recall(probe)
    if recall is None or not networks:
        return []
    queryset = organisations_in(networks).filter(recall)
    if probe.pk is not None:
        queryset = queryset.exclude(pk=probe.pk)
    rows = list(queryset.order_by("pk")[:RECALL_LIMIT])
    contacts = _contacts_by_organisation(row.pk for row in rows)
    scored = [(organisation, organisation_match(probe, OrganisationProbe.of(organisation, contacts.get(organisation.pk, [])))) for organisation in rows]
    found = sorted(((o, m) for o, m in scored if m), key=lambda item: (-item[1].score, item[0].name))[:limit]
    homes = _networks_of([o.pk for o, _m in found], networks)
    return [OrganisationCandidate(organisation, match, homes[organisation.pk]) for organisation, match in found]


def _networks_of(organisation_ids: list[int], networks: list[Network]) -> dict[int, tuple[Network, ...]]:
    """Which of `networks` each organisation is a member of (outside the trash): where a candidate can be opened."""
    found: dict[int, list[Network]] = defaultdict(list)
    by_pk = {network.pk: network for network in networks}
    memberships = Membership.objects.filter(organisation_id__in=organisation_ids, network__in=networks, archived_at__isnull=True)
    for organisation_id, network_id in memberships.order_by("network__name").values_list("organisation_id", "network_id"):
        found[organisation_id].append(by_pk[network_id])
    return defaultdict(tuple, {pk: tuple(homes) for pk, homes in found.items()})


# --- contacts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactProbe:
    pk: int | None
    organisation_id: int | None
    name: str
    last_name: str
    email: str
    phone: str

    @classmethod
    def build(
        cls, *, first_name: str = "", last_name: str = "", email: str = "", phone: str = "", organisation_id: int | None = None, pk: int | None = None
    ) -> ContactProbe:
        last = fold(last_name or "")
        return cls(
            pk=pk,
            organisation_id=organisation_id,
            name=" ".join(part for part in (fold(first_name or ""), last) if part),  # members.matching.person_key
            last_name=last,
            email=(email or "").strip().lower(),
            phone=phone_key(phone or ""),
        )

    @classmethod
    def of(cls, contact: Contact) -> ContactProbe:
        return cls.build(
            pk=contact.pk,
            organisation_id=contact.organisation_id,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone,
        )


def contact_match(a: ContactProbe, b: ContactProbe) -> Match:
    score = 0
    parts: list[tuple[str, str]] = []
    same_organisation = a.organisation_id is not None and a.organisation_id == b.organisation_id
    if a.email and a.email == b.email:
        score += 70
        parts.append(("email", ""))
    if a.name and a.name == b.name:
        score += 60 if same_organisation else 20
        parts.append(("person_here" if same_organisation else "person", ""))
    elif same_organisation and a.last_name and a.last_name == b.last_name and (a.name == a.last_name or b.name == b.last_name):
        score += 45  # one of them was recorded without a first name
        parts.append(("last_name_here", ""))
    if a.phone and a.phone == b.phone:
        score += 30
        parts.append(("phone", ""))
    return Match(min(score, 100), tuple(parts))


@dataclass(frozen=True)
class ContactCandidate(_Scored):
    contact: Contact
    match: Match
    networks: tuple[Network, ...] = ()  # which of the searched networks the person's organisation belongs to

    @property
    def organisation(self) -> Organisation:
        return self.contact.organisation


def contacts_in(networks: Iterable[Network] | QuerySet[Network]) -> QuerySet[Contact]:
    """People outside the trash of the organisations in `organisations_in(networks)`."""
    return Contact.objects.filter(archived_at__isnull=True, organisation__in=organisations_in(networks))


def contact_candidates(probe: ContactProbe, *, networks: Iterable[Network] | QuerySet[Network], limit: int = 10) -> list[ContactCandidate]:
    """Stored people that may be the same as `probe`: same address, same name in the organisation, or same name and phone."""
    networks = list(networks)
    recall = Q(organisation_id=probe.organisation_id) if probe.organisation_id else Q(pk__in=[])
    if probe.email:
        recall |= Q(email__iexact=probe.email)
    if probe.phone:
        recall |= Q(phone__contains=probe.phone[-4:])
    queryset = contacts_in(networks).filter(recall)
    if probe.pk is not None:
        queryset = queryset.exclude(pk=probe.pk)
    rows = queryset.select_related("organisation").order_by("pk")[:RECALL_LIMIT]
    scored = [(contact, contact_match(probe, ContactProbe.of(contact))) for contact in rows]
    found = sorted(((c, m) for c, m in scored if m), key=lambda item: (-item[1].score, item[0].last_name, item[0].first_name))
    found = found[:limit]
    homes = _networks_of([c.organisation_id for c, _m in found], networks)
    return [ContactCandidate(contact, match, homes[contact.organisation_id]) for contact, match in found]


# --- the forms' check ---------------------------------------------------------------------------------------

Finder = Callable[[Mapping[str, Any]], list[Any]]


def organisation_finder(*, networks: Iterable[Network] | QuerySet[Network]) -> Finder:
    """For OrganisationForm(duplicates=…): the candidates for the form's cleaned data."""
    return lambda data: organisation_candidates(OrganisationProbe.from_data(data), networks=networks)


def contact_finder(*, organisation: Organisation, networks: Iterable[Network] | QuerySet[Network]) -> Finder:
    """For ContactForm(duplicates=…): the candidates for a new person at `organisation`."""
    return lambda data: contact_candidates(
        ContactProbe.build(
            organisation_id=organisation.pk,
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
        ),
        networks=networks,
    )


# --- the network's "Dubletten" page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair(_Scored):
    """Two records that may be the same, the older one first."""

    first: Any
    second: Any
    match: Match


@dataclass
class _Blocks:
    """Records grouped by shared keys; pairs come only from within a group (and from the sorted neighbourhood)."""

    groups: dict[tuple[str, ...], list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: tuple[str, ...], pk: int) -> None:
        if all(key[1:]):
            self.groups[key].append(pk)

    def pairs(self) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        for members in self.groups.values():
            if 2 <= len(members) <= BLOCK_LIMIT:
                found.update((min(a, b), max(a, b)) for a, b in combinations(sorted(set(members)), 2))
        return found


def _neighbours(keys: Iterable[tuple[str, int]]) -> set[tuple[int, int]]:
    """Pairs of records whose keys sort near each other (near names that share no block)."""
    ordered = sorted(keys)
    found: set[tuple[int, int]] = set()
    for index, (_key, pk) in enumerate(ordered):
        for _other_key, other in ordered[index + 1 : index + 1 + WINDOW]:
            found.add((min(pk, other), max(pk, other)))
    return found


def organisation_pairs(network: Network, *, limit: int = 200) -> list[Pair]:
    """Pairs of the network's organisations that may be duplicates, best first; three queries, not one per pair."""
    rows = organisations_in([network]).values_list("id", "name", "search_name", "street", "postcode", "website")
    contacts = _contacts_by_organisation(organisations_in([network]).values("id"))
    probes = {
        pk: OrganisationProbe.build(
            pk=pk,
            name=name,
            key=without_legal_form(search_name) if search_name else None,
            street=street,
            postcode=postcode,
            website=website,
            emails=[email for email, _phone in contacts.get(pk, [])],
            phones=[phone for _email, phone in contacts.get(pk, [])],
        )
        for pk, name, search_name, street, postcode, website in rows
    }
    blocks = _Blocks()
    for pk, probe in probes.items():
        blocks.add(("name", probe.key), pk)
        blocks.add(("address", probe.postcode, probe.street), pk)
        blocks.add(("postcode", probe.postcode), pk)
        for domain in probe.domains:
            blocks.add(("domain", domain), pk)
        for phone in probe.phones:
            blocks.add(("phone", phone), pk)
    candidates = blocks.pairs() | _neighbours((probe.key, pk) for pk, probe in probes.items() if probe.key)
    candidates -= dismissed_pairs(network, MergeRecord.Kind.ORGANISATION)
    scored = [(a, b, match) for a, b in candidates if (match := organisation_match(probes[a], probes[b]))]
    scored.sort(key=lambda item: (-item[2].score, probes[item[0]].name, item[0], item[1]))
    scored = scored[:limit]
    shown = Organisation.objects.only("id", "name", "street", "postcode", "municipality").in_bulk({pk for a, b, _m in scored for pk in (a, b)})
    return [Pair(shown[a], shown[b], match) for a, b, match in scored]


def contact_pairs(network: Network, *, limit: int = 200) -> list[Pair]:
    """Pairs of people of the network's organisations that may be the same person, best first."""
    rows = contacts_in([network]).values_list("id", "organisation_id", "first_name", "last_name", "email", "phone")
    probes = {
        pk: ContactProbe.build(pk=pk, organisation_id=organisation_id, first_name=first, last_name=last, email=email, phone=phone)
        for pk, organisation_id, first, last, email, phone in rows
    }
    blocks = _Blocks()
    for pk, probe in probes.items():
        blocks.add(("email", probe.email), pk)
        blocks.add(("last_name", str(probe.organisation_id), probe.last_name), pk)
        blocks.add(("phone", probe.phone), pk)
    pairs = blocks.pairs() - dismissed_pairs(network, MergeRecord.Kind.CONTACT)
    scored = [(a, b, match) for a, b in pairs if (match := contact_match(probes[a], probes[b]))]
    scored.sort(key=lambda item: (-item[2].score, probes[item[0]].last_name, item[0], item[1]))
    scored = scored[:limit]
    shown = Contact.objects.select_related("organisation").in_bulk({pk for a, b, _m in scored for pk in (a, b)})
    return [Pair(shown[a], shown[b], match) for a, b, match in scored]


# --- "keine Dublette" -----------------------------------------------------------------------------------------


def dismissed_pairs(network: Network, kind: str) -> set[tuple[int, int]]:
    """The pairs (lower id first) a manager of `network` marked as not the same."""
    return set(DuplicateDismissal.objects.filter(network=network, kind=kind).values_list("low_id", "high_id"))


def pair_dismiss(*, network: Network, kind: str, first: Organisation | Contact, second: Organisation | Contact, by: User) -> DuplicateDismissal:
    """Remember that two records of `network` are different: the pair no longer appears on its Dubletten page. Idempotent."""
    if first.pk == second.pk:
        raise ValueError("A record is not a pair with itself.")
    low, high = sorted((first.pk, second.pk))
    dismissal, _created = DuplicateDismissal.objects.get_or_create(network=network, kind=kind, low_id=low, high_id=high, defaults={"dismissed_by": by})
    return dismissal
