"""The stable navigation: one sidebar per network (and one for the member portal) that keeps its area marked on
every page of the area, breadcrumbs to the parents, and the staff's style page built from the real partials."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Nav(HTMLParser):
    """Collects the links of the sidebar (aside.sidebar) and of the breadcrumbs, and which link is current."""

    def __init__(self) -> None:
        super().__init__()
        self.where: list[str] = []
        self.current: list[str] = []
        self.crumbs: list[str] = []
        self.sidebar_links: list[str] = []
        self._link: tuple[str, bool] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "aside" and "sidebar" in (attrs.get("class") or ""):
            self.where.append("sidebar")
        elif tag == "nav" and "breadcrumbs" in (attrs.get("class") or ""):
            self.where.append("crumbs")
        elif tag in ("aside", "nav"):
            self.where.append("")
        elif tag == "a" and self.where and self.where[-1] in ("sidebar", "crumbs") or tag == "a" and "sidebar" in self.where:
            self._link = ("crumbs" if "crumbs" in self.where else "sidebar", "aria-current" in attrs)
            self._text = ""

    def handle_endtag(self, tag):
        if tag in ("aside", "nav") and self.where:
            self.where.pop()
        elif tag == "a" and self._link:
            kind, current = self._link
            text = " ".join(self._text.split())
            if kind == "crumbs":
                self.crumbs.append(text)
            else:
                self.sidebar_links.append(text)
                if current:
                    self.current.append(text)
            self._link = None

    def handle_data(self, data):
        if self._link:
            self._text += data


def nav_of(response) -> Nav:
    assert response.status_code == 200, response.status_code
    parser = Nav()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize(
    ("url_name", "kwargs", "section", "crumbs"),
    [
        ("manage:network_home", {}, "Übersicht", []),
        ("directory:directory", {}, "Mitglieder", ["Netzwerk X"]),
        ("directory:organisation_create", {}, "Mitglieder", ["Netzwerk X", "Mitglieder"]),
        ("events:meeting_list", {}, "Treffen", ["Netzwerk X"]),
        ("events:meeting_create", {}, "Treffen", ["Netzwerk X", "Treffen"]),
        ("events:calendar", {}, "Treffen", ["Netzwerk X", "Treffen"]),
        ("newsletters:index", {}, "Infobrief", ["Netzwerk X"]),
        ("newsletters:settings", {}, "Infobrief", ["Netzwerk X", "Infobrief"]),
        ("qualification:matrix", {}, "Qualifizierung", ["Netzwerk X", "Qualifizierung"]),
        ("verbund:network_profile", {}, "Profil", ["Netzwerk X"]),
        ("verbund:network_documentation", {}, "Profil", ["Netzwerk X", "Profil"]),
        ("io:index", {}, "Import/Export", ["Netzwerk X"]),
        ("duplicates:index", {}, "Dubletten", ["Netzwerk X"]),
        ("directory:trash", {}, "Papierkorb", ["Netzwerk X"]),
        ("lifecycle:retention", {}, "Profil", ["Netzwerk X", "Profil"]),
        ("health:index", {}, "Kennzahlen", ["Netzwerk X"]),
        ("health:cluster", {}, "Kennzahlen", ["Netzwerk X", "Kennzahlen"]),
        ("health_surveys:index", {}, "Kennzahlen", ["Netzwerk X", "Kennzahlen"]),
        ("health_reports:index", {}, "Kennzahlen", ["Netzwerk X", "Kennzahlen"]),
        ("health_annual:index", {}, "Kennzahlen", ["Netzwerk X", "Kennzahlen"]),
    ],
)
def test_every_page_of_an_area_keeps_its_area_marked(client, world, url_name, kwargs, section, crumbs):
    client.force_login(world.users["manager_x"])
    nav = nav_of(client.get(reverse(url_name, kwargs={"network_slug": "netz-x", **kwargs})))
    assert nav.current == [section]
    assert nav.crumbs == crumbs
    assert nav.sidebar_links[:5] == ["Übersicht", "Mitglieder", "Treffen", "Infobrief", "Qualifizierung"]
    # Cooperation (issue 19) follows the content areas, before the figures.
    assert nav.sidebar_links[5:10] == ["Bedarfe und Angebote", "Fachfragen", "Projekte", "Kontakte und Akquise", "Kennzahlen"]


def test_an_organisation_page_and_its_history_tab_mark_members(client, world):
    client.force_login(world.users["manager_x"])
    url = reverse("directory:organisation", kwargs={"network_slug": "netz-x", "pk": world.org_a.pk})
    for query in ("", "?tab=history"):
        nav = nav_of(client.get(url + query))
        assert nav.current == ["Mitglieder"], query
        assert nav.crumbs == ["Netzwerk X", "Mitglieder"], query


@pytest.mark.parametrize(
    ("url_name", "section", "kwargs"),
    [
        ("members:portal_home", "Unternehmen", {}),
        ("members:portal_profile_edit", "Unternehmen", {}),
        ("members:portal_consents", "Einwilligungen", {}),
        ("portal_events:meeting_list", "Treffen", {}),
        ("qualification_portal:home", "Qualifizierung", {}),
        ("qualification_portal:needs", "Qualifizierung", {"network_slug": "netz-x"}),
        ("privacy:overview", "Meine Daten", {}),
        ("reports_portal:index", "Berichte", {}),
        ("portal_projects:list", "Unternehmen", {}),  # no entry of its own: reached from the company page
    ],
)
def test_the_member_portal_has_its_own_stable_navigation(client, world, url_name, section, kwargs):
    client.force_login(world.users["member_a_x"])
    nav = nav_of(client.get(reverse(url_name, kwargs=kwargs or None)))
    assert nav.current == [section]
    assert nav.sidebar_links == ["Unternehmen", "Treffen", "Qualifizierung", "Bedarfe und Angebote", "Fachfragen", "Berichte", "Einwilligungen", "Meine Daten"]
    assert "Netzwerk X" not in nav.crumbs  # no crumbs into the office's pages (a member would meet a 404)


def test_the_style_page_shows_the_real_components_to_staff_only(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("styleguide") + "?email=kein-at-zeichen")
    assert response.status_code == 200
    text = response.text
    for tone in ("success", "warning", "danger", "info", "neutral"):
        assert f'class="badge badge-{tone}"' in text
    assert 'class="stepper"' in text and 'aria-current="step"' in text  # templates/ui/_stepper.html
    assert 'class="empty-state"' in text  # templates/ui/_empty.html
    assert 'class="field-error"' in text or "field field-error" in text  # _form_fields.html with a bound, invalid form
    assert "Bitte gültige E-Mail-Adresse eingeben." in text
    client.force_login(world.users["manager_x"])
    assert client.get(reverse("styleguide")).status_code == 302
