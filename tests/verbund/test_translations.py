"""English is available everywhere: every German UI string has an English translation, and the .mo matches the .po."""

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"


def test_every_string_is_translated_to_english():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_source():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "django.po")) if not e.msgid_plural and not e.obsolete}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural}
    stale = {k for k in po if k and mo.get(k) != po[k]}
    assert not stale, f"run `make messages`: {sorted(stale)[:5]}"


def test_account_pages_address_people_formally(client, world):
    """A German public-sector portal says "Sie": allauth's informal "du" is overridden (locale_formal/)."""
    import re

    from django.urls import reverse

    informal = re.compile(r"\b(du|dein|deine|dich|dir|Du|Dein|Deine|gib|Gib)\b")

    def check(urls: list[str]) -> None:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.text[response.text.index("<main") : response.text.index("</main>")]
            assert not informal.search(body), f"informal German on {url}: {informal.search(body).group(0)}"

    check([reverse("account_reset_password"), reverse("account_request_login_code"), reverse("account_login")])
    client.force_login(world.users["manager_x"])
    check([reverse("account_email"), reverse("account_change_password"), reverse("account_logout"), reverse("mfa_index")])
    client.logout()
    assert "Geben Sie Ihre E-Mail-Adresse ein" in client.get(reverse("account_reset_password")).text


def test_the_catalogue_carries_no_locations_and_no_obsolete_blocks():
    """`make messages` must change only entries whose strings changed: locations (file:line) rewrote ~890 lines for two strings."""
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po if e.occurrences][:5] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


def test_makemessages_never_guesses_fuzzy_translations():
    from verbund.management.commands.makemessages import Command

    assert "--no-fuzzy-matching" in Command.msgmerge_options
    assert "--no-location" in Command.xgettext_options


def test_blocktranslate_blocks_name_their_variables():
    """Inside {% blocktranslate %} only plain names render: `{{ contact.organisation.name }}` becomes an empty string."""
    block = re.compile(r"{%\s*blocktranslate\b.*?%}(.*?){%\s*endblocktranslate\s*%}", re.S)
    dotted = re.compile(r"{{\s*[^}\s]*[.|][^}]*}}")
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt")):
        for match in block.finditer(path.read_text(encoding="utf-8")):
            offenders += [f"{path.relative_to(ROOT)}: {found}" for found in dotted.findall(match.group(1))]
    assert not offenders, offenders
