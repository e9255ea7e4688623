"""Writes for meeting series: create, rename, delete. A new meeting of a series goes through `services.meeting_create`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from events.models import MeetingSeries
from verbund.models import Network, User
from verbund.services import save_audited


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": _("Eine Reihe mit dem Namen „%(name)s“ gibt es in diesem Verbund schon.") % {"name": name}})


def _check_name_free(*, network: Network, name: str, series: MeetingSeries | None = None) -> None:
    # Case-insensitive on purpose: "AG Energie" and "AG energie" would be one series typed twice.
    taken = MeetingSeries.objects.filter(network=network, name__iexact=name)
    if series is not None:
        taken = taken.exclude(pk=series.pk)
    if taken.exists():
        raise _name_taken(name)


def _save(series: MeetingSeries, *, by: User, update_fields: list[str] | None = None) -> None:
    """Save; a name taken concurrently (the database constraint) becomes the same ValidationError as the check before."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable after an IntegrityError
            save_audited(series, by=by, update_fields=update_fields, validate=False)
    except IntegrityError:
        raise _name_taken(series.name) from None


@transaction.atomic
def series_create(*, network: Network, by: User, name: str) -> MeetingSeries:
    """A new, empty series. Raises ValidationError (on `name`) when the network has a series of that name."""
    series = MeetingSeries(network=network, name=name.strip())
    _check_name_free(network=network, name=series.name)
    series.full_clean(validate_constraints=False)  # the name check above is the friendlier form of the constraint
    _save(series, by=by)
    return series


@transaction.atomic
def series_rename(*, series: MeetingSeries, by: User, name: str) -> MeetingSeries:
    """Give a series a new name. Raises ValidationError (on `name`) when another series of the network has it."""
    name = name.strip()
    if name == series.name:
        return series
    _check_name_free(network=series.network, name=name, series=series)
    series.name = name
    series.full_clean(validate_constraints=False)
    _save(series, by=by, update_fields=["name"])
    return series


@transaction.atomic
def series_delete(*, series: MeetingSeries, by: User) -> int:
    """Delete a series; its meetings stay, without a series. Returns how many meetings were in it."""
    meetings = list(series.meetings.all())
    for meeting in meetings:  # each leaves the series with a history entry naming who deleted it (SET NULL would leave none)
        meeting.series = None
        meeting._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        meeting.save(update_fields=["series", "updated_at"])
    series._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    series.delete()
    return len(meetings)
