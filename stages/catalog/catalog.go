// Package catalog builds the warehouse's DuckDB catalog, <out>/carelake.duckdb:
// views only, over the Parquet that load and the marts stage wrote, and runs
// read-only queries on it (the sql command).
//
// Build writes the whole catalog into a new temporary file next to the old
// one, checkpoints and fsyncs it, then renames it over carelake.duckdb and
// fsyncs the directory. A reader (an analyst's DuckDB, a BI tool) holding
// the old file open keeps its old views and never blocks the build; every
// new open sees the new catalog. A failed build leaves the old catalog as it
// was. The file is written in DuckDB's v1.0.0 storage format, so the DuckDB
// versions analysts run (1.4 and later) open it.
//
// Views:
//   - datasets.<table> (e.g. datasets.cqc_locations): every Parquet file of a
//     registered table, all partitions, partition columns typed (a column
//     named *_date is DATE, others VARCHAR), union_by_name so snapshots
//     written by different versions line up. A table with no files yet is an
//     empty relation with the same columns and types, so a fresh warehouse
//     has every view.
//   - the contract views of sql/views.sql (cqc_locations, cqc_location_ratings,
//     clinic_locations, ...): a mart (schemas.Marts) is a plain read of its
//     files under marts/<view>/, every other view is as written; and for
//     every other table the plain cqc_<table> (latest snapshot) and
//     cqc_<table>_history views.
//   - pipeline_runs (the run history) and carelake_catalog (when the catalog
//     was built and where).
//
// Every view and every column carries a COMMENT (duckdb_columns() shows
// them), from schemas: the tables' and views' declarations. Build checks
// that each contract view has exactly its declared columns and types.
//
// Paths in the catalog are relative to the warehouse root, so a warehouse
// moved or copied elsewhere (mv, cp -a) still answers, and never from the old
// place: open it with the root as working directory, or SET file_search_path
// to the root first ('carelake sql' does). The same script is written to
// <out>/sql/carelake.sql, with the example queries under <out>/sql/examples/,
// for an analyst's own DuckDB session.
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
	"slices"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// FileName is the catalog's file name under the warehouse root.
const FileName = warehouse.CatalogFile

// ScriptPath is where Build writes the analyst's copy of the views, relative
// to the warehouse root.
const ScriptPath = "sql/carelake.sql"

// Options configures Run.
type Options struct {
	// Root is the warehouse root (--out).
	Root string
	// Logger gets the build's one line (default: discarded).
	Logger *slog.Logger

	// spec defaults to the warehouse's catalog (defaultSpec); tests change it.
	spec *spec
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.spec == nil {
		s := defaultSpec()
		o.spec = &s
	}
	return o
}

// Summary describes a built catalog.
type Summary struct {
	Path string `json:"path"`
	// Tables registered, EmptyTables of them without files yet.
	Tables      int           `json:"tables"`
	EmptyTables int           `json:"empty_tables"`
	Duration    time.Duration `json:"duration"`
}

// storageVersion is the DuckDB storage format the catalog is written in:
// the oldest that DuckDB 2.0 writes, so DuckDB 1.0 and later open it.
const storageVersion = "v1.0.0"

// Run rebuilds <root>/carelake.duckdb from the registered tables, the marts
// and the embedded views; see the package comment. The caller holds the
// warehouse run lock (pipeline.AcquireLock): Run removes temporary catalog
// files a crashed build left. A cancelled context stops the build before
// the rename.
func Run(ctx context.Context, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	start := time.Now()
	sum, err := build(ctx, opts.Root, *opts.spec)
	if err != nil {
		return sum, err
	}
	sum.Duration = time.Since(start)
	opts.Logger.Info("catalog built", "path", sum.Path, "tables", sum.Tables, "empty_tables", sum.EmptyTables,
		"duration", sum.Duration.Round(time.Millisecond))
	return sum, nil
}

