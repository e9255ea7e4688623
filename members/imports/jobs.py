"""Writing a confirmed plan, and the import job around it: draft, confirmation, run, progress.

The write is all or nothing: one transaction, in chunks of bulk inserts (organisations, memberships,
their first status change, contacts and the history records of each, naming the importing user).
Validation happened in planning; `check_row` repeats the cheap model checks that the database would
otherwise report without a line number. Every membership and contact written carries `import_job`,
so the job is the batch (batches.py: what it created, and undoing it).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from members.exports import write_xlsx
from members.imports.planning import (
    ImportPlan,
    PlannedRow,
    RowError,
    plan_import,
)
from members.imports.reading import (
    DRAFT_HOURS,
    EXISTING_ADD_CONTACT,
    Table,
    suggest_mapping,
)
from members.matching import search_fields
from members.models import CONTACT_FIELDS, ORGANISATION_FIELDS, Contact, Membership, MembershipStatusChange, Organisation
from verbund.models import BackgroundJob, Network, User

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

CHUNK_ROWS = 250  # rows per round of bulk inserts; progress is reported after each
MEMBERSHIP_KEYS = frozenset({"role", "status", "joined_on", "left_on", "annual_fee", "notes"})

# --- writing ------------------------------------------------------------------------


class ImportRowFailed(Exception):
    def __init__(self, line: int, messages: list[str]) -> None:
        super().__init__(line, messages)
        self.line = line
        self.messages = messages


@dataclass
class ImportResult:
    organisations: int = 0
    contacts: int = 0
    skipped: int = 0
    invalid: int = 0  # rows with errors left out ("Nur gültige Zeilen importieren")


@cache
def _limits(model: type[models.Model]) -> dict[str, tuple[str, int]]:
    """Field name → (label, max_length) of a model's text fields."""
    return {
        f.name: (str(f.verbose_name), f.max_length)
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length  # URLField and EmailField are CharFields too
    }


def check_row(row: PlannedRow) -> None:
    """The model checks that matter, on the plan's values: lengths, postcode, dates, fee. Raises ImportRowFailed.

    Planning has validated the row already; this guards against a plan that drifted from the models, so a
    bad value is reported with its line instead of failing a whole chunk in the database.
    """
    messages: list[str] = []
    for model, data in ((Organisation, row.organisation), (Membership, row.membership), (Contact, row.contact or {})):
        limits = _limits(model)
        for name, value in data.items():
            if isinstance(value, str) and name in limits and len(value) > limits[name][1]:
                messages.append(_("%(field)s: Der Wert ist zu lang (höchstens %(limit)s Zeichen).") % {"field": limits[name][0], "limit": limits[name][1]})
    postcode = row.organisation.get("postcode") or ""
    if postcode and not re.fullmatch(r"\d{5}", postcode):
        messages.append(_("PLZ: Bitte eine fünfstellige Postleitzahl angeben."))
    joined_on, left_on = row.membership.get("joined_on"), row.membership.get("left_on")
    if joined_on and left_on and left_on < joined_on:
        messages.append(_("Der Austritt kann nicht vor dem Eintritt liegen."))
    if messages:
        raise ImportRowFailed(row.line, messages)


def _first_status_changes(membership: Membership, by: User) -> list[MembershipStatusChange]:
    """The membership's history as far as the file tells it: joined on its date (or today, unknown), left when given."""
    today = timezone.localdate()
    note = _("Import") if membership.joined_on else _("Import (Eintritt unbekannt)")
    if membership.status == Membership.Status.LEFT and membership.joined_on:
        return [
            MembershipStatusChange(membership=membership, to_status=Membership.Status.ACTIVE, effective_on=membership.joined_on, changed_by=by, note=note),
            MembershipStatusChange(
                membership=membership,
                from_status=Membership.Status.ACTIVE,
                to_status=Membership.Status.LEFT,
                effective_on=membership.left_on or today,
                changed_by=by,
                note=_("Import") if membership.left_on else _("Import (Austritt ohne Datum)"),
            ),
        ]
    return [MembershipStatusChange(membership=membership, to_status=membership.status, effective_on=membership.joined_on or today, changed_by=by, note=note)]


