"""S-2: no input crashes a view. Hypothesis posts hostile data to every form of the registry through its real view.

Each example is sent twice (plain and with `HX-Request`) as the persona the registry names, with the form's fields
filled from hostile values (NUL bytes, CR/LF, 100 kB strings, umlauts, extreme numbers and dates, garbage, empty
values, valid choices mixed with invalid ones) and extra keys a form must ignore (`is_staff`, a foreign `network`,
`organisation`, `pk`). Counted: submissions, HTTP 500 (or an exception out of the view), and privileged facts that
changed (staff/superuser flags, any row of the foreign network or a foreign organisation).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from members.models import Organisation
from tests.conftest import World
from tests.quality.form_registry import EXEMPT, REGISTRY, Post, discovered_forms, dotted, form_class
from tests.test_url_persona_matrix import MATRIX
from verbund.models import Network

SUBMISSIONS = {"ci": 8_000, "full": 40_000}
HTMX = {"HTTP_HX_REQUEST": "true"}
BLOCKED = (403, 404, 410)  # matrix targets of another tenant or refused to the persona: not the way in

OMIT = object()

# --- hostile values ---------------------------------------------------------

TEXTS = [
    "",
    " ",
    "\x00",
    "Anfang\x00Ende",
    "\r\n",
    "Zeile 1\r\nZeile 2\rZeile 3\n",
    "Betreff\r\nBcc: opfer@example.org",
    "x" * 100_000,
    "Ü" * 50_000,  # 100 kB in UTF-8
    "Grüße aus Münster – Straße ẞ 😀 \u202egnirtS\u200b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n%x{0}{{ 7*7 }}",
    "../../etc/passwd",
    '=HYPERLINK("http://example.org")',
    "9" * 400,
    "-1",
    "ä@ö.de",
    "a@b",
    "javascript:alert(1)",
    "http://[::1",
    "\t\x0b\x0c",
]
INTS = [
    "0",
    "-1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 50,
    "1e308",
    "-1e308",
    "1e1000000",
    "NaN",
    "Infinity",
    "-inf",
    "1,5",
    "1.5",
    "1.000.000",
    "٣",
    "0x10",
    "",
    " 7 ",
    "\x00",
]
DECIMALS = [*INTS, "1e-400", "-0", "12345678901234567890.123456789", "0.0000000000001", "sNaN", "1E+999999999"]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "2026-02-29",
    "2026-13-01",
    "-0001-01-01",
    "99999-01-01",
    "31.12.9999",
    "01.01.0001",
    "1.1.1",
    "garbage",
    "",
    "\x00",
    "2026-01-01T00:00",
]
DATETIMES = [
    "0001-01-01T00:00",
    "0001-01-01 00:00:00",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "2026-03-29T02:30",  # does not exist in Europe/Berlin
    "2026-10-25T02:30",  # exists twice in Europe/Berlin
    "2026-02-30T10:00",
    "2026-01-01T24:00",
    "31.12.9999 23:59",
    "garbage",
    "",
    "\x00",
    "2026-01-01",
]
TIMES = ["00:00", "23:59", "24:00", "25:61", "12:30:99", "9", "garbage", "", "\x00", "-1:00", "23:59:59.999999"]
BOOLS = ["on", "true", "false", "1", "0", "", "\x00", "x" * 1000]
INVALID_CHOICES = ["", "0", "-1", "1", "2", "3", "999999", "2147483648", "9223372036854775808", "abc", "\x00", "None", "1.5", "ä"]


def _choice_text(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values) | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)


TEXT = _choice_text(TEXTS)
INT = st.sampled_from(INTS) | st.integers().map(str)
DECIMAL = st.sampled_from(DECIMALS) | st.decimals(allow_nan=True, allow_infinity=True).map(str) | st.floats().map(repr)
DATE = st.sampled_from(DATES) | st.dates().map(lambda d: d.isoformat())
DATETIME = st.sampled_from(DATETIMES) | st.datetimes().map(lambda d: d.isoformat(timespec="minutes"))
TIME = st.sampled_from(TIMES) | st.times().map(lambda t: t.isoformat(timespec="minutes"))
BOOL = st.sampled_from(BOOLS)
FILE = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["a.txt", "bild.png", "../../x.pdf", "\x00.csv", "ü" * 300 + ".jpg", "..."]),
    st.binary(max_size=64),
) | st.sampled_from(["nicht-eine-datei", ""])


# --- the fields of a form: from its class and from the page the view renders ------


@dataclass
class FieldSpec:
    kind: str  # text, int, decimal, date, datetime, time, bool, choice, multi, file
    options: set[str] = field(default_factory=set)


def _kind(f: forms.Field) -> str:
    if isinstance(f, forms.BooleanField | forms.NullBooleanField):
        return "bool"
    if isinstance(f, forms.FileField):
        return "file"
    if isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return "multi"
    if isinstance(f, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(f, forms.DecimalField | forms.FloatField):
        return "decimal"
    if isinstance(f, forms.IntegerField):
        return "int"
    if isinstance(f, forms.DateTimeField):
        return "datetime"
    if isinstance(f, forms.DateField):
        return "date"
    if isinstance(f, forms.TimeField):
        return "time"
    if isinstance(f, forms.EmailField):
        return "email"
    if isinstance(f, forms.URLField):
        return "url"
    return "text"


def _class_choices(f: forms.Field) -> set[str]:
    if isinstance(f, forms.ModelChoiceField) or not isinstance(f, forms.ChoiceField):
        return set()
    values: set[str] = set()
    for value, label in f.choices:
        if isinstance(label, list | tuple):  # an optgroup
            values.update(str(v) for v, _ in label)
        else:
            values.add(str(value))
    return values


class _Controls(HTMLParser):
    """Named controls of the page's forms: the dynamic fields (one per question) and the choices the view offers."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: dict[str, FieldSpec] = {}
        self._select: FieldSpec | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "option" and self._select is not None:
            self._select.options.add(a.get("value", ""))
            return
        if not name or name in ("csrfmiddlewaretoken",):
            return
        if tag == "select":
            self._select = self.specs.setdefault(name, FieldSpec("multi" if "multiple" in a else "choice"))
        elif tag == "textarea":
            self.specs.setdefault(name, FieldSpec("text"))
        elif tag == "input":
            kind = {
                "number": "int",
                "date": "date",
                "datetime-local": "datetime",
                "time": "time",
                "file": "file",
                "radio": "choice",
                "checkbox": "bool",
            }.get(a.get("type", "text"), "text")
            spec = self.specs.setdefault(name, FieldSpec(kind))
            if kind in ("choice", "bool") and "value" in a:
                if spec.kind == "bool" and spec.options:
                    spec.kind = "multi"  # several checkboxes of one name
                spec.options.add(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def field_specs(cls: type[forms.BaseForm], page: str) -> dict[str, FieldSpec]:
    specs = {name: FieldSpec(_kind(f), _class_choices(f)) for name, f in cls.base_fields.items()}
    parser = _Controls()
    parser.feed(page)
    for name, spec in parser.specs.items():
        if name in specs:
            specs[name].options |= spec.options
        elif name not in EXTRA_KEYS:
            specs[name] = spec
    return specs


def benign_strategy(name: str, spec: FieldSpec) -> st.SearchStrategy[Any]:
    """A value the field accepts, so that the other fields' hostile values reach the view's success path too."""
    if spec.kind == "text" and (by_name := next((v for k, v in BENIGN_BY_NAME.items() if k in name), None)):
        return st.sampled_from(by_name)
    options = sorted(o for o in spec.options if o)
    if spec.kind == "multi":
        return st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True) if options else st.just([])
    if spec.kind == "choice":
        return st.sampled_from(options) if options else st.just("1")
    if spec.kind == "bool":
        return st.sampled_from(options or ["on"])
    benign = {
        "int": ["3", "12", str(timezone.localdate().year)],
        "decimal": ["12.50", "3"],
        "date": ["2027-06-15", "2026-01-31"],
        "datetime": ["2027-06-15T10:00", "2027-06-15T18:30"],
        "time": ["10:00", "18:30"],
        "email": ["s2-test@example.org"],
        "url": ["https://example.org/s2"],
        "file": [""],
    }
    return st.sampled_from(benign.get(spec.kind, ["Prüfung S-2", "Grüße aus Münster"]))


