"""Folding names for search and duplicate matching: the one place that says when two spellings are the same.

German folding (ä/ae, ö/oe, ü/ue, ß/ss, other accents dropped), legal forms
ignored (GmbH, GmbH & Co. KG, AG, UG (haftungsbeschränkt), e. K., e. V., KG,
OHG, mbH …) and street abbreviations written out (Str. → strasse). The same
Python code runs on SQLite and PostgreSQL, so the stored `search_name` and
`search_text` of an organisation compare equal on both.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from members.models import Organisation

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d"})

# Legal forms, as folded word sequences (fold() has already lower-cased, replaced umlauts and split off punctuation).
# Longest first, so "gmbh co kg" goes before "gmbh" and "kg".
_LEGAL_FORMS = sorted(
    (
        "gmbh co kg",
        "gmbh co kgaa",
        "gmbh co ohg",
        "ag co kg",
        "ug haftungsbeschraenkt co kg",
        "ug haftungsbeschraenkt",
        "gmbh",
        "mbh",
        "ggmbh",
        "ag",
        "kgaa",
        "kg",
        "ohg",
        "gbr",
        "ug",
        "e k",
        "e kfm",
        "e kfr",
        "ek",
        "e v",
        "ev",
        "eg",
        "e g",
        "se",
        "partg",
        "partg mbb",
        "ltd",
        "inc",
        "co",
        "und co",
        "u co",
    ),
    key=lambda form: -len(form),
)
# Only at the end of a name: "AG Solar" is an Arbeitsgemeinschaft, "Solar AG" a company limited by shares.
_LEGAL_RE = re.compile(r"(?: |^)(?:" + "|".join(re.escape(form) for form in _LEGAL_FORMS) + r")$")
_STREET_RE = re.compile(r"(?<=[a-z])(?:str|strasse)(?= |$)")


def fold(value: str) -> str:
    """Lower case, German umlauts spelled out, other accents dropped, punctuation to single spaces.

    'Müller GmbH & Co. KG' → 'mueller gmbh co kg'; 'Höß' → 'hoess'; 'Mueller' → 'mueller'.
    """
    value = unicodedata.normalize("NFKC", value).casefold().translate(_GERMAN)
    value = "".join(char for char in unicodedata.normalize("NFKD", value) if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


def organisation_key(name: str) -> str:
    """The folded name without its legal form: 'Mueller GmbH & Co. KG' and 'Müller GmbH' → 'mueller'."""
    folded = fold(name)
    stripped = folded
    while (shorter := _LEGAL_RE.sub("", stripped).strip()) != stripped and shorter:
        stripped = shorter
    return stripped


def street_key(street: str) -> str:
    """'Hauptstr. 5' and 'Hauptstraße 5' → 'hauptstrasse 5'; 'Str. des 17. Juni' → 'strasse des 17 juni'."""
    folded = fold(street)
    folded = re.sub(r"(?:^| )str(?= |$)", " strasse", folded).strip()
    return " ".join(_STREET_RE.sub("strasse", folded).split())


def search_fields(organisation: Organisation, tags: list[str] | None = None) -> dict[str, str]:
    """The stored search columns of an organisation (members.models.Organisation.search_name / search_text)."""
    words = [
        organisation.name,
        organisation_key(organisation.name),
        organisation.postcode,
        organisation.municipality,
        organisation.district,
        organisation.competencies,
        organisation.profile,
        organisation.needs,
        # The WZ title ("Herstellung von Kunststoffwaren"): one query unless the caller selected it.
        organisation.activity.title if organisation.activity is not None else "",
        *(tags or []),
    ]
    return {
        "search_name": fold(organisation.name)[:200],
        "search_text": " ".join(fold(word) for word in words if word),
    }


# --- keys for duplicate matching (members.duplicates) ---------------------------------------------------------

# Addresses at these domains say nothing about the company: anyone can have one.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "web.de",
        "gmx.de",
        "gmx.net",
        "gmx.at",
        "gmx.ch",
        "gmx.com",
        "t-online.de",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.com",
        "live.de",
        "msn.com",
        "yahoo.com",
        "yahoo.de",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aol.de",
        "freenet.de",
        "arcor.de",
        "online.de",
        "posteo.de",
        "mailbox.org",
        "vodafone.de",
        "email.de",
        "mail.de",
        "proton.me",
        "protonmail.com",
        "kabelmail.de",
        "ewetel.net",
        "unitybox.de",
    }
)


def email_domain(email: str) -> str:
    """The company domain of an address ('Info@Mueller-Bau.de' → 'mueller-bau.de'); '' for free-mail domains and non-addresses."""
    _local, at, domain = (email or "").strip().lower().rpartition("@")
    domain = domain.strip(". ")
    if not at or "." not in domain or domain in FREE_MAIL_DOMAINS:
        return ""
    return domain


def website_domain(url: str) -> str:
    """'https://www.mueller-bau.de/kontakt' → 'mueller-bau.de' (compared with the e-mail domains); '' for none or free-mail hosts."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", (url or "").strip().lower()).split("/", 1)[0].split(":", 1)[0]
    host = host.removeprefix("www.")
    return host if "." in host and host not in FREE_MAIL_DOMAINS else ""


def phone_key(phone: str) -> str:
    """Digits with the country code: '+49 5971 12345', '05971/12345' and '0049 5971 12345' → '49597112345'; '' when too short."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "49" + digits[1:]
    return digits if len(digits) >= 7 else ""


def person_key(first_name: str, last_name: str) -> str:
    """'Käthe' 'Müller' and 'Kaethe' 'Mueller' → 'kaethe mueller'."""
    return " ".join(part for part in (fold(first_name), fold(last_name)) if part)


def trigrams(value: str, *, folded: bool = False) -> set[str]:
    """The trigrams PostgreSQL's pg_trgm takes from a string: each word padded with two spaces in front and one behind."""
    result: set[str] = set()
    for word in (value if folded else fold(value)).split():
        padded = f"  {word} "
        result.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return result


def without_legal_form(folded: str) -> str:
    """organisation_key for a name that is folded already (a stored `search_name`)."""
    stripped = folded
    while (shorter := _LEGAL_RE.sub("", stripped).strip()) != stripped and shorter:
        stripped = shorter
    return stripped


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() in Python (shared trigrams over all trigrams), so SQLite and PostgreSQL rank alike."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
