"""One declaration per editable field set (STYLE.md, "A field is declared once").

A `FieldSet` sits beside its model and names the fields people edit. Everything else reads it:
the ModelForm (`fields = MEETING_FIELDS.names`), the write service (`apply`), copies (a series'
next meeting) and the hash of a generated document. A name that is not a field of the model fails at
import; a key a service does not know raises `TypeError` (a typo or a forgotten declaration never
passes silently, as "Änderungen gespeichert" with nothing stored did); `tests/verbund/test_fieldsets.py`
fails when a model gains a field that no declaration classifies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Field, Model


@dataclass(frozen=True)
class FieldSet:
    """The editable fields of `model`; `internal` lists the fields only services set (status, timestamps, links).

    `printed` is the part of `names` that a document and the calendar entry show; the tests put a
    canary into each and look for it in the rendered output.
    """

    model: type[Model]
    names: tuple[str, ...]
    internal: tuple[str, ...] = ()
    printed: tuple[str, ...] = ()
    registry: ClassVar[list[FieldSet]] = []
    _known: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        opts = self.model._meta
        known = {f.name for f in (*opts.local_fields, *opts.local_many_to_many)}
        for label, group in (("names", self.names), ("internal", self.internal)):
            unknown = [name for name in group if name not in known]
            if unknown:
                raise ImproperlyConfigured(f"{self.model.__name__} has no fields {unknown} (FieldSet.{label})")
        if set(self.names) & set(self.internal):
            raise ImproperlyConfigured(f"{self.model.__name__}: a field is either editable or internal")
        if not set(self.printed) <= set(self.names):
            raise ImproperlyConfigured(f"{self.model.__name__}: printed fields must be editable fields")
        object.__setattr__(self, "_known", frozenset(self.names))
        FieldSet.registry.append(self)

    def take(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The values of `data` for this set's fields. Raises TypeError for a key that is not one of them."""
        unknown = sorted(set(data) - self._known)
        if unknown:
            raise TypeError(f"{self.model.__name__}: unknown fields {unknown}; declare them in the FieldSet")
        return dict(data)

    def apply(self, instance: Model, data: Mapping[str, Any]) -> list[str]:
        """Set the given fields on `instance`; returns the names whose value changed (for `update_fields`).

        Many-to-many fields are left to the caller (they need a saved instance) and never reported.
        """
        changed = []
        m2m = {f.name for f in self.model._meta.local_many_to_many}
        for name, value in self.take(data).items():
            if name in m2m:
                continue
            if instance.pk is None or getattr(instance, name) != value:
                setattr(instance, name, value)
                changed.append(name)
        return changed

    def values(self, instance: Model, names: Iterable[str] | None = None) -> dict[str, Any]:
        """The current values (m2m as sorted primary keys), e.g. for a copy or a document hash."""
        m2m = {f.name for f in self.model._meta.local_many_to_many}
        result: dict[str, Any] = {}
        for name in self.names if names is None else names:
            if name in m2m:
                result[name] = sorted(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
            else:
                result[name] = getattr(instance, name)
        return result

    def fingerprint(self, instance: Model) -> list[Any]:
        """The stored values in declaration order, relations as keys (no query per relation): for hashes of inputs."""
        opts = self.model._meta
        m2m = {f.name for f in opts.local_many_to_many}
        attnames = {f.name: f.attname for f in opts.local_fields}
        result: list[Any] = []
        for name in self.names:
            if name in m2m:
                result.append(sorted(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else [])
            else:
                value = getattr(instance, attnames[name])
                if isinstance(value, datetime) and value.tzinfo is not None:
                    # The same instant reads back from the database in UTC: one form, or the hash changes on reload.
                    value = value.astimezone(UTC)
                result.append(value)
        return result

    def without(self, *names: str) -> tuple[str, ...]:
        """This set's names minus `names` (each must be one of them)."""
        missing = set(names) - self._known
        if missing:
            raise ImproperlyConfigured(f"{self.model.__name__}: {sorted(missing)} are not in this FieldSet")
        return tuple(name for name in self.names if name not in names)


def max_length(model: type[Model], name: str) -> int:
    """The `max_length` of the model's text field `name`."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.max_length is not None, f"{model.__name__}.{name} is no field with a max_length"
    return field.max_length
