"""D-3: watch every write to a protected model (one with django-simple-history) and whether it left a history entry.

`AuditWatch` listens while a block of code runs (a request of the URL × persona matrix): each `post_save` and
`post_delete` of a protected model is a write; simple_history's `post_create_historical_record` is its entry, with the
acting user. Queryset `update()`, `bulk_create()` and `bulk_update()` on a protected model send no signal and leave no
entry: the watch records them as writes without an entry (the product must use the `*_with_history` helpers or saves).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from simple_history.models import registered_models
from simple_history.signals import post_create_historical_record


def protected_models() -> set[type]:
    """The models whose changes are audited: every model django-simple-history tracks (its own history tables aside)."""
    return {model for model in registered_models.values() if not model._meta.auto_created}


@dataclass
class AuditWatch:
    user_id: int | None
    writes: Counter = field(default_factory=Counter)  # (label, pk, action) → how often
    entries: Counter = field(default_factory=Counter)
    without_user: list[str] = field(default_factory=list)
    bulk: list[str] = field(default_factory=list)
    bulk_writes: Counter = field(default_factory=Counter)  # label → rows written by update()/bulk_*()
    bulk_entries: Counter = field(default_factory=Counter)  # label → history rows made in bulk (bulk_*_with_history)
    models: set[str] = field(default_factory=set)

    def unaudited(self) -> list[str]:
        missing = self.writes - self.entries
        found = [f"{label} #{pk} {action}" for (label, pk, action) in missing]
        if self.bulk_writes - self.bulk_entries:
            found += self.bulk
        return found

    @property
    def write_count(self) -> int:
        return sum(self.writes.values()) + sum(self.bulk_writes.values())


@contextmanager
def audit_watch(user_id: int | None) -> Iterator[AuditWatch]:
    watch = AuditWatch(user_id)
    protected = protected_models()
    labels = {model._meta.label for model in protected}

    def saved(sender: type, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
        if sender in protected and not raw:
            watch.writes[(sender._meta.label, instance.pk, "+" if created else "~")] += 1
            watch.models.add(sender._meta.label)

    def deleted(sender: type, instance: Any, **kwargs: Any) -> None:
        if sender in protected:
            watch.writes[(sender._meta.label, instance.pk, "-")] += 1
            watch.models.add(sender._meta.label)

    def entry(sender: type, instance: Any, history_instance: Any, history_user: Any = None, **kwargs: Any) -> None:
        label = type(instance)._meta.label
        watch.entries[(label, instance.pk, history_instance.history_type)] += 1
        if watch.user_id is not None and getattr(history_user, "pk", None) is None:
            watch.without_user.append(f"{label} #{instance.pk} {history_instance.history_type}")

    originals = {name: getattr(QuerySet, name) for name in ("update", "bulk_create", "bulk_update")}
    untracked = {model._meta.label: set(model.history.model._history_excluded_fields) | {"updated_at"} for model in protected}

    def wrap(name: str):
        original = originals[name]

        def method(self: QuerySet, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            label = self.model._meta.label
            history_of = getattr(self.model, "instance_type", None)  # a historical model: entries made in bulk
            if name == "bulk_create" and history_of in protected:
                rows = list(args[0] if args else kwargs.get("objs", []))
                watch.bulk_entries[history_of._meta.label] += len(rows)
                if watch.user_id is not None:
                    watch.without_user += [f"{history_of._meta.label} #{row.id} (bulk)" for row in rows if getattr(row, "history_user_id", None) is None]
            elif label in labels:
                fields = set(kwargs) if name == "update" else set(args[1] if len(args) > 1 else kwargs.get("fields", [])) if name == "bulk_update" else None
                if fields is not None and fields <= untracked[label]:
                    return result  # only columns the history leaves out (search keys, tokens): nothing to audit
                count = result if isinstance(result, int) else len(result) if isinstance(result, list) else 1
                if count:
                    watch.bulk_writes[label] += count
                    watch.bulk.append(f"{label}.{name}({', '.join(sorted(fields or []))}) of {count} rows")
                    watch.models.add(label)
            return result

        return method

    post_save.connect(saved, weak=False, dispatch_uid="d3-audit-save")
    post_delete.connect(deleted, weak=False, dispatch_uid="d3-audit-delete")
    post_create_historical_record.connect(entry, weak=False, dispatch_uid="d3-audit-entry")
    for name in originals:
        setattr(QuerySet, name, wrap(name))
    try:
        yield watch
    finally:
        for name, original in originals.items():
            setattr(QuerySet, name, original)
        post_save.disconnect(dispatch_uid="d3-audit-save")
        post_delete.disconnect(dispatch_uid="d3-audit-delete")
        post_create_historical_record.disconnect(dispatch_uid="d3-audit-entry")
