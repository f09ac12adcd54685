// Package catalog builds the warehouse's DuckDB catalog, <out>/carelake.duckdb:
// views only, over the Parquet that load wrote, and runs read-only queries on
// it (the sql command).
//
// Build writes the whole catalog into a new temporary file next to the old
// one, checkpoints and fsyncs it, then renames it over carelake.duckdb and
// fsyncs the directory. A reader (an analyst's DuckDB, a BI tool) holding
// the old file open keeps its old views and never blocks the build; every
// new open sees the new catalog. A failed build leaves the old catalog as it
// was.
//
// Views:
//   - datasets.<table> (e.g. datasets.cqc_locations): every Parquet file of a
//     registered table, all partitions, partition columns typed (a column
//     named *_date is DATE, others VARCHAR), union_by_name so snapshots
//     written by different versions line up. A table with no files yet is an
//     empty relation with the same columns and types, so a fresh warehouse
//     has every view.
//   - the contract views of sql/views.sql (cqc_locations, cqc_location_ratings,
//     clinic_locations, ...), and for every other table the plain
//     cqc_<table> (latest snapshot) and cqc_<table>_history views.
//   - carelake_catalog: when the catalog was built and for which warehouse.
//
// Paths in the catalog are absolute, so it works from any working directory,
// and each main view is self-contained (it works when the file is ATTACHed
// under any name). The same script with paths relative to the warehouse is
// written to <out>/sql/carelake.sql, with the example queries under
// <out>/sql/examples/, for an analyst's own DuckDB session started in the
// warehouse. Moving the warehouse needs a rebuild (any 'carelake load').
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"carelake/pipeline"
	"carelake/schemas"
	sqlfiles "carelake/sql"
	"carelake/stages/load"
)

// FileName is the catalog's file name under the warehouse root.
const FileName = "carelake.duckdb"

// ScriptPath is where Build writes the analyst's copy of the views, relative
// to the warehouse root.
const ScriptPath = "sql/carelake.sql"

// Build rebuilds <root>/carelake.duckdb from the registered tables and the
// embedded views; see the package comment. The caller holds the warehouse
// run lock (pipeline.AcquireLock): Build removes temporary catalog files a
// crashed build left. A cancelled context stops the build before the rename.
func Build(ctx context.Context, root string, logger *slog.Logger) error {
	return build(ctx, root, load.Registered(), sqlfiles.Files, logger)
}

func build(ctx context.Context, root string, tables []schemas.Table, views fs.FS, logger *slog.Logger) error {
	start := time.Now()
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := os.MkdirAll(abs, pipeline.DirPerm); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := removeTemporaries(abs); err != nil {
		return err
	}
	l := layout{root: abs, absolute: true, resolve: true}
	text, err := script(tables, views, l)
	if err != nil {
		return err
	}
	empty := 0
	for _, t := range tables {
		if ok, err := l.hasFiles(t); err != nil {
			return err
		} else if !ok {
			empty++
		}
	}
	text += fmt.Sprintf("\nCREATE OR REPLACE VIEW carelake_catalog AS SELECT TIMESTAMPTZ %s AS built_at, %s AS warehouse_root;\n",
		quote(time.Now().UTC().Format("2006-01-02 15:04:05.000000+00")), quote(abs))

	tmp := filepath.Join(abs, fmt.Sprintf(".%s.tmp-%d-%d", FileName, os.Getpid(), time.Now().UnixNano()))
	if err := createCatalog(ctx, tmp, text); err != nil {
		removeCatalogFiles(tmp)
		return err
	}
	dst := filepath.Join(abs, FileName)
	if err := os.Rename(tmp, dst); err != nil {
		removeCatalogFiles(tmp)
		return fmt.Errorf("catalog: rename into %s: %w", dst, err)
	}
	if err := pipeline.SyncDir(abs); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	if err := writeAnalystScripts(abs, tables, views); err != nil {
		return err
	}
	logger.Info("catalog built", "path", dst, "tables", len(tables), "empty_tables", empty,
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// createCatalog runs the script into a new DuckDB file at path and makes it
// durable.
func createCatalog(ctx context.Context, path, text string) error {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return fmt.Errorf("catalog: open %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, text); err != nil {
		db.Close()
		return fmt.Errorf("catalog: create views: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		db.Close()
		return fmt.Errorf("catalog: checkpoint: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("catalog: close %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("catalog: fsync %s: %w", path, err)
	}
	return nil
}

// removeTemporaries removes catalog files a crashed build left half-written.
func removeTemporaries(root string) error {
	left, err := filepath.Glob(filepath.Join(root, "."+FileName+".tmp-*"))
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for _, p := range left {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("catalog: remove %s: %w", p, err)
		}
	}
	return nil
}

// removeCatalogFiles removes a DuckDB file and its write-ahead log.
func removeCatalogFiles(path string) {
	os.Remove(path)
	os.Remove(path + ".wal")
}

// writeAnalystScripts writes <root>/sql/carelake.sql (the views with paths
// relative to the warehouse) and the example queries.
func writeAnalystScripts(root string, tables []schemas.Table, views fs.FS) error {
	text, err := script(tables, views, layout{root: root, resolve: true})
	if err != nil {
		return err
	}
	text = analystHeader + text
	if err := pipeline.WriteFileAtomic(filepath.Join(root, filepath.FromSlash(ScriptPath)), pipeline.FilePerm, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	examples, err := fs.Glob(views, "examples/*.sql")
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for _, name := range examples {
		b, err := fs.ReadFile(views, name)
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if err := pipeline.WriteFileAtomic(filepath.Join(root, "sql", filepath.FromSlash(name)), pipeline.FilePerm, func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		}); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	return nil
}

const analystHeader = `-- carelake views for your own DuckDB session, written by the last catalog
-- build of this warehouse (tables without files yet are empty relations).
-- Paths are relative to the warehouse root: start DuckDB there, or first run
--   SET file_search_path = '/path/to/warehouse';
-- then: .read sql/carelake.sql      (or simply open carelake.duckdb)
-- Examples: sql/examples/*.sql
`
