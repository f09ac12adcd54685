package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Table declares one output dataset of the warehouse.
type Table struct {
	// Dataset is the directory under the warehouse root ("cqc/locations").
	Dataset string
	// PartitionBy lists the hive partition columns, outermost first
	// (["snapshot_date"], or ["clinic_id", "event_date"]). They live in the
	// directory names only, not inside the Parquet files.
	PartitionBy []string
	// Schema is the schema of the columns stored in the files. Each field
	// carries its description under the metadata key "doc".
	Schema *arrow.Schema
	// Doc describes the table in a sentence or two.
	Doc string
}

// DocKey is the field metadata key holding a column's description.
const DocKey = "doc"

// Field builds a schema field with its description.
func Field(name string, typ arrow.DataType, nullable bool, doc string) arrow.Field {
	return arrow.Field{Name: name, Type: typ, Nullable: nullable,
		Metadata: arrow.NewMetadata([]string{DocKey}, []string{doc})}
}

// Common column types, per the Parquet policy in DESIGN.md: timestamps are
// microseconds UTC, calendar dates are DATE.
var (
	TimestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	Date         = arrow.FixedWidthTypes.Date32
)
