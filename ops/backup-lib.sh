# Shared by ops/backup.sh and ops/restore.sh (sourced, not run): the database connection from the environment
# and the one query that describes a database's content, so that the backup's manifest and the check after a
# restore compute exactly the same figures.

log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$PROGRAM" "$*" >&2; }
die() {
	log "$*"
	exit "${EXIT_CODE:-1}"
}

# The connection as libpq wants it: DATABASE_URL (the portal's own variable, django-environ schemes accepted;
# its query string holds Django options, so it is dropped — TLS and the like go in PGSSLMODE etc.), else the
# PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) that libpq reads by itself.
connection_init() {
	DB_NAME="${PGDATABASE:-${PGUSER:-${USER:-postgres}}}"
	DB_ARGS=(--dbname="$DB_NAME")
	MAINTENANCE_ARGS=(--dbname=postgres)
	if [[ -n ${DATABASE_URL:-} ]]; then
		local url="${DATABASE_URL%%\?*}"
		case "$url" in
		postgres://* | postgresql://* | pgsql://* | psql://* | postgis://*) url="postgresql://${url#*://}" ;;
		*) die "DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/database)" ;;
		esac
		DB_NAME="${url##*/}"
		[[ -n $DB_NAME && $url == *://*/* ]] || die "DATABASE_URL names no database"
		DB_ARGS=(--dbname="$url")
		MAINTENANCE_ARGS=(--dbname="${url%/*}/postgres")
	fi
	# Row texts (and so the checksums) depend on these settings: fixed, so that every server and client agrees.
	export PGOPTIONS="${PGOPTIONS:-} -c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1 -c bytea_output=hex"
	export PGAPPNAME="${PGAPPNAME:-verbund-$PROGRAM}"
}

db_psql() { psql -X -q -t -A -v ON_ERROR_STOP=1 "${DB_ARGS[@]}" "$@"; }

# One JSON object: per table of the public schema its row count and a checksum (md5 over the sorted md5s of the
# rows' texts: independent of physical order, bounded memory per row), each sequence's last value and the highest
# value in use in the column it feeds, and the latest applied migration per Django app. query_to_xml runs the per-table query inside this one statement, so it works
# in a read-only transaction and sees the caller's snapshot.
database_facts_sql() {
	cat <<'SQL'
SELECT json_build_object(
  'tables', coalesce((
    SELECT json_object_agg(name, json_build_object('rows', n_rows, 'checksum', checksum) ORDER BY name)
    FROM (
      SELECT c.relname AS name,
             (xpath('/row/n/text()', x))[1]::text::bigint AS n_rows,
             (xpath('/row/c/text()', x))[1]::text AS checksum
      FROM pg_class c
      JOIN pg_namespace ns ON ns.oid = c.relnamespace
      CROSS JOIN LATERAL query_to_xml(format(
        $q$SELECT count(*) AS n, md5(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), '')) AS c
           FROM (SELECT md5(t::text) AS h FROM %I.%I AS t) AS rows$q$, ns.nspname, c.relname), false, true, '') AS x
      WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ) AS tables), '{}'::json),
  'sequences', coalesce((
    SELECT json_object_agg(s.relname, json_build_object('last_value', ps.last_value, 'max_used', (xpath('/row/m/text()', x))[1]::text::bigint)
                           ORDER BY s.relname)
    FROM pg_class s
    JOIN pg_namespace ns ON ns.oid = s.relnamespace
    JOIN pg_sequences ps ON ps.schemaname = ns.nspname AND ps.sequencename = s.relname
    LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass
                         AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
    LEFT JOIN pg_class t ON t.oid = d.refobjid
    LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    CROSS JOIN LATERAL query_to_xml(CASE WHEN t.oid IS NULL THEN 'SELECT NULL::bigint AS m'
                                         ELSE format('SELECT max(%I) AS m FROM %I.%I', a.attname, ns.nspname, t.relname) END,
                                    false, true, '') AS x
    WHERE s.relkind = 'S' AND ns.nspname = 'public'
  ), '{}'::json),
  'migrations', coalesce((
    SELECT json_object_agg(app, name ORDER BY app)
    FROM (SELECT DISTINCT ON (app) app, name FROM public.django_migrations ORDER BY app, id DESC) AS latest
  ), '{}'::json)
);
SQL
}

# sha256 of every file under a folder, sorted by path, in `sha256sum` format: the media's fingerprint.
media_fingerprint() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum --)
}
