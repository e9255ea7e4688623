"""The matrix cells, the Verbundabstimmung and what members may see of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Membership, Organisation
from qualification import matrix
from qualification.models import Need, Topic


@pytest.fixture
def topics(world):
    return {
        title: Topic.objects.create(network=world.network_x, title=title, position=i) for i, title in enumerate(["Führung", "Gesundheit", "Azubimarketing"])
    }


def members(world, n: int) -> list[Organisation]:
    orgs = [Organisation.objects.create(name=f"Mitglied {i}") for i in range(n)]
    Membership.objects.bulk_create([Membership(organisation=o, network=world.network_x) for o in orgs])
    return orgs


def test_cells_are_validated_and_nothing_is_half_written(world, manager_x, topics):
    t = topics["Führung"]
    with pytest.raises(ValidationError):
        matrix.need_save(network=world.network_x, organisation=world.org_a, topic=t, by=manager_x, data={"priority": 2, "head_count": -3})
    with pytest.raises(ValidationError):
        matrix.need_save(network=world.network_x, organisation=world.org_a, topic=t, by=manager_x, data={"priority": 7})
    with pytest.raises(ValidationError):
        matrix.need_save(network=world.network_x, organisation=world.org_c, topic=t, by=manager_x, data={"priority": 1})  # member of Y only
    other = Topic.objects.create(network=world.network_y, title="Fremdes Thema")
    with pytest.raises(ValidationError):
        matrix.need_save(network=world.network_x, organisation=world.org_a, topic=other, by=manager_x, data={"priority": 1})
    with pytest.raises(ValidationError):
        matrix.need_save(network=world.network_x, organisation=world.org_a, topic=t, by=manager_x, data={"priority": 1, "network_id": 2})
    assert not Need.objects.exists()
    cell = matrix.need_save(
        network=world.network_x,
        organisation=world.org_a,
        topic=t,
        by=manager_x,
        data={"priority": 3, "head_count": 4, "preferred_format": "in_house", "preferred_time": "Freitagvormittag"},
    )
    again = matrix.need_save(network=world.network_x, organisation=world.org_a, topic=t, by=manager_x, data={"head_count": 5})
    assert cell.pk == again.pk and Need.objects.get().head_count == 5 and Need.objects.get().priority == 3


def test_alignment_sums_per_topic_and_proposes_over_the_threshold(world, manager_x, topics):
    orgs = members(world, 3)
    for org, priority, heads in zip(orgs, [3, 2, 1], [2, 3, 1], strict=True):
        matrix.need_save(
            network=world.network_x,
            organisation=org,
            topic=topics["Führung"],
            by=manager_x,
            data={"priority": priority, "head_count": heads, "preferred_format": "in_house"},
        )
    matrix.need_save(network=world.network_x, organisation=world.org_a, topic=topics["Gesundheit"], by=manager_x, data={"priority": 2, "head_count": 9})
    matrix.need_save(network=world.network_x, organisation=world.org_b, topic=topics["Azubimarketing"], by=manager_x, data={"priority": 0, "head_count": 5})
    rows = {r.topic.title: r for r in matrix.aggregate(world.network_x)}
    assert (rows["Führung"].organisations, rows["Führung"].head_count, rows["Führung"].weighted_priority) == (3, 6, 6)
    assert rows["Führung"].formats["in_house"] == 3
    assert (rows["Gesundheit"].organisations, rows["Gesundheit"].head_count) == (1, 9)
    assert rows["Azubimarketing"].organisations == 0  # "kein Bedarf" is not a need
    assert [r.topic.title for r in matrix.proposals(world.network_x)] == ["Führung", "Gesundheit"]  # 3 organisations; 9 people
    # A member that left no longer counts.
    Membership.objects.filter(organisation=orgs[0]).update(status="left")
    assert {r.topic.title: r.organisations for r in matrix.aggregate(world.network_x)}["Führung"] == 2


def test_members_see_numbers_only_where_three_organisations_stand_behind_them(world, manager_x, topics):
    orgs = members(world, 3)
    for org in orgs:
        matrix.need_save(network=world.network_x, organisation=org, topic=topics["Führung"], by=manager_x, data={"priority": 1, "head_count": 2})
    for org in orgs[:2]:
        matrix.need_save(network=world.network_x, organisation=org, topic=topics["Gesundheit"], by=manager_x, data={"priority": 3, "head_count": 7})
    seen = {row["topic"].title: row for row in matrix.member_aggregates(world.network_x)}
    assert seen["Führung"]["visible"] and seen["Führung"]["organisations"] == 3 and seen["Führung"]["head_count"] == 6
    assert not seen["Gesundheit"]["visible"] and seen["Gesundheit"]["organisations"] is None and seen["Gesundheit"]["head_count"] is None


def test_aggregation_takes_a_constant_number_of_queries(world, manager_x, topics):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            matrix.aggregate(world.network_x)
        return len(queries)

    small = count()
    for org in members(world, 12):
        for topic in topics.values():
            matrix.need_save(network=world.network_x, organisation=org, topic=topic, by=manager_x, data={"priority": 2, "head_count": 1})
    assert count() == small
