"""The links every Infobrief carries: unsubscribe (page, form and RFC 8058 one-click), the logo, read in the browser.

Unsubscribe: a GET shows a page and changes nothing (mail scanners follow
links); a POST from the page, or the one-click POST a mail client sends
(`List-Unsubscribe=One-Click`, no cookies, no CSRF token), unsubscribes at once.
The signed token names network and address; a forged one is a 404.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from newsletters import services
from newsletters.models import Infobrief
from verbund.markdown import render_markdown
from verbund.models import Network


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


def logo(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The network's Infobrief logo (re-encoded at upload); public, it is in every mail."""
    template = services.newsletter_settings(_network(network_slug))
    if not template.logo:
        raise Http404
    extension = template.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(template.logo.open("rb"), content_type="image/png" if extension == "png" else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def archive_issue(request: HttpRequest, network_slug: str, pk: int) -> HttpResponse:
    """A sent Infobrief as a web page: for the network's members and managers, for everyone when the archive is public."""
    network = _network(network_slug)
    infobrief = get_object_or_404(Infobrief.objects.for_network(network).filter(status=Infobrief.Status.SENT), pk=pk)
    template = services.newsletter_settings(network)
    if not template.public_archive and not Network.objects.visible_to(request.user).filter(pk=network.pk).exists():
        raise Http404
    return render(
        request, "newsletters/archive_issue.html",
        {"network": network, "infobrief": infobrief, "template": template, "sections": services.sections(infobrief),
         "intro_html": render_markdown(infobrief.intro)},
    )