class _BatchWriter:
    """Writes chunks of planned rows with bulk inserts, remembering across chunks what earlier rows created."""

    def __init__(self, *, network: Network, by: User, job: BackgroundJob | None, result: ImportResult) -> None:
        self.network, self.by, self.job, self.result = network, by, job, result
        self.organisations_by_line: dict[int, Organisation] = {}
        self.existing: dict[int, Organisation] = {}
        self.has_primary: set[int] = set()  # organisation ids with a primary contact (in the database or written here)

    def write(self, rows: list[PlannedRow]) -> None:
        """Write one chunk in a savepoint. When the database refuses it, find the row by writing them one by one."""
        try:
            with transaction.atomic():
                self._write(rows)
        except DatabaseError:
            logger.warning("Import chunk from line %s refused; looking for the row", rows[0].line, exc_info=True)
            for row in rows:
                try:
                    with transaction.atomic():
                        self._write([row])
                except DatabaseError as exc:
                    raise ImportRowFailed(row.line, [_("Die Datenbank hat die Zeile abgelehnt.")]) from exc
            raise  # every row alone was accepted: not a row's fault (the transaction is rolled back all the same)

    def _organisation_of(self, row: PlannedRow, created: dict[int, Organisation], existing: dict[int, Organisation]) -> Organisation:
        if row.organisation_action == "same_as":
            assert row.same_as_line is not None  # planning sets it with "same_as"
            return created.get(row.same_as_line) or self.organisations_by_line[row.same_as_line]
        assert row.existing_organisation_id is not None  # planning sets it with "existing"
        found = existing.get(row.existing_organisation_id) or self.existing.get(row.existing_organisation_id)
        if found is None:
            raise ImportRowFailed(row.line, [_("Die Organisation gibt es in diesem Verbund nicht mehr.")])
        return found

    def _write(self, rows: list[PlannedRow]) -> None:
        # Nothing on `self` changes before every insert of the chunk went through (a refused chunk is retried row by row).
        for row in rows:
            if row.organisation_action != "skip":
                check_row(row)
        wanted = {row.existing_organisation_id for row in rows if row.organisation_action == "existing" and row.existing_organisation_id} - set(self.existing)
        existing: dict[int, Organisation] = {}
        primaries: set[int] = set()
        if wanted:
            # Found through the network's scoped queryset, never by bare ids: the plan may be older than the data.
            existing = {org.pk: org for org in Organisation.objects.for_network(self.network).filter(pk__in=wanted)}
            primaries = set(Contact.objects.filter(organisation_id__in=wanted, is_primary=True).values_list("organisation_id", flat=True))

        creating = [row for row in rows if row.organisation_action == "create"]
        organisations = []
        for row in creating:
            organisation = Organisation(**ORGANISATION_FIELDS.take(row.organisation))
            for name, value in search_fields(organisation).items():
                setattr(organisation, name, value)
            organisations.append(organisation)
        organisations = bulk_create_with_history(organisations, Organisation, default_user=self.by)
        created = {row.line: organisation for row, organisation in zip(creating, organisations, strict=True)}

        memberships = []
        for row, organisation in zip(creating, organisations, strict=True):
            data = dict(row.membership)
            unknown = sorted(set(data) - MEMBERSHIP_KEYS)
            if unknown:
                raise TypeError(f"Membership: unknown import keys {unknown}")
            data["role"] = data.get("role") or Membership.Role.USER
            data["status"] = data.get("status") or Membership.Status.ACTIVE
            if data.get("annual_fee") is None:
                data.pop("annual_fee", None)
            data["notes"] = data.get("notes") or ""
            memberships.append(Membership(organisation=organisation, network=self.network, import_job=self.job, sort_name=organisation.search_name, **data))
        memberships = bulk_create_with_history(memberships, Membership, default_user=self.by)
        MembershipStatusChange.objects.bulk_create([change for m in memberships for change in _first_status_changes(m, self.by)])

        contacts = []
        skipped = 0
        primary_now: set[int] = set()
        for row in rows:
            if row.organisation_action == "skip":
                skipped += 1
                continue
            if not (row.create_contact and row.contact is not None):
                continue
            organisation = created[row.line] if row.line in created else self._organisation_of(row, created, existing)
            # The general address ("Zentrale") is never the main contact: the first person of the organisation is.
            is_primary = not row.general_contact and not (organisation.pk in self.has_primary or organisation.pk in primaries or organisation.pk in primary_now)
            if is_primary:
                primary_now.add(organisation.pk)
            contacts.append(Contact(organisation=organisation, import_job=self.job, **CONTACT_FIELDS.take({**row.contact, "is_primary": is_primary})))
        bulk_create_with_history(contacts, Contact, default_user=self.by)

        self.organisations_by_line.update(created)
        self.existing.update(existing)
        self.has_primary |= primaries | primary_now
        self.result.organisations += len(organisations)
        self.result.contacts += len(contacts)
        self.result.skipped += skipped


