"""Read models shared by several views: the member directory query and the history of an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import Case, CharField, Exists, F, OrderBy, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from members.models import Contact, Membership, Organisation
from verbund.models import Network, User

SORTS: dict[str, tuple[str | OrderBy, str]] = {
    "name": ("organisation__name", "pk"),
    "-name": ("-organisation__name", "-pk"),
    "place": ("organisation__municipality", "organisation__name"),
    "-place": ("-organisation__municipality", "organisation__name"),
    "employees": (F("organisation__employees").asc(nulls_last=True), "organisation__name"),
    "-employees": (F("organisation__employees").desc(nulls_last=True), "organisation__name"),
    "joined": (F("joined_on").asc(nulls_last=True), "organisation__name"),
    "-joined": (F("joined_on").desc(nulls_last=True), "organisation__name"),
    "status": ("status", "organisation__name"),
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


def _search[QS: QuerySet[Membership]](queryset: QS, text: str) -> QS:
    """Full text and trigram search on PostgreSQL; a simple substring search elsewhere."""
    text = " ".join(text.split())[:200]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("organisation__name", weight="A", config="german")
            + SearchVector("organisation__municipality", "organisation__activity__title", weight="B", config="german")
            + SearchVector("organisation__competencies", "organisation__profile", "organisation__needs", weight="C", config="german")
        )
        query = SearchQuery(text, config="german", search_type="websearch")
        matches = queryset.annotate(search=vector, name_similarity=TrigramSimilarity("organisation__name", text)).filter(
            Q(search=query)
            | Q(name_similarity__gt=0.25)
            | Q(organisation__name__icontains=text)
            | Q(organisation__competency_tags__name__iexact=text)
            | Q(organisation__postcode__startswith=text)
        )
        return matches.distinct()
    terms = Q()
    for word in text.split():
        terms &= (
            Q(organisation__name__icontains=word)
            | Q(organisation__municipality__icontains=word)
            | Q(organisation__postcode__startswith=word)
            | Q(organisation__competencies__icontains=word)
            | Q(organisation__activity__title__icontains=word)
            | Q(organisation__competency_tags__name__icontains=word)
        )
    return queryset.filter(terms).distinct()


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
    sort: str = "name"


def directory_memberships(network: Network, flt: DirectoryFilter) -> QuerySet[Membership]:
    """The memberships of a network matching a filter, with everything a directory row shows, in a fixed number of queries."""
    queryset = (
        Membership.objects.for_network(network)
        .filter(organisation__archived_at__isnull=True)
        .select_related("organisation", "organisation__activity")
        .annotate(size_class=size_class_expression())
    )
    queryset = _search(queryset, flt.q)
    if flt.kind:
        queryset = queryset.filter(organisation__kind=flt.kind)
    if flt.section:
        queryset = queryset.filter(organisation__activity__section=flt.section)
    if flt.size:
        queryset = queryset.filter(size_class=flt.size)
    if flt.municipality:
        queryset = queryset.filter(organisation__municipality__iexact=flt.municipality)
    if flt.role:
        queryset = queryset.filter(role=flt.role)
    if flt.status:
        queryset = queryset.filter(status=flt.status)
    if flt.also_in is not None:
        queryset = queryset.filter(Exists(Membership.objects.for_network(flt.also_in).filter(organisation=OuterRef("organisation"))))
    return queryset.order_by(*SORTS.get(flt.sort, SORTS["name"]))


def municipalities(network: Network) -> list[str]:
    return list(
        Membership.objects.for_network(network)
        .exclude(organisation__municipality="")
        .values_list("organisation__municipality", flat=True)
        .distinct()
        .order_by("organisation__municipality")
    )


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
