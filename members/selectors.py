"""Read models shared by several views: the member directory query and the history of an organisation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, FloatField, IntegerField, OrderBy, OuterRef, Q, QuerySet, Value, When, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from members.matching import _LEGAL_FORMS, fold, organisation_key
from members.models import Contact, Membership, Organisation, organisation_in_trash
from verbund.models import BackgroundJob, Network, User, current_membership_q

# A–Z is the folded name (members.matching.fold): German phone-book order (DIN 5007-2, "Müller" as "Mueller"), the
# same on SQLite and PostgreSQL whatever the database's collation, and on an indexed column.
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    # sort_name is the organisation's search_name, copied onto the membership (Membership.sort_name).
    "relevance": ("sort_name", "pk"),  # with a search: ranked first (directory_memberships)
    "name": ("sort_name", "pk"),
    "-name": ("-sort_name", "-pk"),
    "place": ("organisation__municipality", "sort_name", "pk"),
    "-place": ("-organisation__municipality", "sort_name", "pk"),
    "employees": (F("organisation__employees").asc(nulls_last=True), "sort_name", "pk"),
    "-employees": (F("organisation__employees").desc(nulls_last=True), "sort_name", "pk"),
    "joined": (F("joined_on").asc(nulls_last=True), "sort_name", "pk"),
    "-joined": (F("joined_on").desc(nulls_last=True), "sort_name", "pk"),
    "status": ("status", "sort_name", "pk"),
}


def size_class_expression(prefix: str = "organisation__") -> Case:
    """The EU SME class as SQL, mirroring `Organisation.size_class` so the directory can filter and sort by it."""
    turnover = f"{prefix}turnover"
    balance = f"{prefix}balance_sheet_total"
    no_money = Q(**{f"{turnover}__isnull": True, f"{balance}__isnull": True})

    def within(staff: int, max_turnover: int, max_balance: int) -> Q:
        money_ok = no_money | Q(**{f"{turnover}__lte": Decimal(max_turnover)}) | Q(**{f"{balance}__lte": Decimal(max_balance)})
        return Q(**{f"{prefix}employees__lt": staff}) & money_ok

    return Case(
        When(**{f"{prefix}employees__isnull": True}, then=Value(Organisation.SizeClass.UNKNOWN)),
        When(within(10, 2_000_000, 2_000_000), then=Value(Organisation.SizeClass.MICRO)),
        When(within(50, 10_000_000, 10_000_000), then=Value(Organisation.SizeClass.SMALL)),
        When(within(250, 50_000_000, 43_000_000), then=Value(Organisation.SizeClass.MEDIUM)),
        default=Value(Organisation.SizeClass.LARGE),
        output_field=CharField(),
    )


def spellings(folded: str) -> list[str]:
    """The folded query and its spellings with an umlaut typed without its dots: 'muller' → ['muller', 'mueller'].

    fold() writes 'Müller' as 'mueller'; someone typing 'Muller' (no dots, no e) should still find her. Only words of
    four letters or more are widened, and only the first three a/o/u of the query not already followed by an e, so a
    query has at most eight spellings and 'Bau' does not find 'Bäume'.
    """
    positions: list[int] = []
    start = 0
    for word in folded.split(" "):
        if len(word) >= 4:
            positions += [start + i for i, char in enumerate(word) if char in "aou" and word[i + 1 : i + 2] != "e"]
        start += len(word) + 1
    positions = positions[:3]
    variants = []
    for mask in range(1 << len(positions)):
        chars = list(folded)
        for bit, position in enumerate(positions):
            if mask >> bit & 1:
                chars[position] += "e"
        variants.append("".join(chars))
    return variants


def _any(lookup: str, values: list[str]) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(**{lookup: value})
    return condition


def _search[QS: QuerySet[Membership]](queryset: QS, text: str, *, typos: bool = False) -> tuple[QS, bool]:
    """Match the folded query against the stored, indexed search columns and annotate a rank; (queryset, searched).

    Every word must occur in `search_text` (folded name, name without legal form, postcode, place, district,
    competencies, profile, needs, tags), in any of its spellings. `search_rank`: 0 the exact full name, 1 the same
    name with another or no legal form, 2 the name starts with the query, 3 a word of the name starts with it, 4 any
    other match. With `typos` (PostgreSQL) the name only needs to be similar (trigram `%`): rank 5. Nothing is
    computed per organisation but LIKE on the GIN-indexed columns; trigram similarity of the name, the tie breaker
    within a rank on PostgreSQL, only for the matches.
    """
    folded = fold(text[:200])
    if not folded:
        return queryset, False
    phrase = spellings(folded)
    keys = {organisation_key(spelling) for spelling in phrase}
    # "Müller" and "Müller AG" both name "Müller GmbH": the same name with another (or no) legal form.
    same_name = sorted(keys | {f"{key} {form}" for key in keys for form in _LEGAL_FORMS})
    words = Q()
    for word in folded.split(" "):
        words &= _any("organisation__search_text__contains", spellings(word))
    rank = Case(
        When(_any("organisation__search_name", phrase), then=Value(0)),
        When(organisation__search_name__in=same_name, then=Value(1)),
        When(_any("organisation__search_name__startswith", phrase), then=Value(2)),
        When(_any("organisation__search_name__contains", [f" {p}" for p in phrase]), then=Value(3)),
        When(words, then=Value(4)),
        default=Value(5),
        output_field=IntegerField(),
    )
    if connection.vendor == "postgresql":
        matches = Q(organisation__search_name__trigram_similar=folded) if typos else words
        queryset = queryset.filter(matches).annotate(search_rank=rank, search_similarity=TrigramSimilarity("organisation__search_name", folded))
    else:
        queryset = queryset.filter(words).annotate(search_rank=rank, search_similarity=Value(0.0, output_field=FloatField()))
    return queryset, True


def memberships_matching(queryset: QuerySet[Membership], text: str) -> QuerySet[Membership]:
    """`queryset` narrowed to a search, best matches first (the directory's ranking); empty for an empty search."""
    matches, searched = _search(queryset, text)
    if not searched:
        return queryset.none()
    return matches.order_by(F("search_rank").asc(), F("search_similarity").desc(), "organisation__search_name", "pk")


@dataclass(frozen=True)
class DirectoryFilter:
    """The directory's filter state, parsed and validated from the query string by DirectoryFilterForm."""

    q: str = ""
    kind: str = ""
    section: str = ""
    size: str = ""
    municipality: str = ""
    role: str = ""
    status: str = ""
    also_in: Network | None = None
    import_job: BackgroundJob | None = None
    added_from: date | None = None
    added_to: date | None = None
    sort: str = "relevance"


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _directory_filter(network: Network, flt: DirectoryFilter, *, typos: bool = False) -> QuerySet[Membership]:
    """The memberships of a network matching a filter, ordered, without the row's columns (see `directory_memberships`).

    A filter on membership columns only (status, role, import, dates) and the A–Z order stay on the index
    `membership_directory_idx`: counting and paging 50,000 members joins no organisation. A search or a filter on the
    organisation (kind, sector, size, place) joins it.
    """
    queryset = Membership.objects.listed_in(network)
    queryset, searched = _search(queryset, flt.q, typos=typos)
    if flt.kind:
        queryset = queryset.filter(organisation__kind=flt.kind)
    if flt.section:
        queryset = queryset.filter(organisation__activity__section=flt.section)
    if flt.size:
        queryset = queryset.alias(size_class_filter=size_class_expression()).filter(size_class_filter=flt.size)
    if flt.municipality:
        queryset = queryset.filter(organisation__municipality__iexact=flt.municipality)
    if flt.role:
        queryset = queryset.filter(role=flt.role)
    if flt.status:
        queryset = queryset.filter(status=flt.status)
    if flt.also_in is not None:
        queryset = queryset.filter(Exists(Membership.objects.for_network(flt.also_in).filter(organisation=OuterRef("organisation"))))
    if flt.import_job is not None:
        queryset = queryset.filter(import_job=flt.import_job)
    if flt.added_from is not None:
        queryset = queryset.filter(created_at__gte=_start_of(flt.added_from))
    if flt.added_to is not None:
        queryset = queryset.filter(created_at__lt=_start_of(flt.added_to + timedelta(days=1)))
    if flt.sort == "relevance" and searched:
        return queryset.order_by(F("search_rank").asc(), F("search_similarity").desc(), "sort_name", "pk")
    return queryset.order_by(*SORTS.get(flt.sort, SORTS["name"]))


def _with_row_columns(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Everything a directory row (and an export line) shows: the organisation, its sector, its size class."""
    return queryset.select_related("organisation", "organisation__activity").annotate(size_class=size_class_expression())


def directory_memberships(network: Network, flt: DirectoryFilter, *, typos: bool = False) -> QuerySet[Membership]:
    """The memberships of a network matching a filter, with everything a directory row shows, in a fixed number of queries.

    With a search and the sort "relevance" the best matches come first (see `_search`), then A–Z; without a search
    "relevance" is A–Z. No join fans out, so no DISTINCT: a row is a membership.
    """
    return _with_row_columns(_directory_filter(network, flt, typos=typos))


MAX_PAGE = 1_000_000


def directory_page(queryset: QuerySet[Membership], number: str | int | None, per_page: int, *, one_scan: bool = True) -> Page:
    """One page of `queryset` and the number of all its rows, like Paginator.get_page, the rows fetched by key.

    `one_scan` (for a search, whose matches are sorted by rank anyway): the first query walks the matches once,
    narrow (the primary key, the sort keys and COUNT(*) OVER ()), and keeps the page's keys — Paginator's way would
    scan them twice, a COUNT and then the page; a window over the full rows would carry every column through the
    sort. Without a search, A–Z walks the index on the folded name and stops after the page, so a separate narrow
    COUNT is cheaper than a window that must see every row. Either way the second query fetches the page's rows,
    with everything a row shows, by primary key. A page past the end (a list that shrank, a hand-typed URL) shows the
    last page.
    """
    try:
        wanted = max(int(number or 1), 1)
    except (TypeError, ValueError):
        wanted = 1
    # A hand-typed page=10**20 would overflow the OFFSET (a 500); no directory has a million pages.
    wanted = min(wanted, MAX_PAGE)
    if one_scan:
        keys = queryset.annotate(full_count=Window(Count("pk"))).values_list("pk", "full_count")
        window = list(keys[(wanted - 1) * per_page : wanted * per_page])
        total = window[0][1] if window else (0 if wanted == 1 else queryset.count())
        paginator = Paginator(queryset, per_page)
        paginator.count = total  # a cached_property, given its value instead of a COUNT query
        if not window and total:
            wanted = paginator.num_pages
            window = list(keys[(wanted - 1) * per_page : wanted * per_page])
        pks = [pk for pk, _ in window]
    else:
        paginator = Paginator(queryset.values_list("pk", flat=True), per_page)  # type: ignore[arg-type]  # pages of keys
        keys_page = paginator.get_page(wanted)
        wanted, pks = keys_page.number, [int(pk) for pk in keys_page.object_list]  # type: ignore[call-overload]
    by_pk = _with_row_columns(queryset.model.objects.all()).in_bulk(pks) if pks else {}
    return Page([by_pk[pk] for pk in pks], min(wanted, paginator.num_pages), paginator)


def directory_results(network: Network, flt: DirectoryFilter, number: str | int | None, per_page: int) -> Page:
    """The directory's page for a filter. A search that finds nothing is tried once more for typos on PostgreSQL
    (trigram similarity of the name, GIN-indexed): 'Mülller' finds 'Müller'. Only then, so that the usual search
    stays on the LIKE-indexes and similarity is never computed for every organisation."""
    searched = bool(fold(flt.q))
    page = directory_page(_directory_filter(network, flt), number, per_page, one_scan=searched)
    if not page.paginator.count and searched and connection.vendor == "postgresql":
        page = directory_page(_directory_filter(network, flt, typos=True), number, per_page)
    return page


MUNICIPALITY_CACHE_SECONDS = 300


def municipalities_cache_key(network: Network) -> str:
    # The creation time too: a test database (and a restored backup) hands out the same pk to another network.
    return f"members:directory:municipalities:{network.pk}:{network.created_at.timestamp():.6f}"


def municipalities(network: Network) -> list[str]:
    """The places of a network's members for the directory's dropdown, A–Z.

    A DISTINCT over 50,000 memberships and their organisations costs more than the rest of the page, and the list
    changes seldom: it is kept in the cache for five minutes per network. A place typed into the URL is checked
    against the database instead (`municipality_exists`), so a new member's place can be filtered at once.
    """
    key = municipalities_cache_key(network)
    cached = cache.get(key)
    if cached is None:
        cached = list(
            Organisation.objects.filter(Exists(Membership.objects.for_network(network).filter(organisation=OuterRef("pk"))), archived_at__isnull=True)
            .exclude(municipality="")
            .values_list("municipality", flat=True)
            .distinct()
            .order_by("municipality")
        )
        cache.set(key, cached, MUNICIPALITY_CACHE_SECONDS)
    return cached


def municipality_exists(network: Network, municipality: str) -> bool:
    return Membership.objects.for_network(network).filter(organisation__municipality__iexact=municipality).exists()


def import_jobs(network: Network) -> QuerySet[BackgroundJob]:
    """The network's imports, newest first: the choices of the directory's "Import" filter."""
    return BackgroundJob.objects.filter(network=network, kind=BackgroundJob.Kind.IMPORT).order_by("-created_at", "-pk")


# --- the member count ---------------------------------------------------------


def current_member_q(prefix: str = "") -> Q:
    """The one definition of "a member of the network", as a filter on memberships reached through `prefix`.

    A current membership (verbund.models.current_membership_q: active or paused, not in the network's trash) of an
    organisation that is not in the trash either. Prospects and former members are not members. It selects the same
    organisations as `Organisation.objects.current_members_of(network)` (one membership per organisation and
    network), so "46 Mitglieder" on a start page, a card of "Meine Verbünde", an indicator and the qualification
    matrix count the same companies. Use it, or `member_count`/`member_counts`, wherever a number of members shows.
    """
    return current_membership_q(prefix) & Q(**{f"{prefix}organisation__archived_at__isnull": True})


def member_count(network: Network) -> int:
    """How many members a network has (`current_member_q`)."""
    return Membership.objects.listed_in(network).filter(current_membership_q()).count()


def member_counts(networks: Iterable[Network | int]) -> dict[int, int]:
    """Members per network (key: the network's pk; 0 for one without members), in one query for any number of networks."""
    pks = [n.pk if isinstance(n, Network) else n for n in networks]
    members = Membership.objects.filter(current_membership_q(), network__in=pks).filter(~organisation_in_trash())
    counts = dict(members.order_by().values("network").annotate(n=Count("pk")).values_list("network", "n"))
    return {pk: counts.get(pk, 0) for pk in pks}


def listed_status_counts(network: Network) -> dict[str, int]:
    """The memberships the directory lists (outside both trashes), per status, every status present (0 when none).

    The current statuses of this add up to `member_count`; all of them to the directory's number of organisations.
    """
    # order_by(): without it Membership's default ordering (network and organisation names) adds two joins.
    rows = Membership.objects.listed_in(network).order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in Membership.Status.values}


# --- history -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    action: str
    changes: list[tuple[str, Any, Any]]


def _entries(records: list, label, field_names: dict[str, str], who) -> list[HistoryEntry]:
    """Pair each history record with the previous one of the same object and list the changed fields."""
    records = sorted(records, key=lambda r: (r.id, r.history_date, r.history_id))
    previous: dict[int, Any] = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None:
            for change in record.diff_against(before, included_fields=list(field_names)).changes:
                changes.append((field_names[change.field], change.old, change.new))
        action = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        if action == "changed" and not changes:
            previous[record.id] = record
            continue
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=who(record),
                what=label(record),
                action=action,
                changes=changes,
            )
        )
        previous[record.id] = record
    return entries


def organisation_history(organisation: Organisation, networks: QuerySet[Network], *, viewer_network: Network, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what, when: the profile, its contacts and the memberships in the given networks.

    Changes by another network's office show as such, without the person's name
    (an organisation's profile is shared, its other networks' staff are not).
    Five queries whatever the length of the history.
    """
    known = set(viewer_network.manager_roles.values_list("user_id", flat=True)) | set(
        organisation.contacts.exclude(user=None).values_list("user_id", flat=True)
    )

    def who(record) -> str:
        if not record.history_user_id:
            return ""
        if record.history_user_id in known:
            return str(record.history_user)
        return _("Geschäftsstelle eines anderen Verbunds")

    def names(model) -> dict[str, str]:
        skip = {"id", "created_at", "updated_at", "organisation", "archived_by"}
        return {f.name: str(f.verbose_name) for f in model._meta.concrete_fields if f.name not in skip and f.editable}

    org_records = list(organisation.history.select_related("history_user").order_by("history_date")[:500])
    contact_records = list(Contact.history.filter(organisation_id=organisation.pk).select_related("history_user").order_by("history_date")[:500])
    membership_records = list(
        Membership.history.filter(organisation_id=organisation.pk, network__in=networks)
        .select_related("history_user", "network")
        .order_by("history_date")[:500]
    )
    entries = (
        _entries(org_records, lambda r: str(Organisation._meta.verbose_name), names(Organisation), who)
        + _entries(contact_records, lambda r: f"{Contact._meta.verbose_name}: {r.first_name} {r.last_name}".strip(), names(Contact), who)
        + _entries(membership_records, lambda r: f"{Membership._meta.verbose_name}: {r.network.name}", names(Membership), who)
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def user_networks(user: User) -> QuerySet[Network]:
    return Network.objects.active().managed_by(user)
