#!/usr/bin/env bash
# A backup of the portal into one timestamped folder under BACKUP_DIR:
#
#   database.dump   pg_dump -Fc of the database
#   media.tar.gz    the uploaded files under MEDIA_ROOT, with media.sha256 (sha256 of every file)
#   manifest.json   row count and checksum of every table, sequences, the latest migration per app,
#                   sha256 of the files above, date, git commit — what ops/restore.sh checks against
#
# Environment: DATABASE_URL (or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE), MEDIA_ROOT (unset or empty:
# no files are backed up — object storage is backed up by its provider), BACKUP_DIR, BACKUP_KEEP_DAYS
# (default 30: older backup folders are deleted after a successful backup), GIT_COMMIT (optional).
#
# The dump and the manifest see the same snapshot: one REPEATABLE READ transaction exports its snapshot,
# pg_dump runs on it (--snapshot), and the same transaction then counts and checksums the tables.
# The folder is written as .<stamp>.partial and renamed when complete, so a folder with a stamp as its
# name is always a whole backup. Exit status 0 only when everything was written.
set -euo pipefail

PROGRAM=backup
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ops/backup-lib.sh
source "$here/backup-lib.sh"

[[ -n ${BACKUP_DIR:-} ]] || die "BACKUP_DIR must name the folder the backups are written to"
keep_days="${BACKUP_KEEP_DAYS:-30}"
[[ $keep_days =~ ^[0-9]+$ && $keep_days -ge 1 ]] || die "BACKUP_KEEP_DAYS must be a whole number of days (at least 1), not '$keep_days'"
media_root="${MEDIA_ROOT:-}"
[[ -z $media_root || -d $media_root ]] || die "MEDIA_ROOT $media_root is not a folder"
connection_init

started=$(date +%s%N)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
final="$BACKUP_DIR/$stamp"
work="$BACKUP_DIR/.$stamp.partial"
[[ ! -e $final ]] || die "$final exists already"
mkdir "$work"

snapshot_pid=""
cleanup() {
	[[ -z $snapshot_pid ]] || kill "$snapshot_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- database: the snapshot, the dump, the figures ---------------------------------------------------------
coproc SNAPSHOT { db_psql 2>&1; }
snapshot_pid=$SNAPSHOT_PID
to_snapshot=${SNAPSHOT[1]}
from_snapshot=${SNAPSHOT[0]}
printf '%s\n' 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;' 'SELECT pg_export_snapshot();' >&"$to_snapshot"
read -r -t 120 snapshot <&"$from_snapshot" || die "no connection to the database"
[[ $snapshot =~ ^[0-9A-Fa-f-]+$ ]] || die "could not open a snapshot: $snapshot"

log "dumping database $DB_NAME (snapshot $snapshot)"
pg_dump --format=custom --snapshot="$snapshot" --file="$work/database.dump" "${DB_ARGS[@]}"

log "counting and checksumming the tables in the same snapshot"
{
	printf '\\o %s\n' "'$work/database.json'"
	database_facts_sql
	printf '%s\n' '\o' '\echo facts-written' 'COMMIT;' '\q'
} >&"$to_snapshot"
read -r -t 3600 reply <&"$from_snapshot" || die "the database figures were not written"
[[ $reply == facts-written ]] || die "the database figures failed: $reply"
wait "$snapshot_pid" || die "the snapshot transaction did not end cleanly"
snapshot_pid=""

# --- media -----------------------------------------------------------------------------------------------
# After the dump: every file a dumped row names was already there (uploads are never overwritten in place).
if [[ -n $media_root ]]; then
	log "archiving $media_root"
	media_fingerprint "$media_root" >"$work/media.sha256"
	tar -C "$media_root" -czf "$work/media.tar.gz" .
else
	log "MEDIA_ROOT is not set: no files in this backup"
fi

# --- manifest ------------------------------------------------------------------------------------------
commit="${GIT_COMMIT:-$(git -C "$here/.." rev-parse HEAD 2>/dev/null || echo unknown)}"
python3 "$here/manifest.py" write "$work" --stamp "$stamp" --database "$DB_NAME" --commit "$commit" --started-ns "$started"
rm "$work/database.json"
sync -f "$work" 2>/dev/null || true
mv "$work" "$final"
log "backup written to $final"

# --- retention: only after a successful backup, by the stamp in the folder name ----------------------------
cutoff=$(date -u -d "-$keep_days days" +%Y%m%dT%H%M%SZ)
for folder in "$BACKUP_DIR"/*/; do
	name=$(basename "$folder")
	if [[ $name =~ ^[0-9]{8}T[0-9]{6}Z$ && $name < $cutoff ]]; then
		log "deleting $name (older than $keep_days days)"
		rm -rf -- "${folder%/}"
	fi
done
# Leftovers of runs that were killed (a running backup's .partial is younger than a day).
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '.*.partial' -mtime +0 -exec rm -rf -- {} +

printf '%s\n' "$final"
