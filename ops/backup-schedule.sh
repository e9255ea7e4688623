#!/usr/bin/env bash
# The compose `backup` service: runs ops/backup.sh every day at BACKUP_AT (HH:MM, default 02:30, in the
# container's time zone: UTC unless TZ is set) and records the outcome in $BACKUP_DIR/.status, which the
# service's health check reads ("failed" → unhealthy until the next good run).
#
#   ops/backup-schedule.sh           the loop
#   ops/backup-schedule.sh --next [TIME]   print the next run time (after TIME, default now) and exit
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
at="${BACKUP_AT:-02:30}"
[[ $at =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]] || {
	echo "BACKUP_AT must be HH:MM, not '$at'" >&2
	exit 2
}

# BACKUP_AT on a day, in seconds; on the one night a year that skips that hour (TZ with summer time) the same
# time in UTC.
at_on() { date -d "$1 $at" +%s 2>/dev/null || date -d "$1 $at UTC" +%s; }

# The first BACKUP_AT after the moment $1 (seconds).
next_run() {
	local day today
	day=$(date -d "@$1" +%F)
	today=$(at_on "$day")
	if ((today > $1)); then echo "$today"; else at_on "$(date -d "$day +1 day" +%F)"; fi
}

if [[ ${1:-} == --next ]]; then
	date -d "@$(next_run "$(date -d "${2:-now}" +%s)")" '+%F %H:%M %Z'
	exit 0
fi

: "${BACKUP_DIR:?BACKUP_DIR must be set}"
mkdir -p "$BACKUP_DIR"
trap 'exit 0' TERM INT
while true; do
	next=$(next_run "$(date +%s)")
	echo "next backup at $(date -d "@$next" '+%F %H:%M %Z')"
	sleep $((next - $(date +%s))) &
	wait $! # interruptible: docker stop ends the wait at once
	if "$here/backup.sh"; then
		echo "ok $(date -u +%FT%TZ)" >"$BACKUP_DIR/.status"
	else
		echo "failed $(date -u +%FT%TZ)" >"$BACKUP_DIR/.status"
	fi
done