def import_write(
    *,
    plan: ImportPlan,
    network: Network,
    by: User,
    job: BackgroundJob | None = None,
    progress: Callable[[int], None] | None = None,
    valid_only: bool = False,
) -> ImportResult:
    """Write a plan in one transaction (all or nothing); memberships and contacts are marked with `job`.

    Raises ImportRowFailed (and writes nothing) when a row fails. A plan with errors is refused unless
    `valid_only`: then the rows with errors are left out (and counted in `invalid`).
    `progress` is called with the number of plan rows handled after each chunk.
    """
    if plan.errors and not valid_only:
        raise ValueError("A plan with errors cannot be written.")
    result = ImportResult(invalid=sum(1 for row in plan.rows if row.errors))
    writer = _BatchWriter(network=network, by=by, job=job, result=result)
    with transaction.atomic():
        for start in range(0, len(plan.rows), CHUNK_ROWS):
            chunk = plan.rows[start : start + CHUNK_ROWS]
            valid = [row for row in chunk if not row.errors]
            if valid:
                writer.write(valid)
            if progress:
                progress(start + len(chunk))
    return result


# --- the job: draft, confirmation, run ------------------------------------------------


def import_draft_create(*, network: Network, by: User, table: Table, filename: str) -> BackgroundJob:
    """Keep an uploaded table as a PENDING import job until it is confirmed; discard this user's stale drafts."""
    import_drafts_discard_stale(user=by, network=network)
    return BackgroundJob.objects.create(
        user=by,
        network=network,
        kind=BackgroundJob.Kind.IMPORT,
        status=BackgroundJob.Status.PENDING,
        title=(_("Import: %(name)s") % {"name": filename})[:200],
        total=len(table.rows),
        params={
            "filename": filename[:200],
            "format": table.file_format,
            "header": table.header,
            "rows": table.rows,
            "lines": table.lines,
            "mapping": suggest_mapping(table.header),
            "existing": EXISTING_ADD_CONTACT,
            "confirmed": False,
        },
    )


def is_draft(job: BackgroundJob) -> bool:
    """An uploaded import that is not confirmed yet: its mapping and choices may still change."""
    return job.kind == BackgroundJob.Kind.IMPORT and job.status == BackgroundJob.Status.PENDING and not job.params.get("confirmed")


def import_drafts_discard_stale(*, now: datetime | None = None, user: User | None = None, network: Network | None = None) -> int:
    """Delete uploads never confirmed within DRAFT_HOURS (their rows are personal data); all of them, or one user's in one network."""
    drafts = BackgroundJob.objects.filter(
        kind=BackgroundJob.Kind.IMPORT,
        status=BackgroundJob.Status.PENDING,
        created_at__lt=(now or timezone.now()) - timedelta(hours=DRAFT_HOURS),
        params__confirmed=False,
    )
    if user is not None:
        drafts = drafts.filter(user=user, network=network)
    _total, per_model = drafts.delete()
    return per_model.get(BackgroundJob._meta.label, 0)


def import_discard(*, job: BackgroundJob) -> None:
    """Throw away an import that was never confirmed (nothing of it was written)."""
    if is_draft(job):
        job.delete()


def import_set_mapping(*, job: BackgroundJob, mapping: dict[str, int]) -> BackgroundJob:
    job.params = {**job.params, "mapping": mapping}
    job.save(update_fields=["params"])
    return job


