"""Demo data for the indicators: a few years of financing and some movement in the membership this year.

`seed_demo` records the financing of the current year only and join dates without leaves, so the trend of the
self-financing ratio would be one point and the year's members a flat line. `seed_indicators_demo(network)` adds, once:
the three previous years' funding (public money shrinking, own funding growing, the public programme ending next year
so the page warns), a planned cadence when the profile has none, and two leaves and one join this year.
Idempotent: a second run changes nothing. Called by the lead from composition's seed_demo.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members.models import Membership, MembershipStatusChange
from verbund.models import FundingSource, Network

DEMO_NOTE = "Demo (Kennzahlen)"


@transaction.atomic
def seed_indicators_demo(network: Network) -> None:
    today = timezone.localdate()
    _funding_history(network, today.year)
    if network.meetings_per_year is None:
        Network.objects.filter(pk=network.pk).update(meetings_per_year=4)
        network.meetings_per_year = 4
    _membership_movement(network, today)


def _funding_history(network: Network, year: int) -> None:
    current = list(FundingSource.objects.filter(network=network, year=year))
    if not current or FundingSource.objects.filter(network=network, year__lt=year).exists():
        return
    for back in (1, 2, 3):
        for source in current:
            own = FundingSource.Kind(source.kind).is_own_funding
            factor = Decimal(1) - Decimal("0.2") * back if own else Decimal(1) + Decimal("0.1") * back
            FundingSource.objects.create(
                network=network,
                kind=source.kind,
                year=year - back,
                name=source.name,
                funder=source.funder,
                amount=(source.amount * factor).quantize(Decimal(1)),
            )
    for source in current:
        if source.kind == FundingSource.Kind.PUBLIC_PROGRAMME and source.period_end is None:
            FundingSource.objects.filter(pk=source.pk).update(period_start=date(year - 3, 1, 1), period_end=date(year + 1, 6, 30))


def _membership_movement(network: Network, today: date) -> None:
    if MembershipStatusChange.objects.filter(membership__network=network, note=DEMO_NOTE).exists():
        return
    active = list(Membership.objects.for_network(network).filter(status=Membership.Status.ACTIVE).order_by("-pk")[:3])
    if len(active) < 3:
        return
    early = max(date(today.year, 1, 2), today - timedelta(days=200))
    for membership, days in zip(active[:2], (150, 40)):
        left_on = max(early, today - timedelta(days=days))
        if membership.joined_on and membership.joined_on > left_on:
            continue
        Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LEFT, left_on=left_on)
        MembershipStatusChange.objects.create(
            membership=membership, from_status=Membership.Status.ACTIVE, to_status=Membership.Status.LEFT, effective_on=left_on, note=DEMO_NOTE
        )
    joined = active[2]
    joined_on = max(early, today - timedelta(days=90))
    Membership.objects.filter(pk=joined.pk).update(joined_on=joined_on)
    MembershipStatusChange.objects.create(membership=joined, from_status="", to_status=Membership.Status.ACTIVE, effective_on=joined_on, note=DEMO_NOTE)