func build(ctx context.Context, root string, s spec) (Summary, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(abs, durable.DirPerm); err != nil {
		return Summary{}, err
	}
	if err := removeTemporaries(abs); err != nil {
		return Summary{}, err
	}
	text, err := script(s, source{root: abs})
	if err != nil {
		return Summary{}, err
	}
	empty := 0
	for _, t := range s.tables {
		if ok, err := warehouse.HasFiles(abs, t); err != nil {
			return Summary{}, err
		} else if !ok {
			empty++
		}
	}
	text += fmt.Sprintf(`
CREATE OR REPLACE VIEW carelake_catalog AS SELECT TIMESTAMPTZ %s AS built_at, %s AS warehouse_root;
COMMENT ON VIEW carelake_catalog IS 'When this catalog was built, and where.';
COMMENT ON COLUMN carelake_catalog.built_at IS 'when the catalog was built (UTC)';
COMMENT ON COLUMN carelake_catalog.warehouse_root IS 'the warehouse root it was built in; its views read paths relative to the root, so a moved warehouse still answers';
`, warehouse.Quote(time.Now().UTC().Format("2006-01-02 15:04:05.000000+00")), warehouse.Quote(abs))

	tmp := filepath.Join(abs, fmt.Sprintf(".%s.tmp-%d-%d", FileName, os.Getpid(), time.Now().UnixNano()))
	if err := createCatalog(ctx, abs, tmp, text, s.defined()); err != nil {
		removeCatalogFiles(tmp)
		return Summary{}, err
	}
	dst := filepath.Join(abs, FileName)
	if err := os.Rename(tmp, dst); err != nil {
		removeCatalogFiles(tmp)
		return Summary{}, fmt.Errorf("rename into %s: %w", dst, err)
	}
	if err := durable.SyncDir(abs); err != nil {
		return Summary{}, err
	}
	if err := writeAnalystScripts(abs, text, s.views); err != nil {
		return Summary{}, err
	}
	return Summary{Path: dst, Tables: len(s.tables), EmptyTables: empty}, nil
}

// createCatalog runs the script into a new DuckDB file at path, in the
// storage format older DuckDB versions read, with relative paths resolved
// against root, checks the contract views' columns against their
// declarations, and makes the file durable.
func createCatalog(ctx context.Context, root, path, text string, decls []schemas.View) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one session: ATTACH, USE and SET are per connection
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{
		"SET file_search_path = " + warehouse.Quote(root),
		fmt.Sprintf("ATTACH %s AS catalog (STORAGE_VERSION %s)", warehouse.Quote(path), warehouse.Quote(storageVersion)),
		"USE catalog",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
	}
	// One transaction: a commit per statement (a view, a comment) would
	// take seconds.
	if _, err := conn.ExecContext(ctx, "BEGIN;\n"+text+"\nCOMMIT;"); err != nil {
		return fmt.Errorf("create views: %w", err)
	}
	if err := checkColumns(ctx, conn, decls); err != nil {
		return err
	}
	for _, q := range []string{"CHECKPOINT", "USE memory", "DETACH catalog"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}

// checkColumns compares every declared view's columns, in order, with
// what DuckDB made of its SQL: a view edited without its declaration (or
// the other way round) fails the build.
func checkColumns(ctx context.Context, conn *sql.Conn, decls []schemas.View) error {
	for _, d := range decls {
		rows, err := conn.QueryContext(ctx, "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index", d.Name)
		if err != nil {
			return err
		}
		var got []string
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				rows.Close()
				return err
			}
			got = append(got, name+" "+typ)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		want, err := declaredColumns(d)
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("view %s has columns %v, schemas.Views declares %v: change sql/views.sql and schemas/views.go together", d.Name, got, want)
		}
	}
	return nil
}

// declaredColumns is a view's declaration as "name TYPE" in DuckDB's terms.
func declaredColumns(d schemas.View) ([]string, error) {
	out := make([]string, len(d.Columns))
	for i, f := range d.Columns {
		typ, err := warehouse.DuckType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("view %s column %s: %w", d.Name, f.Name, err)
		}
		out[i] = f.Name + " " + typ
	}
	return out, nil
}

// removeTemporaries removes catalog files a crashed build left half-written.
func removeTemporaries(root string) error {
	left, err := filepath.Glob(filepath.Join(root, "."+FileName+".tmp-*"))
	if err != nil {
		return err
	}
	for _, p := range left {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}

// removeCatalogFiles removes a DuckDB file and its write-ahead log.
func removeCatalogFiles(path string) {
	os.Remove(path)
	os.Remove(path + ".wal")
}

// writeAnalystScripts writes <root>/sql/carelake.sql (the catalog's views,
// paths relative to the warehouse) and the example queries.
func writeAnalystScripts(root, text string, views fs.FS) error {
	text = analystHeader + text
	if err := durable.WriteFileAtomic(filepath.Join(root, filepath.FromSlash(ScriptPath)), durable.FilePerm, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}); err != nil {
		return err
	}
	examples, err := fs.Glob(views, "examples/*.sql")
	if err != nil {
		return err
	}
	for _, name := range examples {
		b, err := fs.ReadFile(views, name)
		if err != nil {
			return err
		}
		if err := durable.WriteFileAtomic(filepath.Join(root, "sql", filepath.FromSlash(name)), durable.FilePerm, func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		}); err != nil {
			return err
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
