"""The PDF of a sent Infobrief for the archive, rendered once by Celery through verbund/pdf.py (PDF/UA-1)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from newsletters import services
from newsletters.models import Infobrief
from verbund.background import task_send
from verbund.markdown import render_markdown
from verbund.pdf import render_pdf

logger = logging.getLogger(__name__)


def pdf_request(*, infobrief: Infobrief) -> None:
    """Order the PDF unless it exists or was ordered in the last minutes (a refresh does not enqueue twice)."""
    if infobrief.pdf or not cache.add(f"infobrief-pdf-ordered:{infobrief.pk}", 1, timeout=300):
        return
    if not task_send("newsletters.tasks.render_infobrief_pdf_task", infobrief.pk, broker_down="later"):
        cache.delete(f"infobrief-pdf-ordered:{infobrief.pk}")  # the next visit orders again


def pdf_render(*, infobrief_id: int) -> bool:
    infobrief = Infobrief.objects.select_related("network").filter(pk=infobrief_id, status=Infobrief.Status.SENT).first()
    if infobrief is None or infobrief.pdf:
        return False
    with translation.override("de"):
        html = render_to_string(
            "newsletters/pdf.html",
            {
                "infobrief": infobrief,
                "network": infobrief.network,
                "template": services.newsletter_settings(infobrief.network),
                "sections": services.sections(infobrief),
                "intro_html": render_markdown(infobrief.intro),
            },
        )
        pdf = render_pdf(html=html, pdf_variant="pdf/ua-1")
    infobrief.pdf.save(f"infobrief-{infobrief.pk}.pdf", ContentFile(pdf), save=False)
    Infobrief.objects.filter(pk=infobrief.pk, pdf="").update(pdf=infobrief.pdf.name)
    return True
