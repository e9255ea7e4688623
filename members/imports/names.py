"""German personal names: salutation, academic title, first and last name out of what a list holds.

'Frau Dr. Käthe Müller' → ('ms', 'Dr.', 'Käthe', 'Müller'); 'Herrn Prof. Dr.-Ing. Hans von der Heide' →
('mr', 'Prof. Dr.-Ing.', 'Hans', 'von der Heide'); 'Müller, Käthe' → ('', '', 'Käthe', 'Müller').
Nobiliary particles (von, van, zu, de, …) belong to the last name; a trailing degree (MBA, M.A.)
goes to the title. The parser never guesses a salutation from a first name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Written form of a salutation (lower case, without the dot) → Contact.Salutation value.
SALUTATIONS = {
    "frau": "ms",
    "fr": "ms",
    "herr": "mr",
    "herrn": "mr",
    "hr": "mr",
    "hrn": "mr",
    "mrs": "ms",
    "ms": "ms",
    "miss": "ms",
    "mr": "mr",
    "divers": "diverse",
    "mx": "diverse",
}
# Words in a salutation column that say "no person" or are letter phrasing, not a salutation.
SALUTATION_NOISE = {"sehr", "geehrte", "geehrter", "liebe", "lieber", "an", "die", "den", "firma", "fa", "familie", "eheleute"}

# Title words (lower case, dots and hyphens kept out): a token made only of these is a title.
_TITLE_WORDS = {
    "dr",
    "prof",
    "professor",
    "professorin",
    "dipl",
    "ing",
    "kfm",
    "kff",
    "kauffr",
    "inf",
    "oec",
    "phys",
    "chem",
    "biol",
    "psych",
    "päd",
    "paed",
    "betriebsw",
    "volksw",
    "jur",
    "med",
    "dent",
    "vet",
    "rer",
    "nat",
    "pol",
    "soc",
    "phil",
    "theol",
    "habil",
    "hc",
    "h",
    "c",
    "mult",
    "pd",
    "priv",
    "doz",
    "mag",
    "fh",
    "tu",
    "th",
    "univ",
    "ba",
    "ma",
    "bsc",
    "msc",
    "beng",
    "meng",
    "mba",
    "llm",
    "phd",
}
# Degrees written after the name.
_POSTNOMINAL = {"mba", "ma", "msc", "bsc", "ba", "llm", "phd", "beng", "meng", "dipl"}
PARTICLES = {"von", "van", "zu", "zum", "zur", "vom", "de", "del", "della", "der", "den", "di", "da", "du", "la", "le", "ten", "ter", "und", "af", "op"}
_BARE_TITLES = {"dr", "prof", "professor", "professorin", "pd"}
_CANONICAL_TITLE = {"dr": "Dr.", "prof": "Prof.", "pd": "PD"}


@dataclass(frozen=True)
class PersonName:
    salutation: str = ""  # a Contact.Salutation value or ""
    title: str = ""
    first_name: str = ""
    last_name: str = ""


def _bare(token: str) -> str:
    return token.strip(".,;:()").casefold()


def salutation_of(token: str) -> str | None:
    """'Frau', 'Herrn', 'Hr.', 'Mrs.' → the stored value; None when the token is no salutation."""
    return SALUTATIONS.get(_bare(token))


def is_title(token: str) -> bool:
    """'Dr.', 'Prof.', 'Dr.-Ing.', 'Dipl.-Ing.', 'med.', '(FH)', 'h.c.', 'M.A.' are titles; an initial 'K.' is not."""
    pieces = [piece for piece in re.split(r"[.\-()/]+", token.casefold()) if piece]
    if not pieces:
        return False
    if len(pieces) == 1 and len(pieces[0]) == 1 and token.endswith(".") and pieces[0] not in {"h", "c"}:
        return False  # an initial
    if not re.search(r"[.\-(]", token) and pieces[0] not in _BARE_TITLES:
        return False  # 'Ma', 'Med' without a dot are names
    return all(piece in _TITLE_WORDS for piece in pieces)


def canonical_title(token: str) -> str:
    """'Dr' → 'Dr.', 'prof' → 'Prof.'; other titles as written."""
    return _CANONICAL_TITLE.get(token.casefold(), token)


def split_leading(tokens: list[str]) -> tuple[str, list[str], list[str]]:
    """Take salutation and title tokens off the front: (salutation, titles, rest)."""
    salutation = ""
    titles: list[str] = []
    rest = list(tokens)
    while rest:
        token = rest[0]
        if not salutation and not titles and (found := salutation_of(token)) is not None:
            salutation = found
        elif _bare(token) in SALUTATION_NOISE and not titles:
            pass
        elif is_title(token) and (len(rest) > 1 or titles or salutation):
            titles.append(canonical_title(token))
        else:
            break
        rest.pop(0)
    return salutation, titles, rest


def _is_degree(token: str) -> bool:
    """'MBA', 'M.A.', 'M.Sc.', 'PhD' after a name; 'Ma' (a family name) is none."""
    token = token.strip(",")
    written = "." in token or token.isupper() or token == "PhD"
    return written and "".join(re.split(r"[.\-]", token.casefold())) in _POSTNOMINAL


def _split_trailing_degrees(tokens: list[str]) -> tuple[list[str], list[str]]:
    degrees: list[str] = []
    while len(tokens) > 1 and _is_degree(tokens[-1]):
        degrees.insert(0, tokens.pop().strip(","))
    return tokens, degrees


def _first_and_last(tokens: list[str]) -> tuple[str, str]:
    if not tokens:
        return "", ""
    if len(tokens) == 1 or tokens[0] in PARTICLES:  # 'de Vries' written in lower case is a last name alone
        return "", " ".join(tokens)
    # The last name starts at the first particle after the first name: 'Ursula von der Leyen'.
    for index in range(1, len(tokens) - 1):
        if tokens[index].casefold() in PARTICLES:
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return " ".join(tokens[:-1]), tokens[-1]


def parse_person_name(value: str) -> PersonName:
    """A whole name as one cell ('Frau Dr. Käthe Müller', 'Müller, Käthe', 'Dr. med. Hans von Bülow MBA')."""
    value = " ".join(value.split())
    if not value:
        return PersonName()
    before, comma, after = value.partition(",")
    after_tokens = after.split()
    if comma and after_tokens and not all(_is_degree(token) for token in after_tokens):
        # 'Müller, Käthe' or 'Müller, Frau Dr. Käthe' or 'Dr. Müller, Käthe'
        salutation, titles, first = split_leading(after_tokens)
        salutation2, titles2, last = split_leading(before.split())
        last, degrees = _split_trailing_degrees(last)
        return PersonName(
            salutation=salutation or salutation2,
            title=" ".join(titles2 + titles + degrees),
            first_name=" ".join(first),
            last_name=" ".join(last),
        )
    salutation, titles, rest = split_leading(value.replace(",", " ").split())
    rest, degrees = _split_trailing_degrees(rest)
    first_name, last_name = _first_and_last(rest)
    return PersonName(salutation=salutation, title=" ".join(titles + degrees), first_name=first_name, last_name=last_name)


def parse_salutation_cell(value: str) -> tuple[str | None, str]:
    """A salutation column's cell: 'Frau Dr.' → ('ms', 'Dr.'); 'Dr.' (a CiviCRM prefix) → ('', 'Dr.').

    The salutation is None when the cell holds words that are neither salutation nor title.
    """
    tokens = value.split()
    salutation, titles, rest = split_leading(tokens)
    if len(tokens) == 1 and is_title(tokens[0]):
        return "", canonical_title(tokens[0])
    if rest:
        return None, " ".join(titles)
    return salutation, " ".join(titles)


def strip_name_part(value: str) -> tuple[str, str, str]:
    """A first- or last-name cell that carries salutation or title ('Dr. Müller', 'Frau Käthe'): (salutation, title, name)."""
    tokens = value.split()
    salutation, titles, rest = split_leading(tokens)
    if not rest:  # the cell is only 'Dr.': keep it as it is rather than lose the name
        return "", "", value
    return salutation, " ".join(titles), " ".join(rest)
