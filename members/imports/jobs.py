"""Writing a confirmed plan in one transaction, and the import job around it: draft, confirmation, run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
from members.models import Membership, Organisation
from members.services import contact_create, membership_update, organisation_create
from verbund.models import BackgroundJob, Network, User

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

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


def import_write(*, plan: ImportPlan, network: Network, by: User, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write a plan without errors in one transaction. Raises ImportRowFailed (and writes nothing) when a row fails."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be written.")
    result = ImportResult()
    organisations_by_line: dict[int, Organisation] = {}
    with transaction.atomic():
        for done, row in enumerate(plan.rows, start=1):
            try:
                _write_row(row, network=network, by=by, organisations_by_line=organisations_by_line, result=result)
            except ValidationError as exc:
                raise ImportRowFailed(row.line, _flatten(exc)) from exc
            except DatabaseError as exc:
                logger.warning("Import row %s failed on write", row.line, exc_info=True)
                raise ImportRowFailed(row.line, [_("Die Datenbank hat die Zeile abgelehnt.")]) from exc
            if progress:
                progress(done)
    return result


def _flatten(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {message}" if name != "__all__" else message for name, messages in exc.message_dict.items() for message in messages]
    return list(exc.messages)


def _write_row(row: PlannedRow, *, network: Network, by: User, organisations_by_line: dict[int, Organisation], result: ImportResult) -> None:
    if row.organisation_action == "skip":
        result.skipped += 1
        return
    if row.organisation_action == "create":
        membership = organisation_create(
            network=network,
            by=by,
            data=row.organisation,
            role=row.membership.get("role") or Membership.Role.USER,
            status=row.membership.get("status") or Membership.Status.ACTIVE,
        )
        if row.membership.get("annual_fee") is not None:
            membership_update(membership=membership, by=by, data={"annual_fee": row.membership["annual_fee"]})
        organisation = membership.organisation
        organisations_by_line[row.line] = organisation
        result.organisations += 1
    elif row.organisation_action == "same_as":
        assert row.same_as_line is not None  # planning sets it with "same_as"
        organisation = organisations_by_line[row.same_as_line]
    else:
        # The organisation is the network's: found through its scoped queryset, never by a bare pk.
        assert row.existing_organisation_id is not None  # planning sets it with "existing"
        organisation = Organisation.objects.for_network(network).get(pk=row.existing_organisation_id)
    if row.create_contact and row.contact is not None:
        is_primary = not organisation.contacts.filter(is_primary=True, archived_at__isnull=True).exists()
        contact_create(organisation=organisation, by=by, data={**row.contact, "is_primary": is_primary})
        result.contacts += 1


# --- the job: draft, confirmation, run ------------------------------------------------


def import_draft_create(*, network: Network, by: User, table: Table, filename: str) -> BackgroundJob:
    """Keep an uploaded table as a PENDING import job until it is confirmed; discard this user's stale drafts."""
    cutoff = timezone.now() - timedelta(hours=DRAFT_HOURS)
    BackgroundJob.objects.filter(
        user=by,
        network=network,
        kind=BackgroundJob.Kind.IMPORT,
        status=BackgroundJob.Status.PENDING,
        created_at__lt=cutoff,
        params__confirmed=False,
    ).delete()
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


def import_confirm(*, job: BackgroundJob, existing: str) -> bool:
    """Mark a draft as confirmed (once). Returns False when it was confirmed before (a double submit)."""
    params = {**job.params, "existing": existing, "confirmed": True, "language": translation.get_language() or "de"}
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
    try:
        plan = job_plan(job)
        if plan.errors:  # the network changed since the preview, or the job was tampered with
            _finish_job(job, BackgroundJob.Status.FAILED, _("Die Daten enthalten Fehler. Es wurde nichts importiert."), plan.errors)
            return
        job.total = len(plan.rows)
        BackgroundJob.objects.filter(pk=job.pk).update(total=job.total)
        with _ProgressWriter(job) as progress:
            result = import_write(plan=plan, network=job.network, by=job.user, progress=progress)
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
    _finish_job(job, BackgroundJob.Status.DONE, message, [], done=job.total)


def _finish_job(job: BackgroundJob, status: str, message: str, errors: list[RowError], done: int | None = None) -> None:
    # The uploaded rows are personal data: once the job has ended they are no longer needed.
    params = {key: value for key, value in job.params.items() if key not in {"rows", "lines"}}
    fields: dict[str, Any] = {
        "status": status,
        "message": message,
        "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in errors[:500]],
        "params": params,
        "finished_at": timezone.now(),
    }
    if done is not None:
        fields["done"] = done
    BackgroundJob.objects.filter(pk=job.pk).update(**fields)


class _ProgressWriter:
    """Writes `done` to the job row while the import's own transaction is still open.

    The rows are written in one transaction (all or nothing), so an update of
    the job row inside it would be invisible until the end. On PostgreSQL a
    second, autocommitting connection makes the progress visible; elsewhere
    (SQLite runs the embedded default, where tasks run in-process anyway)
    progress jumps from 0 to done.
    """

    def __init__(self, job: BackgroundJob) -> None:
        self.job = job
        self.step = max(1, job.total // 50)
        self.side: BaseDatabaseWrapper | None = None

    def __enter__(self) -> Callable[[int], None]:
        if connection.vendor == "postgresql":
            try:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            except Exception:  # noqa: BLE001 – progress is a nicety; the import must not fail for it
                self.side = None
        return self.report

    def report(self, done: int) -> None:
        if self.side is None or (done % self.step and done != self.job.total):
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
