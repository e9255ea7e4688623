"""The qualification matrix and the Verbundabstimmung (network-wide alignment of needs).

need_save writes one cell (organisation × topic) with validation; aggregate()
sums the matrix per topic across the network (organisations with need, head
count, weighted priority, preferred formats and times); proposals() names the
topics over the threshold. What other members may see goes through
member_aggregates(): a number only where at least MIN_GROUP organisations stand
behind it (DSGVO: no single company's need is inferable).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Organisation
from qualification.models import NEED_FIELDS, Need, Topic
from verbund.models import Network, User
from verbund.services import save_audited

MIN_GROUP = 3  # aggregates shown to members only from this many organisations on
PROPOSAL_MIN_ORGANISATIONS = 3
PROPOSAL_MIN_HEADS = 8


@transaction.atomic
def need_save(*, network: Network, organisation: Organisation, topic: Topic, by: User, data: dict[str, Any]) -> Need:
    """Write one cell. Refuses topics of another network, organisations that are not current members, bad values."""
    if topic.network_id != network.pk or topic.archived_at is not None:
        raise ValidationError(_("Dieses Thema gibt es in diesem Verbund nicht."))
    if not Organisation.objects.current_members_of(network).filter(pk=organisation.pk).exists():
        raise ValidationError(_("Diese Organisation ist kein Mitglied des Verbunds."))
    unknown = set(data) - set(NEED_FIELDS.names)
    if unknown:
        raise ValidationError(_("Unbekannte Angaben: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    head_count = data.get("head_count", 0)
    if not isinstance(head_count, int) or head_count < 0:
        raise ValidationError(_("Die Anzahl der Personen muss eine ganze Zahl ab 0 sein."))
    need = Need.objects.select_for_update().filter(network=network, organisation=organisation, topic=topic).first()
    need = need or Need(network=network, organisation=organisation, topic=topic)
    NEED_FIELDS.apply(need, data)
    need.updated_by = by
    save_audited(need, by=by)  # full_clean: priority on the scale, format known, lengths
    return need


@dataclass
class TopicAggregate:
    topic: Topic
    organisations: int = 0
    head_count: int = 0
    weighted_priority: int = 0  # useful 1, important 2, urgent 3, summed over organisations
    formats: Counter = field(default_factory=Counter)
    times: list[str] = field(default_factory=list)

    @property
    def proposed(self) -> bool:
        return self.organisations >= PROPOSAL_MIN_ORGANISATIONS or self.head_count >= PROPOSAL_MIN_HEADS


def aggregate(network: Network) -> list[TopicAggregate]:
    """Per active topic: the expressed needs (priority at least "useful") of current member organisations. Two queries."""
    topics = {t.pk: TopicAggregate(t) for t in Topic.objects.filter(network=network, archived_at__isnull=True)}
    members = Organisation.objects.current_members_of(network).values("pk")
    needs = Need.objects.filter(network=network, topic_id__in=topics, priority__gte=Need.Priority.USEFUL, organisation__in=members)
    for topic_id, head_count, priority, preferred_format, preferred_time in needs.values_list(
        "topic_id",
        "head_count",
        "priority",
        "preferred_format",
        "preferred_time",
    ):
        row = topics[topic_id]
        row.organisations += 1
        row.head_count += head_count
        row.weighted_priority += priority
        if preferred_format:
            row.formats[preferred_format] += 1
        if preferred_time:
            row.times.append(preferred_time)
    return sorted(topics.values(), key=lambda r: (-r.weighted_priority, -r.head_count, r.topic.position, r.topic.title))


def proposals(network: Network) -> list[TopicAggregate]:
    return [row for row in aggregate(network) if row.proposed]


def member_aggregates(network: Network) -> list[dict[str, Any]]:
    """What members see: per topic the number of organisations and people, hidden below MIN_GROUP organisations."""
    out = []
    for row in aggregate(network):
        visible = row.organisations >= MIN_GROUP
        out.append(
            {
                "topic": row.topic,
                "visible": visible,
                "organisations": row.organisations if visible else None,
                "head_count": row.head_count if visible else None,
            }
        )
    return out


@dataclass
class GridRow:
    organisation: Organisation
    cells: list[Need | None]
    head_count: int = 0
    needs: int = 0
    entries: list[tuple[Topic, Need | None]] = field(default_factory=list)  # the cells with their topics, for templates


@dataclass
class Grid:
    """Organisations × topics with totals per row and column; the heat map, its exports and the cell editor read it."""

    topics: list[Topic]
    rows: list[GridRow]
    column_heads: list[int]
    column_needs: list[int]
    min_priority: int

    @property
    def head_count(self) -> int:
        return sum(self.column_heads)

    @property
    def needs(self) -> int:
        return sum(self.column_needs)


def grid(
    network: Network,
    *,
    topic_ids: list[int] | None = None,
    min_priority: int = Need.Priority.USEFUL,
    municipality: str = "",
    search: str = "",
    only_with_need: bool = False,
) -> Grid:
    """The matrix of the network's current members in three queries, whatever its size.

    Totals count the cells with at least `min_priority` (default: "useful", i.e. expressed needs).
    """
    topics = list(Topic.objects.filter(network=network, archived_at__isnull=True).order_by("position", "title"))
    if topic_ids:
        topics = [t for t in topics if t.pk in set(topic_ids)]
    members = Organisation.objects.current_members_of(network).order_by("name", "pk").only("pk", "name", "municipality")
    if municipality:
        members = members.filter(municipality=municipality)
    if search:
        members = members.filter(name__icontains=search)
    organisations = list(members)
    position = {t.pk: i for i, t in enumerate(topics)}
    cells: dict[int, list[Need | None]] = {o.pk: [None] * len(topics) for o in organisations}
    for need in Need.objects.filter(network=network, topic_id__in=position, organisation_id__in=cells):
        cells[need.organisation_id][position[need.topic_id]] = need
    column_heads = [0] * len(topics)
    column_needs = [0] * len(topics)
    rows = []
    for organisation in organisations:
        row = GridRow(organisation, cells[organisation.pk])
        row.entries = list(zip(topics, row.cells, strict=True))
        for i, cell in enumerate(row.cells):
            if cell is not None and cell.priority >= min_priority and cell.priority > Need.Priority.NONE:
                row.head_count += cell.head_count
                row.needs += 1
                column_heads[i] += cell.head_count
                column_needs[i] += 1
        if row.needs or not only_with_need:
            rows.append(row)
    return Grid(topics, rows, column_heads, column_needs, min_priority)


def municipalities(network: Network) -> list[str]:
    """The places of the network's current members (the heat map's place filter)."""
    return sorted(set(Organisation.objects.current_members_of(network).exclude(municipality="").values_list("municipality", flat=True)))
