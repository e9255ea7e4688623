from django.test import Client
from django.urls import reverse


def test_404_is_a_german_page_in_the_portal_look(client, db):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert 'href="/legal/impressum/"' in response.text


def test_403_explains_the_missing_role(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("manage:index"))
    assert response.status_code == 403
    assert "Diese Funktion steht Ihrer Rolle nicht zur Verfügung." in response.text


def test_expired_form_gets_a_clear_csrf_message(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Sitzung abgelaufen" in response.text


def test_error_pages_are_english_when_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/gibt-es-nicht/")
    assert "Page not found" in response.text
