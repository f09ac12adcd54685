#!/usr/bin/env bash
# The catalog opens, and answers exactly as carelake's own DuckDB (2.0) does,
# in the other DuckDB versions analysts run: 1.4 and 1.5 (@duckdb/node-api
# from npm, pinned in duckdb-*/package-lock.json). 'make compat' runs it.
#
#   internal/compat/run.sh bin/carelake
#
# It builds the demo warehouse, asks carelake (DuckDB 2.0) the row count of
# every view of carelake.duckdb and the value checks of queries.sql, then
# opens the catalog read-only in each other version and asks the same.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" demo --out "$work/demo" --log-level warn >/dev/null
root="$work/demo"
sql() { "$bin" sql --out "$root" --log-level warn --format json "$1"; }

# Every view's row count, then the value checks.
: > "$work/queries.txt"
sql "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database() AND schema_name = 'main' ORDER BY 1" |
  node -e 'for (const r of JSON.parse(require("fs").readFileSync(0))) console.log(`SELECT count(*)::VARCHAR AS n FROM ${r.view_name}`)' >> "$work/queries.txt"
grep -v '^--' "$here/queries.sql" | grep . >> "$work/queries.txt"

version=$(sql "SELECT version() AS v" | node -e 'console.log(JSON.parse(require("fs").readFileSync(0))[0].v)')
{
  printf '{"version": "%s", "queries": [\n' "$version"
  first=1
  while IFS= read -r q; do
    [ $first = 1 ] || printf ',\n'
    first=0
    sql "$q" | node -e '
      const q = process.argv[1];
      const rows = JSON.parse(require("fs").readFileSync(0)).map((r) => Object.values(r).map((v) => (v === null ? null : String(v))));
      process.stdout.write(JSON.stringify({ name: q.slice(0, 90), sql: q, rows }));' "$q"
  done < "$work/queries.txt"
  printf '\n]}\n'
} > "$work/expected.json"
echo "carelake's DuckDB $version: $(wc -l < "$work/queries.txt") checks"

status=0
for pkg in "$here"/duckdb-*/; do
  (cd "$pkg" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  node "$here/check.mjs" "$pkg" "$root" "$work/expected.json" || status=1
done
exit $status
