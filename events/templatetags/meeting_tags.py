"""Markup of a meeting's lists that repeats once per person, written in Python: on a list of 300 people a template
include per row costs more than the rest of the row together."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from events.models import Registration
from verbund.formatting import format_date

register = template.Library()


@register.simple_tag
def consent_line(registration: Registration) -> SafeString:
    """A registration's consent in one line: list, photos, and, once recorded, the source, the date and who took it."""
    line = format_html(
        '<span class="consent">{} · {}',
        _("Liste: ja") if registration.consent_participant_list else _("Liste: nein"),
        _("Fotos: ja") if registration.consent_photos else _("Fotos: nein"),
    )
    if registration.consent_recorded_at:
        source = f"{registration.get_consent_source_display()}, " if registration.consent_source else ""
        by = f" ({registration.consent_recorded_by})" if registration.consent_recorded_by_id else ""
        line += format_html('<br><span class="meta">{}{}{}</span>', source, format_date(registration.consent_recorded_at, "date_short"), by)
    return line + SafeString("</span>")
