// Package warehouse is the warehouse's on-disk format as its readers see it:
// where each dataset's Parquet files are, the key-value metadata every file
// carries, and how DuckDB reads a dataset (the SQL the catalog and the marts
// stage share). The layout itself is described in docs/architecture.md.
package warehouse

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/schemas"
)

// Key-value metadata of every Parquet file of the warehouse. A stage output
// carries MetaLicence and MetaSource (staging.Writer.SetMeta); the writer of
// the file adds the others.
const (
	// MetaLicence holds the data's licence and attribution, e.g. "Contains
	// CQC data © Care Quality Commission, Open Government Licence v3.0".
	MetaLicence = "licence"
	// MetaSource names where the data came from (the API base URL).
	MetaSource = "source"

	MetaVersion    = "carelake.version"
	MetaTable      = "carelake.table"
	MetaTableDoc   = "carelake.table_doc"
	MetaColumnDocs = "carelake.column_docs" // JSON object: column name -> description
	MetaPartition  = "carelake.partition"
	MetaStage      = "carelake.stage"
	// MetaRunID is the run that wrote the file: the run_id of its row in
	// pipeline_runs.
	MetaRunID = "carelake.run_id"
	// MetaInputRunID is the run whose stage output the rows come from (the
	// same run when 'carelake run' did both).
	MetaInputRunID = "carelake.input_run_id"
	// MetaStorage is "changes" in the files of a partition stored by change
	// (schemas.Table.Owner), absent from a partition holding a whole snapshot.
	MetaStorage = "carelake.storage"
	// MetaPartialSnapshot is "true" in the meta of a stage output whose
	// snapshot partitions hold only the organisations whose body changed
	// (its Cover, whole; the others are as they were in the snapshot
	// before): load stores those, and removes no other owner.
	MetaPartialSnapshot = "carelake.partial_snapshot"
	// MetaRules names the rules the normalise stage made its rows with
	// (every file of a snapshot it staged carries them): normalise stages
	// only what changed since the latest snapshot only if that snapshot was
	// made with its own rules.
	MetaRules = "carelake.rules"
)

// StateDir is where a warehouse keeps its pipeline state (watermarks,
// cursors, loaded inputs, run history).
func StateDir(root string) string { return filepath.Join(root, "state") }

// RunsFile is the run history under a warehouse root, one JSON object per
// line, oldest first (pipeline.RunRecord): the runner writes it, the
// catalog's pipeline_runs view and carelake status read it.
func RunsFile(root string) string { return filepath.Join(StateDir(root), "runs.jsonl") }

// NewRunID names a run by its start time, so IDs sort chronologically: the
// run_id of pipeline_runs and of every file a run writes.
func NewRunID(t time.Time) string { return t.UTC().Format("20060102T150405.000Z") }

// CatalogFile is the DuckDB catalog's file name under the root.
const CatalogFile = "carelake.duckdb"

// MartsDir is the directory of the marts under the root: marts/<view>/.
const MartsDir = "marts"

// Pattern is the glob matching every Parquet file of t relative to the
// root: one key=* level per partition column, so nothing else under the
// dataset directory matches (temporary directories live outside the
// datasets; only durable.ReplaceDir's fallback on a filesystem without
// RENAME_EXCHANGE briefly leaves a key=value.old directory, whose value then
// fails a DATE cast rather than adding rows). A *_month column is a string,
// which no cast guards: its level is key=????-??, which a key=2026-11.old
// directory does not match. Directories of a table's former layout
// (schemas.Table.FormerPartitionBy, folded by the next load) do not match
// either.
func Pattern(t schemas.Table) string {
	parts := []string{t.Dataset}
	for _, k := range t.PartitionBy {
		if strings.HasSuffix(k, "_month") {
			parts = append(parts, k+"=????-??")
			continue
		}
		parts = append(parts, k+"=*")
	}
	return strings.Join(append(parts, "*.parquet"), "/")
}

