"""DSGVO for the Qualifizierungsverbund: what the data export shows (answers the signals of members/privacy.py).

Export: the organisation's needs in every network's matrix, its company checks
(answers, scores per area, who it was shared with and when withdrawn) and its
course enrolments (named people or head counts, attendance). Erasure of a person:
enrolments keep their seat count for the indicators but name the person no more,
because they point to the contact that members/privacy.py anonymises; check
answers are the company's, not a person's, and stay; a withdrawn check share names
the advisor's login, which the advisor's own account deletion removes.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from members.models import Organisation
from members.privacy import export_sections
from qualification.checks import area_scores
from qualification.models import Attendance, CheckRound, Enrolment, Need


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@receiver(export_sections, sender=Organisation, dispatch_uid="qualification-export")
def export_qualification(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    needs = Need.objects.filter(organisation=organisation).select_related("network", "topic").order_by("network__name", "topic__title")
    rounds = (
        CheckRound.objects.filter(organisation=organisation)
        .select_related("network", "template")
        .prefetch_related(
            "answers__question",
            "shares__advisor",
        )
        .order_by("started_at")
    )
    enrolments = Enrolment.objects.filter(organisation=organisation).select_related("course__network", "contact").order_by("created_at")
    present: dict[int, list[dict[str, Any]]] = {}
    for row in Attendance.objects.filter(enrolment__in=enrolments).select_related("session"):
        present.setdefault(row.enrolment_id, []).append({"session": _iso(row.session.starts_at), "present": row.present})
    return {
        "qualification_needs": [
            {
                "network": n.network.name,
                "topic": n.topic.title,
                "priority": n.get_priority_display(),
                "head_count": n.head_count,
                "target_group": n.target_group,
                "format": n.get_preferred_format_display(),
                "time": n.preferred_time,
                "place": n.preferred_place,
                "content": n.content_wishes,
                "scope": n.scope,
                "updated_at": _iso(n.updated_at),
            }
            for n in needs
        ],
        "company_checks": [
            {
                "network": r.network.name,
                "check": str(r.template),
                "status": r.get_status_display(),
                "with_advisor": r.with_advisor,
                "started_at": _iso(r.started_at),
                "completed_at": _iso(r.completed_at),
                "scores": {s.title: s.percent for s in area_scores(r)},
                "answers": [{"statement": a.question.text, "value": a.value, "note": a.note} for a in r.answers.all()],
                "shared": [
                    {
                        "with_office": s.with_managers,
                        "advisor": s.advisor.email if s.advisor else None,
                        "granted_at": _iso(s.granted_at),
                        "withdrawn_at": _iso(s.withdrawn_at),
                    }
                    for s in r.shares.all()
                ],
            }
            for r in rounds
        ],
        "course_enrolments": [
            {
                "network": e.course.network.name,
                "course": e.course.title,
                "year": e.course.year,
                "person": e.contact.full_name if e.contact else None,
                "head_count": e.head_count,
                "status": e.get_status_display(),
                "enrolled_at": _iso(e.created_at),
                "attendance": present.get(e.pk, []),
            }
            for e in enrolments
        ],
    }
