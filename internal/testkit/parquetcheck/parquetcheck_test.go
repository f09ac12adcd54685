package parquetcheck

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/stages/load"
)

func loadWarehouse(t *testing.T, rows int, o load.Options) string {
	t.Helper()
	root := t.TempDir()
	loadtest.Stage(t, root, "normalise-test", "run-1", rows, "2026-11-21", "2026-11-22")
	o.Root, o.Tables, o.Version = root, []schemas.Table{loadtest.Table()}, "test"
	if _, err := load.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestLoadedFilesReadIdentically is the interoperability proof: every file
// load writes (several files per partition here) is read with identical
// values by arrow-go, DuckDB and xitongsys/parquet-go, and meets the policy.
func TestLoadedFilesReadIdentically(t *testing.T) {
	root := loadWarehouse(t, 5000, load.Options{FileRows: 2000})
	if n := Warehouse(t, root); n != 6 {
		t.Fatalf("checked %d files, want 3 per partition", n)
	}
}

func TestEmptyFileReadsIdentically(t *testing.T) {
	root := loadWarehouse(t, 0, load.Options{})
	if n := Warehouse(t, root); n != 2 {
		t.Fatalf("checked %d files", n)
	}
}

// TestReadersSeeTheValues guards against a vacuous comparison: the readers
// must return the values written, not merely agree with each other.
func TestReadersSeeTheValues(t *testing.T) {
	root := loadWarehouse(t, 60, load.Options{})
	path := onlyFile(t, filepath.Join(root, loadtest.Dataset, "snapshot_date=2026-11-21"))
	want := map[string][]any{ // rows 0..2, 5, 7 and 12 of loadtest.Batch(60, "run-1/0")
		"id":         {"s:run-1/0-0", "s:run-1/0-1", "s:run-1/0-2", "s:run-1/0-5", "s:run-1/0-7", "s:run-1/0-12"},
		"name":       {"s:Orchids Care", "s:Café Ünïcødé Ltd – Ærø", "s:", nil, "s:", "s:"},
		"beds":       {"i:-40", "i:9223372036854775807", "i:-9223372036854775808", "i:-5", "i:9", "i:44"},
		"rank":       {"i:0", "i:1", "i:2", "i:5", "i:7", "i:12"},
		"score":      {"f:2.3333333333333335", "f:3.5833333333333335", "f:4.833333333333334", "f:8.583333333333334", "f:NaN", "f:17.333333333333332"},
		"active":     {"b:false", "b:true", "b:false", "b:true", "b:true", "b:false"},
		"registered": {"d:1900-01-01", "d:1901-02-02", "d:1902-03-03", "d:1905-06-06", "d:1907-08-08", "d:1912-01-13"},
		"fetched_at": {"t:1984-09-05T10:00:00.000007Z", "t:1984-09-06T23:00:00.000008Z", "t:1984-09-08T12:00:00.000009Z", "t:1984-09-13T03:00:00.000012Z", "t:1984-09-16T05:00:00.000014Z", "t:1984-09-23T22:00:00.000019Z"},
		"fee":        {"n:-50000.00", "n:-49445.67", "n:-48891.34", "n:-47228.35", "n:-46119.69", nil},
	}
	rowsAt := []int{0, 1, 2, 5, 7, 12}
	for name, read := range map[string]func(string) ([]Column, error){"arrow-go": ReadArrow, "DuckDB": ReadDuckDB, "xitongsys": ReadXitongsys} {
		cols, err := read(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range cols {
			for i, r := range rowsAt {
				if c.Values[r] != want[c.Name][i] {
					t.Errorf("%s: %s row %d = %s, want %s", name, c.Name, r, show(c.Values[r]), show(want[c.Name][i]))
				}
			}
		}
	}
}

func TestDiff(t *testing.T) {
	a := []Column{{Name: "x", Values: []any{"s:", nil, "f:NaN"}}}
	tests := []struct {
		name string
		b    []Column
		want string
	}{
		{"identical", []Column{{Name: "x", Values: []any{"s:", nil, "f:NaN"}}}, ""},
		{"empty vs NULL", []Column{{Name: "x", Values: []any{nil, nil, "f:NaN"}}}, `x row 0: "s:" vs NULL`},
		{"value", []Column{{Name: "x", Values: []any{"s:", nil, "f:0"}}}, `x row 2: "f:NaN" vs "f:0"`},
		{"rows", []Column{{Name: "x", Values: []any{"s:"}}}, "3 rows vs 1"},
		{"name", []Column{{Name: "y", Values: []any{"s:", nil, "f:NaN"}}}, `"x" vs "y"`},
		{"columns", nil, "1 columns vs 0"},
	}
	for _, tc := range tests {
		err := Diff(a, tc.b)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDecimalText(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		want  string
	}{{0, 2, "n:0.00"}, {5, 2, "n:0.05"}, {-5, 2, "n:-0.05"}, {-12345, 2, "n:-123.45"}, {7, 0, "n:7"}} {
		if got := decimal(big.NewInt(tc.v), tc.scale); got != tc.want {
			t.Errorf("%d scale %d: %v, want %s", tc.v, tc.scale, got, tc.want)
		}
	}
}

// TestPolicyViolations writes files that break the policy in known ways
// and expects each break to be reported (and none for a good file).
func TestPolicyViolations(t *testing.T) {
	good := loadWarehouse(t, 10, load.Options{})
	if v := PolicyViolations(onlyFile(t, filepath.Join(good, loadtest.Dataset, "snapshot_date=2026-11-21"))); len(v) != 0 {
		t.Fatalf("good file: %v", v)
	}

	ns := &arrow.TimestampType{Unit: arrow.Nanosecond}
	sch := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String}, {Name: "at", Type: ns}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	for i := 0; i < 250_000; i++ {
		b.Field(0).(*array.StringBuilder).Append("x")
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(i))
	}
	rec := b.NewRecordBatch()
	b.Release()
	defer rec.Release()
	tests := []struct {
		name  string
		props []parquet.WriterProperty
		arrow []pqarrow.WriterOption
		want  []string
	}{
		{"int96", nil, []pqarrow.WriterOption{pqarrow.WithDeprecatedInt96Timestamps(true)}, []string{"column at is INT96"}},
		{"nanoseconds", nil, nil, []string{"column at is Timestamp(isAdjustedToUTC=false, timeUnit=nanoseconds"}},
		{"uncompressed, plain strings, small row groups",
			[]parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Uncompressed), parquet.WithDictionaryDefault(false), parquet.WithMaxRowGroupLength(1000)},
			[]pqarrow.WriterOption{pqarrow.WithCoerceTimestamps(arrow.Microsecond), pqarrow.WithTruncatedTimestamps(true)},
			[]string{"compressed with UNCOMPRESSED", "string column name has no dictionary", "row group 0 has 1000 rows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.parquet")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			props := append([]parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Zstd)}, tc.props...)
			w, err := pqarrow.NewFileWriter(sch, f, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(tc.arrow...))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(PolicyViolations(path), "\n")
			for _, want := range append(tc.want, `metadata "licence" is missing`, `metadata "carelake.table" is missing`) {
				if !strings.Contains(got, want) {
					t.Errorf("violations do not mention %q:\n%s", want, got)
				}
			}
		})
	}
}

// onlyFile is the one Parquet file of a partition directory.
func onlyFile(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if len(files) != 1 {
		t.Fatalf("%s holds %d Parquet files, want 1", dir, len(files))
	}
	return files[0]
}
