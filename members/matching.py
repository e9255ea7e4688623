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
        *(tags or []),
    ]
    return {
        "search_name": fold(organisation.name)[:200],
        "search_text": " ".join(fold(word) for word in words if word),
    }
