"""The links every Infobrief carries: unsubscribe (page, form and RFC 8058 one-click), the logo, read in the browser.

Unsubscribe: a GET shows a page and changes nothing (mail scanners follow
links); a POST from the page, or the one-click POST a mail client sends
(`List-Unsubscribe=One-Click`, no cookies, no CSRF token), unsubscribes at once.
The signed token names network and address; a forged one is a 404.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from newsletters import services
from newsletters.documents import pdf_request
from newsletters.forms.public import SubscribeForm
from newsletters.models import Entry, Infobrief
from newsletters.subscriptions import confirm as confirm_service
from newsletters.subscriptions import subscribe as subscribe_service
from newsletters.subscriptions import subscriber_from_token
from verbund.mail import refusal_message, refusals_noted
from verbund.markdown import render_markdown
from verbund.models import ManagerRole, Network
from verbund.ratelimit import allow, client_ip


def _network(network_slug: str) -> Network:
    return get_object_or_404(Network.objects.all(), slug=network_slug)


@never_cache
@csrf_exempt  # the one-click POST comes without cookies; the signed token is the authority
def unsubscribe(request: HttpRequest, network_slug: str, token: str) -> HttpResponse:
    network = _network(network_slug)
    email = services.read_unsubscribe_token(network, token)
    if email is None:
        raise Http404
    context = {"network": network, "email": email, "done": False}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.unsubscribe(network=network, email=email, source="one-click" if one_click else "link")
        if one_click:
            return HttpResponse("unsubscribed", content_type="text/plain; charset=utf-8")
        context["done"] = True
    return render(request, "newsletters/unsubscribe.html", context)


def logo(request: HttpRequest, network_slug: str) -> FileResponse:
    """The network's Infobrief logo (re-encoded at upload); public, it is in every mail."""
    template = services.newsletter_settings(_network(network_slug))
    if not template.logo.name:
        raise Http404
    extension = template.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(template.logo.open("rb"), content_type="image/png" if extension == "png" else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def entry_image(request: HttpRequest, network_slug: str, key: str) -> FileResponse:
    """An entry's image (re-encoded at upload), by its unguessable key.

    Public once the entry went out in an Infobrief, like the mail itself; before that only for the network's
    logged-in managers (the compose preview). Drafts, unknown keys and another network's key are all a 404.
    """
    network = _network(network_slug)
    entry = get_object_or_404(Entry.objects.for_network(network).exclude(image=""), image_key=key)
    published = entry.is_published
    if not published and not (request.user.is_authenticated and ManagerRole.objects.filter(user=request.user, network=network).exists()):
        raise Http404
    assert entry.image.name is not None  # a stored row's file name is a string
    extension = entry.image.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(entry.image.open("rb"), content_type="image/png" if extension == "png" else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400" if published else "private, no-store"
    return response


def archive_issue(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    """A sent Infobrief as a web page: for the network's members and managers, for everyone when the archive is public."""
    network = _network(network_slug)
    infobrief = get_object_or_404(Infobrief.objects.for_network(network).filter(status=Infobrief.Status.SENT), pk=pk)
    template = services.newsletter_settings(network)
    if not _may_read_archive(request, network):
        raise Http404
    return render(
        request,
        "newsletters/archive_issue.html",
        {
            "network": network,
            "infobrief": infobrief,
            "template": template,
            "sections": services.sections(infobrief),
            "intro_html": render_markdown(infobrief.intro),
        },
    )


# --- subscription (double opt-in) ------------------------------------------------------------

SUBSCRIBE_PER_IP = (5, 600)
SUBSCRIBE_PER_EMAIL = (3, 3600)


@never_cache
def subscribe(request: HttpRequest, network_slug: str) -> HttpResponse:

    network = get_object_or_404(Network.objects.active(), slug=network_slug)
    template = services.newsletter_settings(network)
    if not template.allow_subscriptions:
        raise Http404
    form = SubscribeForm(request.POST or None)
    context = {"network": network, "template": template, "form": form}
    if request.method != "POST":
        return render(request, "newsletters/subscribe.html", context)
    if not form.is_valid():
        return render(request, "newsletters/subscribe.html", context, status=400)
    if form.cleaned_data.get("hp_url"):  # the bot sees the same page; nothing is stored or sent
        return render(request, "newsletters/subscribe_check_mail.html", context)
    data = form.cleaned_data
    ip = client_ip(request)
    if not allow("infobrief-subscribe-ip", ip, limit=SUBSCRIBE_PER_IP[0], window=SUBSCRIBE_PER_IP[1]) or not allow(
        "infobrief-subscribe-email", data["email"].lower(), limit=SUBSCRIBE_PER_EMAIL[0], window=SUBSCRIBE_PER_EMAIL[1]
    ):
        form.add_error(None, _("Zu viele Anmeldungen in kurzer Zeit. Bitte versuchen Sie es später noch einmal."))
        return render(request, "newsletters/subscribe.html", context, status=429)
    with refusals_noted() as refused:
        subscribe_service(network=network, email=data["email"], name=data["name"], organisation=data["organisation"], ip=ip)
    if refused:  # without a worker the server's 550 is known now; the person can correct the address
        form.add_error("email", refusal_message(refused))
        return render(request, "newsletters/subscribe.html", context)
    # The same answer whether the address was new, pending or already confirmed: the page reveals nothing.
    return render(request, "newsletters/subscribe_check_mail.html", context)


@never_cache
def confirm(request: HttpRequest, network_slug: str, token: str) -> HttpResponse:
    """The link from the confirmation mail: a GET asks (mail scanners follow links), a POST confirms."""

    network = _network(network_slug)
    subscriber = subscriber_from_token(network, token)
    if subscriber is None:
        raise Http404
    if request.method == "POST" and subscriber.status == subscriber.Status.PENDING:
        subscriber = confirm_service(subscriber=subscriber, ip=client_ip(request))
    return render(request, "newsletters/subscribe_confirm.html", {"network": network, "subscriber": subscriber})


# --- archive -------------------------------------------------------------------------------------


def _may_read_archive(request: HttpRequest, network: Network) -> bool:
    return services.newsletter_settings(network).public_archive or Network.objects.visible_to(request.user).filter(pk=network.pk).exists()


def archive(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = _network(network_slug)
    if not _may_read_archive(request, network):
        raise Http404
    issues = Infobrief.objects.for_network(network).filter(status=Infobrief.Status.SENT).order_by("-sent_at")
    return render(request, "newsletters/archive.html", {"network": network, "issues": issues, "template": services.newsletter_settings(network)})


def archive_pdf(request: HttpRequest, network_slug: str, pk: int) -> HttpResponseBase:
    """The PDF of a sent issue, rendered by Celery once; while it is on its way, a page says so."""

    network = _network(network_slug)
    infobrief = get_object_or_404(Infobrief.objects.for_network(network).filter(status=Infobrief.Status.SENT), pk=pk)
    if not _may_read_archive(request, network):
        raise Http404
    if infobrief.pdf:
        response = FileResponse(
            infobrief.pdf.open("rb"), as_attachment=True, filename=f"infobrief-{infobrief.sent_at:%Y-%m-%d}.pdf", content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
    pdf_request(infobrief=infobrief)
    return render(request, "newsletters/archive_pdf_pending.html", {"network": network, "infobrief": infobrief}, status=202)