def job_plan(job: BackgroundJob, *, existing: str | None = None) -> ImportPlan:
    """The plan of an import job's rows as they stand now, with its choice for existing organisations or `existing`."""
    params = job.params
    return plan_import(
        network=job.network,
        header=params["header"],
        rows=params["rows"],
        lines=params["lines"],
        mapping={key: int(index) for key, index in params.get("mapping", {}).items()},
        existing=existing or params.get("existing", EXISTING_ADD_CONTACT),
    )


def import_confirm(*, job: BackgroundJob, existing: str, valid_only: bool = False) -> bool:
    """Mark a draft as confirmed (once). Returns False when it was confirmed before (a double submit).

    With `valid_only` the run writes the rows without errors and hands the others back as a file.
    """
    params = {**job.params, "existing": existing, "valid_only": valid_only, "confirmed": True, "language": translation.get_language() or "de"}
    updated = BackgroundJob.objects.filter(pk=job.pk, status=BackgroundJob.Status.PENDING, params__confirmed=False).update(params=params)
    if updated:
        job.params = params
    return bool(updated)


def import_run(*, job_id: int) -> None:
    """Claim a confirmed import job and write it. Does nothing for a job already running or finished.

    The job ends DONE with counts, or FAILED with the row that failed; the
    uploaded rows are removed from the job either way.
    """
    claimed = BackgroundJob.objects.filter(pk=job_id, kind=BackgroundJob.Kind.IMPORT, status=BackgroundJob.Status.PENDING, params__confirmed=True).update(
        status=BackgroundJob.Status.RUNNING, done=0
    )
    if not claimed:
        return
    job = BackgroundJob.objects.select_related("network", "user").get(pk=job_id)
    with translation.override(job.params.get("language") or "de"):
        _run(job)


def _run(job: BackgroundJob) -> None:
    valid_only = bool(job.params.get("valid_only"))
    try:
        plan = job_plan(job)
        if plan.errors and not valid_only:  # the network changed since the preview, or the job was tampered with
            _finish_job(job, BackgroundJob.Status.FAILED, _("Die Daten enthalten Fehler. Es wurde nichts importiert."), plan.errors)
            return
        if not any(not row.errors for row in plan.rows):
            _finish_job(job, BackgroundJob.Status.FAILED, _("Keine Zeile ist fehlerfrei. Es wurde nichts importiert."), plan.errors)
            return
        job.total = len(plan.rows)
        BackgroundJob.objects.filter(pk=job.pk).update(total=job.total)
        with _ProgressWriter(job) as progress:
            result = import_write(plan=plan, network=job.network, by=job.user, job=job, progress=progress, valid_only=valid_only)
    except ImportRowFailed as failed:
        message = _("Zeile %(line)s konnte nicht gespeichert werden: %(error)s Es wurde nichts importiert.") % {
            "line": failed.line,
            "error": " ".join(failed.messages),
        }
        _finish_job(job, BackgroundJob.Status.FAILED, message, [RowError(failed.line, "", m) for m in failed.messages])
        return
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _finish_job(job, BackgroundJob.Status.FAILED, _("Der Import ist unerwartet fehlgeschlagen. Es wurde nichts importiert."), [])
        return
    message = _("%(organisations)s Organisationen und %(contacts)s Kontaktpersonen angelegt, %(skipped)s Zeilen übersprungen.") % {
        "organisations": result.organisations,
        "contacts": result.contacts,
        "skipped": result.skipped,
    }
    result_file = ""
    if result.invalid:
        message += " " + _("%(invalid)s Zeilen mit Fehlern wurden nicht importiert; sie stehen in der Datei zum Herunterladen.") % {"invalid": result.invalid}
        result_file = _save_rejected_rows(job, plan)
    _finish_job(job, BackgroundJob.Status.DONE, message, plan.errors, done=job.total, result_file=result_file, counts=result)


def rejected_rows_filename(job: BackgroundJob) -> str:
    stem = (job.params.get("filename") or "import").rsplit(".", 1)[0]
    return f"{stem}-{_('nicht-importiert')}.xlsx"


