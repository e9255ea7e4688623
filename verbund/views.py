import sys
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from verbund import flash
from verbund.access import AuthenticatedRequest, NetworkRequest, network_required
from verbund.forms import FundingSourceForm, LogoForm, NetworkImprintForm, NetworkProfileForm, StyleguideForm
from verbund.models import LegalPage, Network, NetworkImprint
from verbund.services import (
    financing_mix,
    funding_source_create,
    funding_source_delete,
    network_imprint_update,
    network_logo_add,
    network_logo_delete,
    network_update,
)
from verbund.templatetags.ui import TONES


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Send each user to their own start page."""
    if request.user.manager_roles.exists():
        return redirect("manage:index")
    if getattr(request.user, "contact", None) is not None:
        return redirect("members:portal_home")
    return render(request, "verbund/no_role.html")


@network_required()
def network_profile(request: NetworkRequest) -> HttpResponse:
    """The network's profile, governance and financing; managers edit it here (observers read)."""
    network = request.network
    can_manage = request.manager_role.role_enum.can_manage
    form = NetworkProfileForm(request.POST or None, instance=network, user=request.user)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                network_update(network=_fresh(request), by=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Profil gespeichert."))
                return redirect("verbund:network_profile", network_slug=network.slug)
    year = timezone.localdate().year
    years = sorted(set(network.funding_sources.values_list("year", flat=True)) | {year}, reverse=True)
    return render(
        request,
        "verbund/network_profile.html",
        {
            "network": network,
            "form": form,
            "can_manage": can_manage,
            # Its own ids: the profile form above has fields of the same names (kind, name).
            "funding_form": FundingSourceForm(initial={"year": year}, auto_id=FUNDING_IDS),
            "mixes": [financing_mix(network, y) for y in years],
            "governance": network.governance_positions.select_related("contact__organisation").order_by("function"),
            "managers": network.manager_roles.select_related("user").order_by("user__last_name"),
        },
    )


FUNDING_IDS = "funding_%s"  # the funding form's ids on the profile page (its field names stay as they are)
LOGO_IDS = "logo_%s"  # the logo form's ids on the documentation page (the imprint form has a "name" too)


def _fresh(request: NetworkRequest) -> Network:
    """The network as stored (a bound ModelForm has already changed request.network)."""
    return get_object_or_404(Network.objects.managed_by(request.user), pk=request.network.pk)


@require_POST
@network_required(can_manage=True)
def funding_source_add(request: NetworkRequest) -> HttpResponse:
    form = FundingSourceForm(request.POST, request.FILES, auto_id=FUNDING_IDS)
    if form.is_valid():
        funding_source_create(network=request.network, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Finanzierungsquelle hinzugefügt."))
    else:
        flash.form_errors(request, form)
    return redirect("verbund:network_profile", network_slug=request.network.slug)


@require_POST
@network_required(can_manage=True)
def funding_source_remove(request: NetworkRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(request.network.funding_sources, pk=pk)
    funding_source_delete(source=source, by=request.user)
    messages.success(request, _("Finanzierungsquelle entfernt."))
    return redirect("verbund:network_profile", network_slug=request.network.slug)


def _documentation_page(request: NetworkRequest, form: NetworkImprintForm, logo_form: LogoForm, status: int = 200) -> HttpResponse:
    network = request.network
    return render(
        request,
        "verbund/network_documentation.html",
        {
            "network": network,
            "form": form,
            "logo_form": logo_form,
            "logos": network.logos.all(),
            "can_manage": request.manager_role.role_enum.can_manage,
            "logo_remove_url": "verbund:network_logo_remove",
        },
        status=status,
    )


@network_required()
def network_documentation(request: NetworkRequest) -> HttpResponse:
    """The network's defaults for its meeting documentations: imprint, funding line, logos (managers edit, observers read)."""
    imprint = NetworkImprint.objects.filter(network=request.network).first() or NetworkImprint(network=request.network)
    form = NetworkImprintForm(request.POST or None, instance=imprint)
    if request.method == "POST":
        if not request.manager_role.role_enum.can_manage:
            raise PermissionDenied
        if not form.is_valid():
            return _documentation_page(request, form, LogoForm(auto_id=LOGO_IDS), status=400)
        network_imprint_update(network=request.network, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Angaben für die Dokumentationen gespeichert."))
        return redirect("verbund:network_documentation", network_slug=request.network.slug)
    return _documentation_page(request, form, LogoForm(auto_id=LOGO_IDS))


@require_POST
@network_required(can_manage=True)
def network_logo_upload(request: NetworkRequest) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES, auto_id=LOGO_IDS)
    if form.is_valid():
        data = dict(form.cleaned_data)
        image = data.pop("logo_upload")
        try:
            network_logo_add(network=request.network, by=request.user, data=data, image=image)
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        imprint = NetworkImprint.objects.filter(network=request.network).first() or NetworkImprint(network=request.network)
        return _documentation_page(request, NetworkImprintForm(instance=imprint), form, status=400)
    messages.success(request, _("Logo hinzugefügt."))
    return redirect("verbund:network_documentation", network_slug=request.network.slug)


@require_POST
@network_required(can_manage=True)
def network_logo_remove(request: NetworkRequest, pk: int) -> HttpResponse:
    logo = get_object_or_404(request.network.logos, pk=pk)
    network_logo_delete(logo=logo, by=request.user)
    messages.success(request, _("Logo entfernt."))
    return redirect("verbund:network_documentation", network_slug=request.network.slug)


@require_GET
def legal_page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in LegalPage.Slug.values:
        raise Http404
    page = LegalPage.objects.filter(slug=slug).first()
    return render(
        request,
        "verbund/legal_page.html",
        {
            "page": page,
            "slug": slug,
            "title": LegalPage.Slug(slug).label,
            "operator_name": settings.OPERATOR_NAME,
            "operator_address": settings.OPERATOR_ADDRESS,
            "operator_email": settings.OPERATOR_EMAIL,
        },
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: when the database is away (restart, failover, connection limit) a friendly 503 that asks to retry.

    Django calls this inside the `except` that caught the view's exception, so `sys.exc_info()` names it. Neither page
    touches the database or the session: both are rendered without context processors.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):  # the connection, not our SQL (that stays a 500)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and compose health checks: 200 when the database answers.

    Its query is itself the connection's health check, so Django's own check before it (`CONN_HEALTH_CHECKS`, a
    second round trip on every call) is skipped; a persistent connection that died since the last request is
    dropped and the query tried once more on a fresh one, as Django's check would have done.
    """
    for attempt in (1, 2):
        try:
            connection.health_check_done = True  # type: ignore[attr-defined]  # set by BaseDatabaseWrapper.__init__, not in the stubs
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # noqa: BLE001 – any failure of the database is "not healthy", never a 500
            connection.close()
            if attempt == 2:
                return JsonResponse({"status": "error", "database": False}, status=503)
        else:
            break
    return JsonResponse({"status": "ok", "database": True})


@staff_member_required
@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    """The design system for staff: tokens and every component, rendered from the real partials and tags."""
    form = StyleguideForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    steps = [
        {"label": _("Empfänger"), "url": "#stepper", "state": "done"},
        {"label": _("Inhalt"), "url": "#stepper", "state": "current"},
        {"label": _("Vorschau"), "url": "#stepper", "state": "todo"},
        {"label": _("Versand"), "url": "", "state": "todo"},
    ]
    context = {
        "form": form,
        "steps": steps,
        "tones": sorted(set(TONES.values())),
        "statuses": sorted(TONES.items()),
        "sample_moment": timezone.now(),
        "sample_numbers": [50000, Decimal("1234.5"), 42],
        "tokens": ["bg", "surface", "surface-2", "text", "muted", "border", "primary", "primary-soft", "success", "warning", "danger", "info"],
    }
    return render(request, "verbund/styleguide.html", context)
