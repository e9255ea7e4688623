"""Import of organisations, contacts and memberships from a spreadsheet (CSV or XLSX).

Three steps, each a plain function: `read_table` (reading.py) turns an upload
into a header and rows of strings (or a German message why not); `plan_import`
(planning.py) validates the mapped rows and finds duplicates without writing
anything; `import_run` (jobs.py) claims a confirmed job and writes the plan in
one transaction with bulk inserts, so a row failing on write leaves nothing
behind. The job is the batch: `import_undo` moves what it created to the trash.
"""

from members.imports.batches import (
    UNDO_DAYS,
    UndoPlan,
    batch_added_contacts,
    batch_memberships,
    import_undo,
    import_undo_plan,
    undo_deadline,
    undone_on,
)
from members.imports.jobs import (
    ImportResult,
    ImportRowFailed,
    import_confirm,
    import_discard,
    import_draft_create,
    import_drafts_discard_stale,
    import_run,
    import_set_mapping,
    import_write,
    is_draft,
    job_plan,
    job_progress,
)
from members.imports.planning import ImportPlan, PlannedRow, RowError, plan_import
from members.imports.reading import (
    CONTACT_KEYS,
    DRAFT_HOURS,
    EXISTING_ADD_CONTACT,
    EXISTING_SKIP,
    INLINE_IMPORT_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_ENTRIES,
    TARGETS,
    TARGETS_BY_KEY,
    Table,
    Target,
    read_table,
    suggest_mapping,
)

__all__ = [
    "undone_on",
    "undo_deadline",
    "job_progress",
    "import_undo_plan",
    "import_undo",
    "batch_memberships",
    "batch_added_contacts",
    "UndoPlan",
    "UNDO_DAYS",
    "CONTACT_KEYS",
    "DRAFT_HOURS",
    "EXISTING_ADD_CONTACT",
    "EXISTING_SKIP",
    "INLINE_IMPORT_ROWS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_ENTRIES",
    "TARGETS",
    "TARGETS_BY_KEY",
    "ImportPlan",
    "ImportResult",
    "ImportRowFailed",
    "PlannedRow",
    "RowError",
    "Table",
    "Target",
    "import_confirm",
    "import_discard",
    "import_drafts_discard_stale",
    "import_draft_create",
    "import_run",
    "import_set_mapping",
    "import_write",
    "is_draft",
    "job_plan",
    "plan_import",
    "read_table",
    "suggest_mapping",
]