# Text fields whose name says what they hold (a colour, an address) get a valid value of that kind.
BENIGN_BY_NAME = {
    "colour": ["#336699", "#c0ffee"],
    "email": ["s2-test@example.org"],
    "reply_to": ["s2-test@example.org"],
    "website": ["https://example.org/s2"],
    "link": ["https://example.org/s2"],
    "postcode": ["48431"],
}


def value_strategy(spec: FieldSpec) -> st.SearchStrategy[Any]:
    options = sorted(spec.options)
    choice = st.sampled_from(options) | st.sampled_from(INVALID_CHOICES) if options else st.sampled_from(INVALID_CHOICES) | TEXT
    if spec.kind == "multi":
        return st.lists(choice, max_size=5) | TEXT
    if spec.kind == "choice":
        return choice
    if spec.kind == "bool" and options:
        return st.sampled_from(options) | BOOL
    hostile = {"int": INT, "decimal": DECIMAL, "date": DATE, "datetime": DATETIME, "time": TIME, "bool": BOOL, "file": FILE}
    return hostile.get(spec.kind, TEXT)


EXTRA_KEYS = ("is_staff", "is_superuser", "network", "network_id", "organisation", "organisation_id", "pk", "id", "user", "user_id")


def extra_strategy(world: World, specs: dict[str, FieldSpec]) -> st.SearchStrategy[dict[str, str]]:
    """Keys the form does not have, aimed at privilege: a foreign network, a foreign organisation, staff flags, ids."""
    foreign = {
        "is_staff": ["on", "true", "1"],
        "is_superuser": ["on", "true", "1"],
        "network": [str(world.network_y.pk), world.network_y.slug],
        "network_id": [str(world.network_y.pk)],
        "organisation": [str(world.org_c.pk)],
        "organisation_id": [str(world.org_c.pk)],
        "pk": [str(world.network_y.pk), str(world.org_c.pk), "1"],
        "id": [str(world.org_c.pk), "1"],
        "user": [str(world.users["staff"].pk)],  # type: ignore[union-attr]
        "user_id": [str(world.users["staff"].pk)],  # type: ignore[union-attr]
    }
    keys = [k for k in EXTRA_KEYS if k not in specs]
    return st.fixed_dictionaries({}, optional={k: st.sampled_from(foreign[k]) for k in keys})


