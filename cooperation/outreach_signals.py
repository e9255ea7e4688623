"""The contact log on members' pages and in members' DSGVO export and erasure (answers the signals of
members.extensions and members.privacy; members imports nothing of cooperation).

Export: every contact log entry about the organisation (kind, day, the person talked to, what, next step); who in the
office wrote it is left out (data about another person). Erasure: the person's name, address and phone number are
replaced by "Gelöschte Person" in the texts of the organisation's entries, and the history rows that held the old
texts go.
"""

from __future__ import annotations

import re
from typing import Any

from django.dispatch import receiver

from cooperation.models import ContactLogEntry, Prospect
from members.extensions import OrganisationPanel, organisation_panels
from members.models import Contact, Organisation
from members.privacy import ERASED_NAME, export_sections, person_erasing

PANEL_ENTRIES = 10  # the newest entries on an organisation's page; the rest on the log page


@receiver(organisation_panels, sender=Organisation, dispatch_uid="cooperation-outreach-panel")
def contact_log_panel(sender, *, organisation: Organisation, network, can_manage: bool, **kwargs: Any) -> list[OrganisationPanel]:
    entries = list(ContactLogEntry.objects.for_network(network).filter(organisation=organisation).select_related("contact", "office_user")[: PANEL_ENTRIES + 1])
    prospect = Prospect.objects.filter(network=network, membership__organisation=organisation).first()
    context = {"entries": entries[:PANEL_ENTRIES], "more": len(entries) > PANEL_ENTRIES, "can_manage": can_manage, "prospect": prospect}
    return [OrganisationPanel(template="cooperation/outreach/_organisation_panel.html", context=context, order=50)]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@receiver(export_sections, sender=Organisation, dispatch_uid="cooperation-outreach-export")
def export_contact_log(sender, *, organisation: Organisation, **kwargs: Any) -> dict[str, Any]:
    entries = ContactLogEntry.objects.filter(organisation=organisation).select_related("network", "contact").order_by("happened_on", "pk")
    return {
        "contact_log": [
            {
                "network": entry.network.name,
                "kind": entry.kind,
                "kind_label": entry.get_kind_display(),
                "happened_on": _iso(entry.happened_on),
                "person": entry.contact.full_name if entry.contact else None,
                "summary": entry.summary,
                "next_step": entry.next_step,
                "next_step_due": _iso(entry.next_step_due),
                "next_step_done_at": _iso(entry.next_step_done_at),
            }
            for entry in entries
        ]
    }


@receiver(person_erasing, sender=Contact, dispatch_uid="cooperation-outreach-erase")
def erase_from_contact_log(sender, *, contact: Contact, old_texts: set[str], **kwargs: Any) -> None:
    """Inside the erasure transaction, before the contact is anonymised: her name, parts of it, her addresses and her
    phone number leave the texts of her organisation's log (the entries stay, linked to the anonymised contact)."""
    needles = {*old_texts, contact.full_name, contact.first_name, contact.last_name, contact.email, contact.phone}
    needles = {text for text in needles if text and len(text) >= 3 and text != ERASED_NAME}
    if not needles:
        return
    pattern = re.compile("|".join(re.escape(text) for text in sorted(needles, key=len, reverse=True)), re.IGNORECASE)
    changed: list[int] = []
    for entry in ContactLogEntry.objects.filter(organisation_id=contact.organisation_id).only("pk", "summary", "next_step", "contact_id"):
        summary, next_step = pattern.sub(ERASED_NAME, entry.summary), pattern.sub(ERASED_NAME, entry.next_step)
        if summary != entry.summary or next_step != entry.next_step or entry.contact_id == contact.pk:
            ContactLogEntry.objects.filter(pk=entry.pk).update(summary=summary, next_step=next_step[:300])
            changed.append(entry.pk)
    # The history rows held the old texts (and the name through the link): they go, as members does for its own rows.
    ContactLogEntry.history.filter(id__in=changed).delete()