def _save_rejected_rows(job: BackgroundJob, plan: ImportPlan) -> str:
    """The rows with errors as they were uploaded, with a column naming the errors; stored as the job's file."""
    errors: dict[int, list[str]] = {}
    for error in plan.errors:
        errors.setdefault(error.line, []).append(f"{error.field}: {error.message}" if error.field else error.message)
    header = list(job.params["header"])
    width = len(header)

    def rows() -> Iterator[list[Any]]:
        for line, cells in zip(job.params["lines"], job.params["rows"], strict=True):
            if line in errors:
                yield [line, *(list(cells) + [""] * width)[:width], " · ".join(errors[line])]

    content = write_xlsx([_("Zeile"), *header, _("Fehler")], rows(), title=_("Nicht importiert"))
    job.result_file.save(f"import-{job.pk}-{secrets.token_hex(8)}.xlsx", ContentFile(content), save=False)
    return job.result_file.name or ""


def _finish_job(
    job: BackgroundJob,
    status: str,
    message: str,
    errors: list[RowError],
    done: int | None = None,
    result_file: str = "",
    counts: ImportResult | None = None,
) -> None:
    # The uploaded rows are personal data: once the job has ended they are no longer needed.
    params = {key: value for key, value in job.params.items() if key not in {"rows", "lines"}}
    if counts is not None:
        params["result"] = {"organisations": counts.organisations, "contacts": counts.contacts, "skipped": counts.skipped, "invalid": counts.invalid}
    if result_file:
        params["result_filename"] = rejected_rows_filename(job)
    fields: dict[str, Any] = {
        "status": status,
        "message": message,
        "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in errors[:500]],
        "params": params,
        "finished_at": timezone.now(),
    }
    if result_file:
        fields["result_file"] = result_file
    if done is not None:
        fields["done"] = done
    BackgroundJob.objects.filter(pk=job.pk).update(**fields)
    django_cache.delete(_progress_key(job.pk))


def _progress_key(job_id: int) -> str:
    return f"members:import-progress:{job_id}"


def job_progress(job: BackgroundJob) -> int:
    """Rows handled so far: the job row, or what the running import reported through the cache.

    The rows are written in one transaction, so `done` in the job row stays 0 until the end where no
    second connection can write it (SQLite, the embedded default); the cache carries it instead.
    """
    if BackgroundJob.Status(job.status).is_finished:
        return job.done
    try:
        reported = django_cache.get(_progress_key(job.pk)) or 0
    except Exception:  # noqa: BLE001 – progress is a nicety; the page must not fail for it
        reported = 0
    return max(job.done, int(reported))


class _ProgressWriter:
    """Reports `done` while the import's own transaction is still open.

    The rows are written in one transaction (all or nothing), so an update of
    the job row inside it would be invisible until the end. On PostgreSQL a
    second, autocommitting connection makes the progress visible in the row;
    everywhere the cache carries it too (the embedded default runs the import
    in a thread of the server process, whose cache the job page reads).
    """

    def __init__(self, job: BackgroundJob) -> None:
        self.job = job
        self.side: BaseDatabaseWrapper | None = None

    def __enter__(self) -> Callable[[int], None]:
        if connection.vendor == "postgresql":
            try:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            except Exception:  # noqa: BLE001 – progress is a nicety; the import must not fail for it
                self.side = None
        return self.report

    def report(self, done: int) -> None:
        try:
            django_cache.set(_progress_key(self.job.pk), done, timeout=3600)
        except Exception:
            logger.info("Progress of job %s not cached", self.job.pk, exc_info=True)
        if self.side is None:
            return
        try:
            with self.side.cursor() as cursor:
                table = self.side.ops.quote_name(BackgroundJob._meta.db_table)
                cursor.execute(f"UPDATE {table} SET done = %s WHERE id = %s", [done, self.job.pk])
        except Exception:
            logger.info("Progress of job %s not written", self.job.pk, exc_info=True)
            self.side = None

    def __exit__(self, *exc_info: object) -> None:
        if self.side is not None:
            self.side.close()


@receiver(post_delete, sender=BackgroundJob, dispatch_uid="members.imports.job_file_delete")
def _delete_job_file(sender: type[BackgroundJob], instance: BackgroundJob, **kwargs: Any) -> None:
    """A job's file (an export, an import's rejected rows) is personal data: it goes with the job."""
    if instance.result_file:
        instance.result_file.delete(save=False)
