"""DSGVO self-service (Art. 15/20): a member user sees and downloads what the portal holds about their organisation.

There is no object id in these URLs: the organisation is always the user's own
(`request.contact.organisation`, set by `member_required`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from members.access import MemberRequest
from members.models import Organisation
from members.privacy import organisation_data_export, readable_sections
from verbund.access import member_required
from verbund.pdf import render_pdf

# Keys whose ISO strings the readable versions show as dates.
_DATE_KEYS = {"since", "until", "date_joined", "last_login"}


def _readable(value: Any, key: str = "") -> Any:
    """The export with its ISO date strings turned back into dates, for the `date` filter of the templates."""
    if isinstance(value, dict):
        return {k: _readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    if isinstance(value, str) and (key in _DATE_KEYS or key.endswith(("_at", "_on"))):
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _filename(organisation: Organisation, extension: str) -> str:
    return f"datenauskunft-{slugify(organisation.name) or 'organisation'}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _organisation(request: MemberRequest) -> Organisation:
    return request.contact.organisation


@never_cache
@member_required
def privacy_overview(request: MemberRequest) -> HttpResponse:
    """What the portal stores about the member's organisation and its people, with the three downloads."""
    organisation = _organisation(request)
    return render(
        request,
        "members/privacy/overview.html",
        {"organisation": organisation, "operator_email": settings.OPERATOR_EMAIL},
    )


@never_cache
@member_required
def export_json(request: MemberRequest) -> HttpResponse:
    """The complete export as a JSON file (machine-readable, Art. 20)."""
    organisation = _organisation(request)
    data = organisation_data_export(organisation=organisation, requested_by=request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename(organisation, "json"))
    return response


@never_cache
@member_required
def export_html(request: MemberRequest) -> HttpResponse:
    """The complete export as a readable page (printable)."""
    organisation = _organisation(request)
    raw = organisation_data_export(organisation=organisation, requested_by=request.user)
    return render(request, "members/privacy/export.html", {"organisation": organisation, "data": _readable(raw), "more": readable_sections(raw)})


@never_cache
@member_required
def export_pdf(request: MemberRequest) -> HttpResponse:
    """The complete export as a PDF file, rendered through the one safe WeasyPrint call site."""
    organisation = _organisation(request)
    raw = organisation_data_export(organisation=organisation, requested_by=request.user)
    html = render_to_string("members/privacy/export_pdf.html", {"organisation": organisation, "data": _readable(raw), "more": readable_sections(raw)})
    response = HttpResponse(render_pdf(html=html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, _filename(organisation, "pdf"))
    return response
