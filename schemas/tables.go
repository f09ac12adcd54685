package schemas

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Table declares one output dataset of the warehouse.
type Table struct {
	// Dataset is the directory under the warehouse root ("cqc/locations").
	Dataset string
	// PartitionBy lists the hive partition columns, outermost first
	// (["snapshot_date"], or ["clinic_id", "event_month"]). They live in the
	// directory names only, not inside the Parquet files. A column named
	// *_date holds a date (YYYY-MM-DD, DATE), one named *_month a month
	// (YYYY-MM, a string), any other a string.
	PartitionBy []string
	// FormerPartitionBy, when set, is the partition layout the table had
	// before PartitionBy (same depth, outermost first). Load folds any
	// partition still in that layout into the current one on its next run
	// (see stages/load); a former column X_date becomes the current X_month
	// (its YYYY-MM), and a column both layouts name keeps its value. Only for
	// merged tables (MergeKey).
	FormerPartitionBy []string
	// Schema is the schema of the columns stored in the files. Each field
	// carries its description under the metadata key "doc".
	Schema *arrow.Schema
	// Doc describes the table in a sentence or two.
	Doc string
	// MergeKey, when set, makes the table append-only: load merges staged
	// rows into the partition's existing rows (rewriting it as one compacted
	// file) instead of replacing it, and skips staged rows whose MergeKey
	// value the partition already holds, so every input (a CareQ log
	// segment) is loaded exactly once even across crashes and reruns.
	MergeKey string
	// MergeDay, with MergeKey, names a timestamp column whose UTC day
	// refines the merge key: a partition holds an input per (MergeKey value,
	// day), and load skips only the staged rows of the days of an input it
	// holds. Every load brings all of an input's rows for a partition at
	// once, so this changes nothing for partitions written in one layout;
	// it matters for a partition folded from day partitions (FormerPartitionBy),
	// where a load killed between two days of one input could have put some
	// days of it in place and not the others: the next load of that input
	// adds the missing days instead of skipping the whole input.
	MergeDay string
	// Owner, when set, stores the table by change (docs/architecture.md,
	// "CQC history by change"): the columns naming the organisation (or
	// clinic) each row belongs to. A night's partition holds only the rows
	// of the owners whose rows changed that night, and CQCChanges records
	// every owner's versions; the catalog rebuilds each snapshot from them.
	// Only for tables partitioned by snapshot_date alone.
	Owner []string
}

// Relation is the table's relation name in DuckDB: its dataset path with
// "/" as "_" ("cqc/locations" is cqc_locations): the plain view of the
// catalog, datasets.<relation>, and a current copy's mart.
func (t Table) Relation() string { return strings.ReplaceAll(t.Dataset, "/", "_") }

// Tables is every output table of the warehouse.
func Tables() []Table { return append(append(CQCTables(), CQCChanges), CareQTables()...) }

// DocKey is the field metadata key holding a column's description.
const DocKey = "doc"

// Field builds a schema field with its description.
func Field(name string, typ arrow.DataType, nullable bool, doc string) arrow.Field {
	return arrow.Field{Name: name, Type: typ, Nullable: nullable,
		Metadata: arrow.NewMetadata([]string{DocKey}, []string{doc})}
}

// Common column types, per the Parquet policy (docs/architecture.md,
// "Parquet policy"): timestamps are microseconds UTC, calendar dates are DATE.
var (
	TimestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	Date         = arrow.FixedWidthTypes.Date32
)

// ParseDecimal reads the decimal number written in s (plain or exponent
// notation, as JSON allows) exactly at t's precision and scale. A number
// that would need rounding or does not fit is an error, never altered.
func ParseDecimal(s string, t *arrow.Decimal128Type) (decimal128.Num, error) {
	n, err := decimal128.FromString(s, t.Precision, t.Scale)
	if err != nil || !n.FitsInPrecision(t.Precision) {
		return n, fmt.Errorf("is not a number that fits DECIMAL(%d,%d): at most %d digits before the point",
			t.Precision, t.Scale, t.Precision-t.Scale)
	}
	x, ok1 := new(big.Rat).SetString(n.ToString(t.Scale))
	y, ok2 := new(big.Rat).SetString(s)
	if !ok1 || !ok2 || x.Cmp(y) != 0 {
		return n, fmt.Errorf("has more than %d decimal places", t.Scale)
	}
	return n, nil
}
