package parquetcheck

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"carelake/schemas/warehouse"
)

// MinRowGroupRows is the policy's row group size: every row group but a
// file's last holds at least this many rows.
const MinRowGroupRows = 100_000

// requiredMetadata are the key-value metadata every warehouse file carries.
var requiredMetadata = []string{warehouse.MetaLicence, warehouse.MetaSource, warehouse.MetaVersion, warehouse.MetaTable,
	warehouse.MetaPartition, warehouse.MetaColumnDocs, "ARROW:schema"}

// Policy fails t for every way the Parquet file at path breaks the Parquet
// policy (docs/architecture.md, "Parquet policy"): INT96 or
// non-microsecond or non-UTC timestamps, codecs other than zstd or snappy,
// string columns without a dictionary, row groups smaller than
// MinRowGroupRows where the data allows larger, missing licence, source and
// carelake metadata.
func Policy(t testing.TB, path string) {
	t.Helper()
	for _, p := range PolicyViolations(path) {
		t.Errorf("%s: %s", path, p)
	}
}

// partitionOf is the key=value directories a file lies in, innermost last
// ("clinic_id=a/event_month=2026-11"), "" when its directory is no
// partition.
func partitionOf(path string) string {
	var parts []string
	for dir := filepath.Dir(path); strings.Contains(filepath.Base(dir), "="); dir = filepath.Dir(dir) {
		parts = append([]string{filepath.Base(dir)}, parts...)
	}
	return strings.Join(parts, "/")
}

// PolicyViolations lists the ways the file at path breaks the policy.
func PolicyViolations(path string) []string {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return []string{err.Error()}
	}
	defer pf.Close()
	md := pf.MetaData()
	var out []string
	for i := 0; i < md.Schema.NumColumns(); i++ {
		c := md.Schema.Column(i)
		if c.PhysicalType() == parquet.Types.Int96 {
			out = append(out, fmt.Sprintf("column %s is INT96: write INT64 microsecond timestamps", c.Name()))
		}
		if ts, ok := c.LogicalType().(schema.TimestampLogicalType); ok {
			if ts.TimeUnit() != schema.TimeUnitMicros || !ts.IsAdjustedToUTC() {
				out = append(out, fmt.Sprintf("column %s is %s: want microseconds, isAdjustedToUTC", c.Name(), ts))
			}
		}
	}
	rows := md.GetNumRows()
	for g := 0; g < md.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		if g < md.NumRowGroups()-1 && rg.NumRows() < MinRowGroupRows {
			out = append(out, fmt.Sprintf("row group %d has %d rows of the file's %d: want %d+", g, rg.NumRows(), rows, MinRowGroupRows))
		}
		for i := 0; i < rg.NumColumns(); i++ {
			cc, err := rg.ColumnChunk(i)
			if err != nil {
				out = append(out, err.Error())
				continue
			}
			if c := cc.Compression(); c != compress.Codecs.Zstd && c != compress.Codecs.Snappy {
				out = append(out, fmt.Sprintf("row group %d column %s compressed with %s: want zstd or snappy", g, cc.PathInSchema(), c))
			}
			if _, isString := md.Schema.Column(i).LogicalType().(schema.StringLogicalType); isString && !cc.HasDictionaryPage() {
				out = append(out, fmt.Sprintf("row group %d string column %s has no dictionary", g, cc.PathInSchema()))
			}
		}
	}
	kv := md.KeyValueMetadata()
	for _, k := range requiredMetadata {
		v := kv.FindValue(k)
		switch {
		case k == warehouse.MetaPartition && v != nil:
			// The partition a file lies in (key=value/...), empty for a
			// dataset with none.
			if want := partitionOf(path); *v != want {
				out = append(out, fmt.Sprintf("key-value metadata %q is %q, but the file lies in %q", k, *v, want))
			}
		case v == nil || *v == "":
			out = append(out, fmt.Sprintf("key-value metadata %q is missing", k))
		}
	}
	return out
}
