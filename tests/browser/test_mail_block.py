"""In Chromium: a hard bounce shows on the contact page with reason and date; the manager lifts it by keyboard; axe-clean."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from members.models import Contact
from newsletters.bounces import bounce_process
from newsletters.models import Delivery, Suppression
from tests.browser.test_start_pages import assert_accessible, log_in
from tests.newsletters import factories
from tests.newsletters.test_bounces import sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bounced_address_is_shown_and_lifted_on_the_contact_page(page, world):
    contact = factories.recipients(world.network_x, 1, prefix="gerd")[0]
    delivery = Delivery.objects.create(
        infobrief=factories.infobrief(world.network_x), email=contact.email, contact=contact, status=Delivery.Status.SENT, attempts=1
    )
    bounce_process(raw=sample("gmail_550_511.eml", delivery))
    log_in(page, "manager_x@example.org")
    page.goto(reverse("directory:contact_edit", args=["netz-x", contact.pk]))
    expect(page.get_by_text("E-Mail-Adresse unzustellbar")).to_be_visible()
    assert_accessible(page)
    lift = page.get_by_role("button", name="Sperre aufheben")
    lift.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sperre aufheben")).to_have_count(0)
    assert_accessible(page)
    assert not Suppression.objects.filter(network=world.network_x, email=contact.email).exists()
    assert Contact.objects.get(pk=contact.pk).email_undeliverable_at is None
