// Package sqlfiles (directory sql) ships carelake's DuckDB views as files
// an analyst can read into their own DuckDB session, embedded so the
// catalog builder (stages/catalog) creates exactly the same views in
// carelake.duckdb.
//
//   - tables.sql is generated from schemas/ (do not edit; regenerate with
//     go test ./stages/catalog -run TestTablesSQL -update): the schema
//     "datasets" with one view per registered table over its Parquet files,
//     all partitions, and the plain views cqc_<table> (latest snapshot) and
//     cqc_<table>_history (every snapshot) of every table views.sql does not
//     define itself.
//   - views.sql holds the contract views (docs/architecture.md, "Views and
//     marts": cqc_locations, cqc_location_ratings, clinic_locations, ...).
//     It refers to the Parquet only through datasets.<table>.
//   - examples/*.sql are analyst queries over those views.
//
// Paths in tables.sql are relative to the warehouse root: run it from there
// (or SET file_search_path to it). It assumes every dataset has files,
// compacted months of the CQC history included (DuckDB refuses a glob that
// matches none). The builder writes the same views, with the same relative
// paths, into carelake.duckdb, and the warehouse's own copy of the whole
// script, with an empty relation for what that warehouse lacks, to
// <out>/sql/carelake.sql: the one to run on a given warehouse. The package is named
// sqlfiles so that it never shadows database/sql.
package sqlfiles

import "embed"

// Files holds views.sql, tables.sql and examples/*.sql.
//
//go:embed views.sql tables.sql examples/*.sql
var Files embed.FS

// Views is the name of the contract views file in Files.
const Views = "views.sql"

// Tables is the name of the generated tables file in Files.
const Tables = "tables.sql"