def data_strategy(world: World, specs: dict[str, FieldSpec], fixed: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """The form's fields, a share of them hostile (none: a valid submission carrying only the privileged extra keys;
    all: nothing but hostile values), some left out, plus the extra keys."""
    hostile = {name: value_strategy(spec) for name, spec in specs.items()}
    benign = {name: benign_strategy(name, spec) for name, spec in specs.items()}

    @st.composite
    def fields(draw: st.DrawFn) -> dict[str, Any]:
        level = draw(st.sampled_from([0, 2, 5, 10]))  # tenths of the fields with a hostile value
        values: dict[str, Any] = {}
        for name in specs:
            roll = draw(st.integers(0, 9))
            if level and roll == 9:
                continue  # left out
            values[name] = draw(hostile[name] if roll < level else benign[name])
        return values

    return st.builds(lambda values, extra: {**extra, **values, **fixed}, fields(), extra_strategy(world, specs))


# --- privileged facts ---------------------------------------------------------------


def _tables_with_fk(target: type) -> list[tuple[str, str, str]]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.model_name.startswith("historical"):
            continue
        for f in meta.concrete_fields:
            if f.is_relation and f.many_to_one and f.related_model is target:
                found.append((meta.db_table, meta.pk.column, f.column))
    return found


def privileged_facts(foreign_networks: list[int], foreign_orgs: list[int]) -> set[tuple[str, str, str]]:
    """Staff and superusers, and every row of a foreign network or foreign organisation (its whole content hashed)."""
    q = connection.ops.quote_name
    parts = ["SELECT 'staff', id::text, (is_staff, is_superuser)::text FROM verbund_user WHERE is_staff OR is_superuser"]
    groups = [(Network, foreign_networks), (Organisation, foreign_orgs)]
    for target, ids in groups:
        if not ids:
            continue
        id_list = ",".join(str(int(i)) for i in ids)
        parts.append(f"SELECT '{target._meta.db_table}', t.id::text, md5(t::text) FROM {q(target._meta.db_table)} t WHERE t.id IN ({id_list})")
        for table, pk, column in _tables_with_fk(target):
            parts.append(f"SELECT '{table}', t.{q(pk)}::text, md5(t::text) FROM {q(table)} t WHERE t.{q(column)} IN ({id_list})")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return set(cursor.fetchall())


FOREIGN_ORGS = {"manager_x": ("org_c",), "member_a_x": ("org_b", "org_c"), "anonymous": ("org_c",), "staff": ()}


# --- the submissions ------------------------------------------------------------------


def resolve_url(post: Post, world: World) -> str:
    if post.url is not None:
        return post.url(world)
    url = None
    for target in MATRIX[post.key].targets:
        built = target.url(world)  # every target: the foreign objects exist too
        if url is None and target.expected[post.persona] not in BLOCKED:
            url = built
    assert url is not None, f"{post.key}: the matrix has no target {post.persona} may use"
    return url


@dataclass
class Tally:
    submissions: int = 0
    errors: int = 0
    privileged_changed: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


def submit(client: Client, method: str, url: str, data: dict[str, Any], headers: dict[str, str]) -> tuple[int, str]:
    """One request in a savepoint of its own (a view's database error must not end the test's transaction)."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
    except Exception as exc:  # noqa: BLE001 - any exception out of a view is the defect counted
        return 500, f"{type(exc).__name__}: {str(exc)[:200]}"
    return response.status_code, ""


def _short(data: dict[str, Any]) -> str:
    return repr({k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()})[:600]


def run_post(client: Client, world: World, form_path: str, post: Post, url: str, examples: int, tally: Tally) -> None:
    user = world.users[post.persona]
    client.logout()
    if user is not None:
        client.force_login(user)
    page = client.get(url) if post.method == "post" else client.get(url.split("?")[0])
    html = page.content.decode(errors="replace") if page.status_code == 200 and not page.streaming else ""
    specs = field_specs(form_class(form_path), html)
    foreign_networks = [world.network_y.pk]
    foreign_orgs = [getattr(world, name).pk for name in FOREIGN_ORGS[post.persona]]
    before = privileged_facts(foreign_networks, foreign_orgs)
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(data=data_strategy(world, specs, post.fixed))
    def example(data: dict[str, Any]) -> None:
        nonlocal before
        for headers in ({}, HTMX):
            for value in data.values():  # an upload is read once per request
                if isinstance(value, SimpleUploadedFile):
                    value.seek(0)
            status, error = submit(client, post.method, url, data, headers)
            tally.submissions += 1
            statuses[status] += 1
            if status >= 500:
                tally.errors += 1
                tally.failures.append(f"{form_path} {post.method.upper()} {url}{' (htmx)' if headers else ''} → {status} {error} with {_short(data)}")
        after = privileged_facts(foreign_networks, foreign_orgs)
        if after != before:
            tally.privileged_changed += len(after ^ before)
            tally.failures.append(f"{form_path} {url}: privileged facts changed {sorted(after ^ before)[:4]} with {_short(data)}")
            before = after

    example()
    tally.statuses += statuses
    if not set(statuses) - {403, 404, 405}:  # a registry entry that never reaches the form proves nothing
        tally.failures.append(f"{form_path}: {post.key} as {post.persona} never reached the form: {dict(statuses)}")


# --- the tests --------------------------------------------------------------------------


@pytest.mark.anchor("S-2")
def test_every_form_is_registered_or_exempt(anchor):
    found = {dotted(cls) for cls in discovered_forms()}
    missing = sorted(found - set(REGISTRY) - set(EXEMPT))
    stale = sorted((set(REGISTRY) | set(EXEMPT)) - found)
    anchor(forms=len(found), missing_forms=len(missing))
    assert not missing, f"forms without an entry in tests/quality/form_registry.py (REGISTRY or EXEMPT): {missing}"
    assert not stale, f"registry entries for forms that no longer exist: {stale}"
    assert not set(REGISTRY) & set(EXEMPT)


@pytest.mark.anchor("S-2")
def test_every_registered_way_in_is_a_url_of_the_matrix():
    unknown = [f"{form}: {post.key}" for form, entry in REGISTRY.items() for post in entry.posts if post.key not in MATRIX]
    assert not unknown, unknown


@pytest.mark.anchor("S-2")
@pytest.mark.parametrize("form_path", sorted(REGISTRY))
def test_no_input_crashes_the_view_of(form_path, world, quality_profile, anchor):
    entry = REGISTRY[form_path]
    per_form = math.ceil(SUBMISSIONS[quality_profile] * 1.02 / len(REGISTRY))
    per_post = math.ceil(per_form / len(entry.posts))
    client = Client()
    tally = Tally()
    # Every way in is resolved before the first example: a matrix target that finds "the" contact of an organisation
    # must not see the contacts an earlier post of this form created (the full profile's counts reach success paths).
    urls = [resolve_url(post, world) for post in entry.posts]
    for post, url in zip(entry.posts, urls, strict=True):
        run_post(client, world, form_path, post, url, examples=math.ceil(per_post / 2), tally=tally)
    anchor(submissions=tally.submissions, errors=tally.errors, privileged_changed=tally.privileged_changed)
    assert not tally.failures, "\n".join(list(dict.fromkeys(tally.failures))[:30])  # each distinct failure once
    assert tally.submissions >= per_form * 0.95, f"only {tally.submissions} submissions, {per_form} planned"


@pytest.mark.anchor("S-2")
def test_the_privileged_facts_see_a_foreign_row_and_a_staff_flag_change(world):
    """The check after each example can fail: a changed row of Y, of a foreign organisation, a new staff flag."""
    from members.models import Contact

    def facts() -> set[tuple[str, str, str]]:
        return privileged_facts([world.network_y.pk], [world.org_c.pk])

    start = facts()
    Network.objects.filter(pk=world.network_y.pk).update(goals="verändert")
    assert facts() != start
    start = facts()
    Contact.objects.filter(organisation=world.org_c).update(organisation=world.org_a, is_primary=False)
    assert facts() != start
    start = facts()
    world.users["member_a_x"].is_staff = True  # type: ignore[union-attr]
    world.users["member_a_x"].save(update_fields=["is_staff"])  # type: ignore[union-attr]
    assert facts() != start
