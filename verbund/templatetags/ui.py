"""Components of the design system that need a little logic: status badges and the navigation's current section.

Loaded as a template builtin. The markup of bigger components lives in templates/ui/ (empty state, breadcrumbs).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()

# One tone per status value across the apps: the colour and the words both carry the state (WCAG 1.4.1).
TONES: dict[str, str] = {
    # good / done
    "active": "success",
    "attended": "success",
    "held": "success",
    "done": "success",
    "sent": "success",
    "confirmed": "success",
    "completed": "success",
    "enrolled": "success",
    "registered": "success",
    "claimed": "success",
    # under way / announced
    "invited": "info",
    "planned": "info",
    "scheduled": "info",
    "sending": "info",
    "rendering": "info",
    "proposed": "info",
    "prospect": "info",
    # waiting / needs a look
    "paused": "warning",
    "waitlisted": "warning",
    "pending": "warning",
    "retry": "warning",
    "parked": "warning",
    "draft": "neutral",
    # ended / failed
    "cancelled": "danger",
    "failed": "danger",
    "no_show": "danger",
    "left": "neutral",
    "dropped": "neutral",
    "unsubscribed": "neutral",
}


def tone_of(value: object) -> str:
    return TONES.get(str(getattr(value, "value", value)), "neutral")


@register.simple_tag
def badge(value, label=None, tone=None):
    """``{% badge membership.status membership.get_status_display %}`` → a pill in the status's tone."""
    text = label if label not in (None, "") else getattr(value, "label", value)
    return format_html('<span class="badge badge-{}">{}</span>', tone or tone_of(value), text)


# The network sidebar's sections: which section a view belongs to (namespace first, then single view names).
SECTIONS_BY_NAMESPACE = {
    "directory": "members",
    "lifecycle": "members",
    "io": "io",
    "duplicates": "duplicates",
    "events": "meetings",
    "newsletters": "newsletters",
    "qualification": "qualification",
    "health": "health",
    "health_surveys": "health",
    "health_reports": "health",
    "health_annual": "health",
    "needs": "needs",
    "outreach": "outreach",
    "projects": "projects",
    "questions": "questions",
}
SECTIONS_BY_VIEW = {
    "manage:network_home": "home",
    "verbund:network_profile": "profile",
    "verbund:network_documentation": "profile",
    "directory:trash": "trash",
    "directory:governance": "profile",
    "lifecycle:retention": "profile",
    "members:portal_home": "company",
    "members:portal_profile_edit": "company",
    "members:portal_contact_create": "company",
    "members:portal_contact_edit": "company",
    "members:portal_contact_remove": "company",
    "members:portal_consents": "consents",
    "privacy:overview": "privacy",
    "members:portal_network": "network",
    "members:portal_member_directory": "network",
}
SECTIONS_BY_PORTAL_NAMESPACE = {
    "portal_events": "meetings",
    "qualification_portal": "qualification",
    "reports_portal": "reports",
    "portal_needs": "needs",
    "portal_questions": "questions",
    # No entry of their own (most companies take part in no project): reached from the company page, which stays marked.
    "portal_projects": "company",
}


@register.simple_tag(takes_context=True)
def nav_section(context) -> str:
    """The sidebar entry to mark as current, so that every page of an area keeps its area marked."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.view_name in SECTIONS_BY_VIEW:
        return SECTIONS_BY_VIEW[match.view_name]
    return SECTIONS_BY_NAMESPACE.get(match.namespace) or SECTIONS_BY_PORTAL_NAMESPACE.get(match.namespace, "")


SECTION_INDEX = {
    "members": ("directory:directory", _("Mitglieder")),
    "meetings": ("events:meeting_list", _("Treffen")),
    "newsletters": ("newsletters:index", _("Infobrief")),
    "qualification": ("qualification:home", _("Qualifizierung")),
    "health": ("health:index", _("Kennzahlen")),
    "needs": ("needs:list", _("Bedarfe und Angebote")),
    "outreach": ("outreach:log", _("Kontakte und Akquise")),
    "projects": ("projects:index", _("Projekte")),
    "questions": ("questions:inbox", _("Fachfragen")),
    "profile": ("verbund:network_profile", _("Profil")),
    "io": ("io:index", _("Import/Export")),
    "duplicates": ("duplicates:index", _("Dubletten")),
    "trash": ("directory:trash", _("Papierkorb")),
}


@register.simple_tag(takes_context=True)
def network_crumbs(context) -> list[tuple[str, str]]:
    """The parents of a network page: the network, then its section's first page (each left out on that page)."""
    request = context.get("request")
    network = context.get("network")
    match = getattr(request, "resolver_match", None)
    if match is None or network is None or not getattr(network, "slug", None):
        return []
    if not request.path.startswith(reverse("manage:index")):  # portal pages name a network too: no office links there
        return []
    crumbs = []
    if match.view_name != "manage:network_home":
        crumbs.append((str(network.name), reverse("manage:network_home", args=[network.slug])))
    section = nav_section(context)
    if section in SECTION_INDEX and match.view_name != SECTION_INDEX[section][0]:
        name, label = SECTION_INDEX[section]
        crumbs.append((str(label), reverse(name, args=[network.slug])))
    return crumbs


NOT_FILTERS = frozenset({"page", "sort", "order", "per_page"})


@register.simple_tag
def filter_count(form) -> int:
    """How many of a filter form's fields are set: the phone's folded filters say "Filter (2)"."""
    if form is None or not getattr(form, "is_bound", False):
        return 0
    data = form.data
    count = 0
    for name in form.fields:
        if name in NOT_FILTERS:
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        if any(value not in ("", None) for value in values):
            count += 1
    return count