// HasFiles reports whether the dataset t has a Parquet file under root.
func HasFiles(root string, t schemas.Table) (bool, error) {
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(Pattern(t))))
	if err != nil {
		return false, fmt.Errorf("%s: %w", t.Dataset, err)
	}
	return len(files) > 0, nil
}

// ReadSQL is the query over the files a glob (or a list of files) matches,
// read as dataset t: read_parquet with typed hive partition columns (a
// column named *_date is DATE, others VARCHAR), union_by_name so files
// written by different versions line up.
func ReadSQL(glob string, t schemas.Table) (string, error) {
	if len(t.PartitionBy) == 0 {
		return fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = false, union_by_name = true)", Quote(glob)), nil
	}
	types := make([]string, len(t.PartitionBy))
	for i, k := range t.PartitionBy {
		typ, err := DuckType(schemas.PartitionType(k))
		if err != nil {
			return "", err
		}
		types[i] = Quote(k) + ": " + typ
	}
	return fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = true, union_by_name = true, hive_types = {%s})",
		Quote(glob), strings.Join(types, ", ")), nil
}

// EmptySQL has t's columns (partition columns last, as read_parquet puts
// them) with DuckDB's types for what the warehouse writes, and no rows: the
// stand-in for a dataset without files (read_parquet refuses an empty glob).
func EmptySQL(t schemas.Table) (string, error) {
	fields := t.Schema.Fields()
	// read_parquet puts the partition columns last in the order of their
	// names, not of the directories.
	for _, k := range slices.Sorted(slices.Values(t.PartitionBy)) {
		fields = append(fields, arrow.Field{Name: k, Type: schemas.PartitionType(k)})
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		typ, err := DuckType(f.Type)
		if err != nil {
			return "", fmt.Errorf("%s column %s: %w", t.Dataset, f.Name, err)
		}
		cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, Ident(f.Name))
	}
	return "SELECT " + strings.Join(cols, ", ") + " WHERE false", nil
}

// DuckType is the type DuckDB reads for a column written from an Arrow type
// (timestamps are always written UTC-adjusted: TIMESTAMPTZ).
func DuckType(t arrow.DataType) (string, error) {
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return "VARCHAR", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "BLOB", nil
	case *arrow.Int8Type:
		return "TINYINT", nil
	case *arrow.Int16Type:
		return "SMALLINT", nil
	case *arrow.Int32Type:
		return "INTEGER", nil
	case *arrow.Int64Type:
		return "BIGINT", nil
	case *arrow.Uint8Type:
		return "UTINYINT", nil
	case *arrow.Uint16Type:
		return "USMALLINT", nil
	case *arrow.Uint32Type:
		return "UINTEGER", nil
	case *arrow.Uint64Type:
		return "UBIGINT", nil
	case *arrow.Float32Type:
		return "FLOAT", nil
	case *arrow.Float64Type:
		return "DOUBLE", nil
	case *arrow.BooleanType:
		return "BOOLEAN", nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return "DATE", nil
	case *arrow.TimestampType:
		return "TIMESTAMP WITH TIME ZONE", nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	default:
		return "", fmt.Errorf("no DuckDB type for %s", t)
	}
}

// Quote is a SQL string literal.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Ident is a quoted SQL identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ViewSQL is the query reading a mart's files as its view: the files a glob
// matches (ReadSQL of the mart's table), or EmptySQL when there are none,
// with the columns in the view's order (read_parquet puts partition columns
// last).
func ViewSQL(glob string, v schemas.View, hasFiles bool) (string, error) {
	t := v.Table()
	var rel string
	var err error
	if hasFiles {
		rel, err = ReadSQL(glob, t)
	} else {
		rel, err = EmptySQL(t)
	}
	if err != nil {
		return "", err
	}
	cols := make([]string, len(v.Columns))
	for i, f := range v.Columns {
		cols[i] = Ident(f.Name)
	}
	return fmt.Sprintf("SELECT %s FROM (%s)", strings.Join(cols, ", "), rel), nil
}
