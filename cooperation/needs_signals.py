"""The need a round table came from, on the manager's meeting page (answers events.extensions.meeting_panels; events
imports nothing of cooperation)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cooperation.models import Match, NeedOffer
from events.extensions import MeetingPanel, meeting_panels
from events.models import Meeting


@receiver(meeting_panels, sender=Meeting, dispatch_uid="cooperation-needs-meeting-panel")
def need_panel(sender, *, meeting: Meeting, network, **kwargs: Any) -> list[MeetingPanel]:
    """For a round table: its need (a link to the need's manager page) and the confirmed providers, in one query
    (a row per match of the need); every other meeting is answered without asking the database."""
    if meeting.kind != Meeting.Kind.ROUND_TABLE:
        return []
    rows = list(
        NeedOffer.objects.for_network(network)
        .filter(round_table=meeting, kind=NeedOffer.Kind.NEED)
        .order_by("pk", "matches__organisation__name")
        .values_list("pk", "title", "matches__status", "matches__organisation__name")
    )
    panels = []
    for pk, title in dict.fromkeys((pk, title) for pk, title, _status, _name in rows):
        providers = [name for need, _title, status, name in rows if need == pk and status == Match.Status.CONFIRMED]
        panels.append(MeetingPanel(template="cooperation/_needs_meeting_panel.html", context={"pk": pk, "title": title, "providers": providers}, order=20))
    return panels
