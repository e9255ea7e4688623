"""DSGVO for practice projects (answers the signals of members/privacy.py).

Export: the organisation's part in projects (project, network, role, status). Erasure of a person: a decided paper may
name her as the one who decided (free text) and her login as the one who recorded it; both go, the decision stays,
and the history rows that still hold her name are removed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from cooperation.models.projects import DecisionPaper, ProjectParticipant
from members.models import Contact, Organisation
from members.privacy import ERASED_NAME, export_sections, person_erasing


@receiver(export_sections, sender=Organisation, dispatch_uid="cooperation-projects-export")
def export_projects(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    rows = ProjectParticipant.objects.filter(organisation=organisation).select_related("project__network", "project__parent").order_by("pk")
    return {
        "practice_projects": [
            {
                "project": p.project.network.name,
                "network": p.project.parent.name,
                "role": p.get_role_display(),
                "status": p.project.get_status_display(),
                "starts_on": p.project.starts_on.isoformat() if p.project.starts_on else None,
                "ends_on": p.project.ends_on.isoformat() if p.project.ends_on else None,
            }
            for p in rows
        ]
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="cooperation-projects-erase")
def erase_from_decision_papers(sender, *, contact: Contact, old_texts: set[str], **kwargs: Any) -> None:
    texts = [t for t in old_texts if t and len(t) > 2]
    if contact.user_id is not None:
        DecisionPaper.objects.filter(recorded_by_id=contact.user_id).update(recorded_by=None)
        DecisionPaper.history.filter(recorded_by_id=contact.user_id).update(recorded_by=None)
    if not texts:
        return
    naming = Q()
    for text in texts:
        naming |= Q(decided_by__icontains=text)
    for paper in DecisionPaper.objects.filter(naming):
        name = paper.decided_by
        for text in texts:
            name = name.replace(text, ERASED_NAME)
        DecisionPaper.objects.filter(pk=paper.pk).update(decided_by=name)
    DecisionPaper.history.filter(naming).update(decided_by=ERASED_NAME)
