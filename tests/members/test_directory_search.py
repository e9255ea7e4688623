"""The directory's paging, its ranked and folded search on the stored columns, and the filters by import and date added."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.forms.organisations import DirectoryFilterForm
from members.models import EconomicActivity, Membership, Organisation
from members.selectors import DirectoryFilter, directory_memberships, directory_page, spellings
from members.services import organisation_create
from verbund.models import BackgroundJob


def directory_url(slug: str = "netz-x") -> str:
    return reverse("directory:directory", kwargs={"network_slug": slug})


def names(response) -> list[str]:
    return [m.organisation.name for m in response.context["page"]]


def link(response, rel: str) -> str:
    """The href of the pagination link with this rel, as the browser would follow it (entities decoded)."""
    match = re.search(rf'<a href="([^"]*)"[^>]*rel="{rel}"', response.text)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the municipality list is cached per network pk, and pks repeat between tests
    yield
    cache.clear()


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def add_org(world, manager, name: str, network=None, **data) -> Organisation:
    return organisation_create(network=network or world.network_x, by=manager, data={"name": name, **data}).organisation


def many(world, manager, count: int, prefix: str = "Firma") -> None:
    for i in range(count):
        add_org(world, manager, f"{prefix} {i:03d}", municipality="Emsdetten")


# --- paging ----------------------------------------------------------------------


def test_next_link_has_one_question_mark_and_shows_the_next_rows(client, world, manager):
    many(world, manager, 30)
    first = client.get(directory_url())
    href = link(first, "next")
    assert not href.startswith("??")
    assert href == "?page=2"
    second = client.get(directory_url() + href)
    assert second.context["page"].number == 2
    assert len(names(second)) == 7  # 32 organisations: 25 + 7
    assert set(names(first)).isdisjoint(names(second))
    assert link(second, "prev") == "?page=1"


def test_paging_links_keep_the_filter(client, world, manager):
    many(world, manager, 30)
    first = client.get(directory_url(), {"municipality": "Emsdetten", "sort": "-name"})
    href = link(first, "next")
    assert href.count("?") == 1
    assert "municipality=Emsdetten" in href and "sort=-name" in href and "page=2" in href
    second = client.get(directory_url() + href)
    assert names(second) == [f"Firma {i:03d}" for i in range(4, -1, -1)]  # Z–A, the 26th to 30th


def test_first_and_last_links_and_jump_to_a_page(client, world, manager):
    many(world, manager, 60)  # 62 organisations: three pages
    middle = client.get(directory_url(), {"q": "Firma", "page": 2})
    assert link(middle, "first") == "?q=Firma&page=1"
    assert link(middle, "last") == "?q=Firma&page=3"
    jump = re.search(r'<form method="get"[^>]*class="inline-form page-jump".*?</form>', middle.text, re.S)
    assert jump, "no jump form"
    assert '<input type="hidden" name="q" value="Firma">' in jump.group(0)
    assert 'name="page"' in jump.group(0) and 'max="3"' in jump.group(0)
    assert '<label for="id_page_jump">' in jump.group(0)
    last = client.get(directory_url(), {"q": "Firma", "page": 3})
    assert len(names(last)) == 10
    assert 'rel="next"' not in last.text and 'rel="last"' not in last.text


def test_a_page_past_the_end_shows_the_last_page(client, world, manager):
    many(world, manager, 30)
    response = client.get(directory_url(), {"page": 99})
    assert response.context["page"].number == 2
    assert len(names(response)) == 7
    assert client.get(directory_url(), {"page": "x"}).context["page"].number == 1


def test_count_and_page_come_from_one_scan_of_the_matches(world, manager):
    many(world, manager, 30)
    memberships = directory_memberships(world.network_x, DirectoryFilter(q="firma"))
    with CaptureQueriesContext(connection) as queries:
        page = directory_page(memberships, 2, 25)
        rows = [(m.organisation.name, m.size_class) for m in page]
    # The matches once (keys and COUNT(*) OVER ()), then the page's 25 rows by primary key; no separate COUNT.
    assert len(queries) == 2
    assert "OVER" in queries[0]["sql"] and "COUNT(" not in queries[1]["sql"].upper()
    assert page.paginator.count == 30 and page.paginator.num_pages == 2
    assert [name for name, _ in rows] == [f"Firma {i:03d}" for i in range(25, 30)]


# --- folded and ranked search ----------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Müller GmbH", "Mueller"),
        ("Mueller GmbH & Co. KG", "Müller"),
        ("Höß Metallbau", "Hoess"),
        ("Hoess Metallbau", "Höß"),
        ("Straßenbau Süd", "STRASSENBAU"),
        ("Müller GmbH", "Muller"),  # an umlaut typed without its dots
        ("Schröder & Söhne", "schroder"),
    ],
)
def test_search_is_folded(client, world, manager, stored, typed):
    add_org(world, manager, stored)
    add_org(world, manager, "Unbeteiligt KG")
    assert names(client.get(directory_url(), {"q": typed})) == [stored]


def test_short_words_are_not_widened():
    assert spellings("bau") == ["bau"]
    assert spellings("muller") == ["muller", "mueller"]
    assert spellings("mueller") == ["mueller"]
    assert len(spellings("automobil rotorblatt schornstein")) == 8  # at most three places widened


def test_search_finds_place_postcode_competencies_and_name_without_legal_form(client, world, manager):
    add_org(world, manager, "Windkraft Service GmbH & Co. KG", postcode="48369", municipality="Saerbeck", competencies="Rotorblattreparatur")
    for typed in ("Windkraft Service", "saerbeck", "48369", "rotorblatt", "windkraft service saerbeck"):
        assert names(client.get(directory_url(), {"q": typed})) == ["Windkraft Service GmbH & Co. KG"], typed
    assert names(client.get(directory_url(), {"q": "windkraft ibbenbueren"})) == []  # every word must match


def test_ranking_exact_then_prefix_then_word_prefix_then_other(client, world, manager):
    for name, competencies in [
        ("Zeta Werkzeuge", "Zulieferer für Schmidt"),
        ("Goldschmidt AG", ""),
        ("Metall Schmidt KG", ""),
        ("Schmidt Metall GmbH", ""),
        ("Schmidt", ""),
    ]:
        add_org(world, manager, name, competencies=competencies)
    assert names(client.get(directory_url(), {"q": "schmidt"})) == [
        "Schmidt",
        "Schmidt Metall GmbH",
        "Metall Schmidt KG",
        "Goldschmidt AG",
        "Zeta Werkzeuge",
    ]
    # A chosen sort wins over the ranking.
    assert names(client.get(directory_url(), {"q": "schmidt", "sort": "name"}))[0] == "Goldschmidt AG"


def test_the_exact_name_is_first_among_300_similar_names(client, world, manager):
    for i in range(300):
        add_org(world, manager, f"Müller {'Bau' if i % 2 else 'Metall'} {i:03d} GmbH")
    add_org(world, manager, "Aaron Müller GmbH")
    add_org(world, manager, "Müller GmbH")
    response = client.get(directory_url(), {"q": "Müller GmbH"})
    assert names(response)[0] == "Müller GmbH"
    assert response.context["page"].paginator.count == 302
    # Spelled out, the same.
    assert names(client.get(directory_url(), {"q": "mueller gmbh"}))[0] == "Müller GmbH"
    # A name prefix ranks before a name that only contains the word.
    prefix = client.get(directory_url(), {"q": "Müller"})
    assert "Aaron Müller GmbH" not in names(prefix)
    assert names(prefix)[0] == "Müller GmbH"  # the same name with its legal form, before every longer name


def test_search_combines_with_filters(client, world, manager):
    add_org(world, manager, "Müller Rheine GmbH", municipality="Rheine")
    add_org(world, manager, "Müller Steinfurt GmbH", municipality="Steinfurt")
    response = client.get(directory_url(), {"q": "mueller", "municipality": "Steinfurt"})
    assert names(response) == ["Müller Steinfurt GmbH"]
    paused = Membership.objects.get(organisation__name="Müller Rheine GmbH")
    Membership.objects.filter(pk=paused.pk).update(status=Membership.Status.PAUSED)
    assert names(client.get(directory_url(), {"q": "müller", "status": "paused"})) == ["Müller Rheine GmbH"]


def test_search_never_shows_another_networks_organisation(client, world, manager, manager_y):
    add_org(world, manager_y, "Müller Geheim GmbH", network=world.network_y)
    assert names(client.get(directory_url(), {"q": "Müller Geheim GmbH"})) == []
    assert names(client.get(directory_url(), {"q": "gamma"})) == []


# --- filters by import and date added --------------------------------------------


def import_job(world, network, user, title: str) -> BackgroundJob:
    return BackgroundJob.objects.create(network=network, user=user, kind=BackgroundJob.Kind.IMPORT, title=title, status=BackgroundJob.Status.DONE)


def test_filter_by_import_batch(client, world, manager, manager_y):
    job = import_job(world, world.network_x, manager, "mitglieder.xlsx")
    other = import_job(world, world.network_y, manager_y, "fremd.xlsx")
    imported = add_org(world, manager, "Importiert GmbH")
    Membership.objects.filter(organisation=imported).update(import_job=job)
    assert names(client.get(directory_url(), {"import": job.pk})) == ["Importiert GmbH"]
    page = client.get(directory_url())
    assert f'<option value="{job.pk}">mitglieder.xlsx' in page.text
    assert "fremd.xlsx" not in page.text
    # Another network's job is no choice here: the filter is dropped, not an error.
    response = client.get(directory_url(), {"import": other.pk})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_filter_by_date_added(client, world, manager):
    old = add_org(world, manager, "Alt GmbH")
    Membership.objects.filter(organisation=old).update(created_at=timezone.now() - timedelta(days=400))
    today = timezone.localdate()
    response = client.get(directory_url(), {"added_from": (today - timedelta(days=1)).isoformat()})
    assert sorted(names(response)) == ["Alpha GmbH", "Beta KG"]
    last_year = (today - timedelta(days=400)).isoformat()
    assert names(client.get(directory_url(), {"added_from": last_year, "added_to": last_year})) == ["Alt GmbH"]
    assert 'type="date"' in response.text and 'for="id_added_from"' in response.text


# --- the place dropdown ----------------------------------------------------------


def test_places_are_cached_and_a_new_place_can_be_filtered_at_once(client, world, manager, django_assert_num_queries):
    form = DirectoryFilterForm(network=world.network_x, user=manager)
    assert "Steinfurt" in str(form["municipality"])
    add_org(world, manager, "Neu GmbH", municipality="Greven")
    with CaptureQueriesContext(connection) as queries:
        rendered = str(DirectoryFilterForm(network=world.network_x, user=manager)["municipality"])
    assert "Greven" not in rendered  # the cached list, at most five minutes old
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]
    assert names(client.get(directory_url(), {"municipality": "Greven"})) == ["Neu GmbH"]
    assert len(names(client.get(directory_url(), {"municipality": "Ibbenbüren"}))) == 3  # Y's place: dropped


def test_htmx_results_never_ask_for_the_places(client, world, manager):
    with CaptureQueriesContext(connection) as queries:
        client.get(directory_url(), {"q": "alpha"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results")
    assert not [q for q in queries if "municipality" in q["sql"] and "DISTINCT" in q["sql"].upper()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity (pg_trgm) is PostgreSQL's")
def test_a_typo_finds_the_name_when_nothing_else_matches(client, world, manager):
    add_org(world, manager, "Müller GmbH")
    add_org(world, manager, "Schulze KG")
    assert names(client.get(directory_url(), {"q": "Mülller GmbH"})) == ["Müller GmbH"]
    # While something matches as typed, the typo search stays out.
    assert names(client.get(directory_url(), {"q": "Schulze"})) == ["Schulze KG"]


def test_the_demo_data_can_be_searched(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    assert Organisation.objects.exists()
    assert not Organisation.objects.filter(search_name="").exists()
    assert not Organisation.objects.filter(search_text="").exists()


def test_the_economic_activity_title_is_searched(client, world, manager):
    activity = EconomicActivity.objects.filter(title__icontains="Kunststoff").order_by("code").first()
    assert activity is not None, "WZ reference data missing"
    found = add_org(world, manager, "Formteile Nord", activity=activity)
    add_org(world, manager, "Bäckerei Süd")
    word = next(w for w in activity.title.split() if "unststoff" in w)
    response = client.get(directory_url(), {"q": word})
    assert names(response) == [found.name]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Alpha", "page": str(10**20)},
        {"page": str(10**20)},
        {"added_to": "9999-12-31"},
        {"added_from": "0001-01-01"},
        {"added_from": "1899-12-31", "added_to": "3000-01-01", "q": "Alpha"},
    ],
)
def test_forged_paging_and_dates_give_a_page_never_a_500(client, world, manager, params):
    response = client.get(directory_url(), params)
    assert response.status_code == 200
    assert "Alpha GmbH" in names(response)  # the last page, and an impossible date filter is dropped
