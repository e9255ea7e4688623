"""DSGVO for the periodic member reports (answers the signals of members/privacy.py).

Export: the organisation's reports to every network — drafts too, they are its data — with the answers as written
and who submitted them. Erasure of a person: the reports are the organisation's and stay; the link to the person's
login as the submitter goes (a deleted login clears it anyway; an office login that stays must not keep naming her).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from health.models import MemberReport
from health.reports import period_label, submitter_name
from members.models import Contact, Organisation
from members.privacy import export_sections, person_erasing


@receiver(export_sections, sender=Organisation, dispatch_uid="health-reports-export")
def export_member_reports(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    reports = (
        MemberReport.objects.filter(organisation=organisation)
        .select_related("period__request__network", "submitted_by__contact")
        .order_by("period__request__network__name", "period__request__title", "period__starts_on", "pk")
    )
    return {
        "member_reports": [
            {
                "network": r.period.request.network.name,
                "title": r.period.request.title,
                "period": period_label(r.period.year, r.period.quarter),
                "status": "submitted" if r.submitted_at else "draft",
                "submitted_at": timezone.localtime(r.submitted_at).isoformat() if r.submitted_at else None,
                "submitted_by": submitter_name(r) or None,
                "answers": [{"prompt": a.get("prompt", ""), "text": a.get("text", "")} for a in r.answers if isinstance(a, dict)],
            }
            for r in reports
        ]
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="health-reports-erase")
def erase_from_member_reports(sender, *, contact: Contact, **kwargs: Any) -> None:
    if contact.user_id is not None:
        MemberReport.objects.filter(submitted_by_id=contact.user_id).update(submitted_by=None)
