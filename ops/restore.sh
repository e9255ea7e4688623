#!/usr/bin/env bash
# Restores a backup folder written by ops/backup.sh, then proves it: the restored tables, sequences, migrations
# and media files are compared with the backup's manifest.
#
#   ops/restore.sh [--force] BACKUP_FOLDER
#
# Environment: DATABASE_URL (or PG* variables) names the target database, MEDIA_ROOT the target folder for the
# files (unset or empty: files are not restored).
#
#   1. sha256 of every file against manifest.json — on a mismatch nothing is touched (exit 3).
#   2. The target must be empty: a database without tables (created when missing) and an empty MEDIA_ROOT.
#      Otherwise it refuses (exit 2) unless --force, which drops and recreates the database (connections to it
#      are ended) and empties MEDIA_ROOT. Stop web, worker, beat and backup first.
#   3. pg_restore --no-owner --exit-on-error --single-transaction, then the media archive.
#   4. Counts, checksums, sequences and migrations recomputed and compared with the manifest, and every file's
#      sha256 with media.sha256. Each difference is printed; exit 1 when there is any, 0 when none.
#   Exit 4: pg_restore itself failed (nothing of the dump was committed).
set -euo pipefail

PROGRAM=restore
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ops/backup-lib.sh
source "$here/backup-lib.sh"

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit "${1:-2}"
}

force=false
folder=""
for arg in "$@"; do
	case "$arg" in
	--force) force=true ;;
	-h | --help) usage 0 ;;
	-*) usage ;;
	*) [[ -z $folder ]] && folder="$arg" || usage ;;
	esac
done
[[ -n $folder ]] || usage
[[ -f $folder/manifest.json ]] || EXIT_CODE=3 die "$folder holds no manifest.json"
media_root="${MEDIA_ROOT:-}"
connection_init
started=$(date +%s%N)

# --- 1. the files are the ones the backup wrote ---------------------------------------------------------------
log "checking sha256 of the backup files against the manifest"
python3 "$here/manifest.py" verify-files "$folder" || EXIT_CODE=3 die "refused: $folder does not match its manifest (see above); nothing was changed"

# --- 2. the target is empty, or --force --------------------------------------------------------------------
maintenance_psql() { psql -X -q -t -A -v ON_ERROR_STOP=1 "${MAINTENANCE_ARGS[@]}" "$@"; }
exists=$(maintenance_psql -v name="$DB_NAME" <<<"SELECT count(*) FROM pg_database WHERE datname = :'name';")
relations=0
if [[ $exists == 1 ]]; then
	relations=$(db_psql -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
fi
media_files=0
if [[ -n $media_root && -d $media_root ]]; then
	media_files=$(find "$media_root" -mindepth 1 -maxdepth 1 | wc -l)
fi
if [[ $force != true ]] && ((relations > 0 || media_files > 0)); then
	EXIT_CODE=2 die "refused: database $DB_NAME has $relations relations, MEDIA_ROOT ${media_root:-(unset)} has $media_files entries; restore into an empty target or pass --force to replace them"
fi

if [[ $exists == 1 && ($force == true && $relations -gt 0) ]]; then
	log "dropping database $DB_NAME (--force)"
	maintenance_psql -v name="$DB_NAME" <<<'DROP DATABASE :"name" WITH (FORCE);'
	exists=0
fi
if [[ $exists != 1 ]]; then
	log "creating database $DB_NAME"
	maintenance_psql -v name="$DB_NAME" <<<'CREATE DATABASE :"name" TEMPLATE template0 ENCODING UTF8;'
fi

# --- 3. restore ----------------------------------------------------------------------------------------
log "restoring the database into $DB_NAME"
pg_restore --no-owner --exit-on-error --single-transaction "${DB_ARGS[@]}" "$folder/database.dump" ||
	EXIT_CODE=4 die "pg_restore failed (see above); the database $DB_NAME was left as empty as it was (one transaction)"

if [[ -f $folder/media.tar.gz ]]; then
	if [[ -z $media_root ]]; then
		log "MEDIA_ROOT is not set: the backup's files are not restored"
	else
		log "restoring the files into $media_root"
		mkdir -p "$media_root"
		if [[ $force == true ]]; then
			find "$media_root" -mindepth 1 -delete
		fi
		tar -C "$media_root" -xzf "$folder/media.tar.gz" --no-same-owner
	fi
fi

# --- 4. the proof --------------------------------------------------------------------------------------
log "recomputing counts and checksums"
facts=$(mktemp)
trap 'rm -f "$facts"' EXIT
database_facts_sql | db_psql >"$facts"
status=0
python3 "$here/manifest.py" compare "$folder" "$facts" || status=1

if [[ -f $folder/media.sha256 && -n $media_root ]]; then
	listed=$(grep -c . "$folder/media.sha256" || true)
	if changed=$(diff <(media_fingerprint "$media_root") "$folder/media.sha256"); then
		log "media: $listed files compared: 0 differences"
	else
		status=1
		# "<": as restored, ">": as in the backup; a changed file appears on both sides.
		printf '%s\n' "$changed" | grep '^[<>]' | sed -e 's/^< /media as restored:  /' -e 's/^> /media in the backup: /'
		log "media: $listed files compared: differences (see above)"
	fi
fi

seconds=$(((($(date +%s%N) - started) / 1000000)))
if ((status == 0)); then
	log "restore of $folder complete and identical to the backup ($((seconds / 1000)).$(printf '%03d' $((seconds % 1000))) s)"
else
	log "restore of $folder finished WITH DIFFERENCES (see above)"
fi
exit "$status"
