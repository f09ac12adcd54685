// Package loadtest provides test fixtures for the load and catalog stages: a
// synthetic dataset with every column type the warehouse stores, and a
// helper that commits it as a stage output the way normalise does.
//
// Values cover the hard cases of Parquet interoperability: non-ASCII text,
// empty strings next to NULLs, int64 extremes, NaN and infinities, dates
// before 1970, microsecond timestamps before and after the epoch, negative
// decimals.
package loadtest

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// Dataset is the synthetic dataset's directory under the warehouse root.
const Dataset = "test/things"

// Licence and Source are the metadata Stage sets on the stage output.
const (
	Licence = "Contains synthetic test data, Open Government Licence v3.0"
	Source  = "carelake loadtest"
)

// Decimal is the type of the fee column.
var Decimal = &arrow.Decimal128Type{Precision: 12, Scale: 2}

// Table is the synthetic dataset, partitioned by snapshot_date.
func Table() schemas.Table {
	return schemas.Table{
		Dataset:     Dataset,
		PartitionBy: []string{"snapshot_date"},
		Doc:         "Synthetic rows with every column type carelake writes.",
		Schema: arrow.NewSchema([]arrow.Field{
			schemas.Field("id", arrow.BinaryTypes.String, false, "Row identifier, unique per variant."),
			schemas.Field("name", arrow.BinaryTypes.String, true, "Free text: non-ASCII, empty or NULL."),
			schemas.Field("beds", arrow.PrimitiveTypes.Int64, true, "A 64-bit integer with extremes."),
			schemas.Field("rank", arrow.PrimitiveTypes.Int32, false, "A 32-bit integer."),
			schemas.Field("score", arrow.PrimitiveTypes.Float64, true, "A double with NaN and infinities."),
			schemas.Field("active", arrow.FixedWidthTypes.Boolean, true, "A boolean."),
			schemas.Field("registered", schemas.Date, true, "A calendar date."),
			schemas.Field("fetched_at", schemas.TimestampUTC, true, "An instant, microseconds UTC."),
			schemas.Field("fee", Decimal, true, "Money, DECIMAL(12,2)."),
		}, nil),
	}
}

var names = []string{"Orchids Care", "Café Ünïcødé Ltd – Ærø", "", "北京 診療所 ✓", "O'Brien \"Quoted\", Line\nBreak"}

// Batch builds n rows of the synthetic table. Row i of a variant always has
// the same values; different variants have different ids and values.
func Batch(n int, variant string) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, Table().Schema)
	defer b.Release()
	base := int64(len(variant))
	epoch := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		k := int64(i)
		b.Field(0).(*array.StringBuilder).Append(variant + "-" + strconv.Itoa(i))
		if i%6 == 5 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(names[i%len(names)])
		}
		switch {
		case i%7 == 3:
			b.Field(2).AppendNull()
		case i%50 == 1:
			b.Field(2).(*array.Int64Builder).Append(math.MaxInt64)
		case i%50 == 2:
			b.Field(2).(*array.Int64Builder).Append(math.MinInt64)
		default:
			b.Field(2).(*array.Int64Builder).Append(k*base - 40)
		}
		b.Field(3).(*array.Int32Builder).Append(int32(i % 1000))
		switch i % 40 {
		case 7:
			b.Field(4).(*array.Float64Builder).Append(math.NaN())
		case 8:
			b.Field(4).(*array.Float64Builder).Append(math.Inf(1))
		case 9:
			b.Field(4).(*array.Float64Builder).Append(math.Inf(-1))
		case 10:
			b.Field(4).AppendNull()
		default:
			b.Field(4).(*array.Float64Builder).Append(float64(k)*1.25 + float64(base)/3)
		}
		if i%5 == 4 {
			b.Field(5).AppendNull()
		} else {
			b.Field(5).(*array.BooleanBuilder).Append((k+base)%2 == 0)
		}
		if i%9 == 8 {
			b.Field(6).AppendNull()
		} else {
			b.Field(6).(*array.Date32Builder).Append(arrow.Date32FromTime(time.Date(1900+i%200, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)))
		}
		if i%11 == 10 {
			b.Field(7).AppendNull()
		} else {
			ts := epoch.Add(time.Duration(k%20000-10000)*37*time.Hour + time.Duration(k%1000+base)*time.Microsecond)
			b.Field(7).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
		}
		if i%13 == 12 {
			b.Field(8).AppendNull()
		} else {
			b.Field(8).(*array.Decimal128Builder).Append(decimal128.FromI64((k*base*7919)%100000000 - 5000000))
		}
	}
	return b.NewRecordBatch()
}

// Stage commits, under root, an output of stage holding rows rows of the
// variant runID for each date (a partition test/things/snapshot_date=<date>),
// in batches of at most 64k rows, with the licence and source metadata load
// requires.
func Stage(t testing.TB, root, stage, runID string, rows int, dates ...string) *staging.Manifest {
	t.Helper()
	w, err := staging.Begin(root, stage, runID)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, Licence)
	w.SetMeta(warehouse.MetaSource, Source)
	w.SetMeta("extracted_at", "2026-11-21T02:00:00Z")
	for _, d := range dates {
		path := Dataset + "/snapshot_date=" + d
		const batch = 64 << 10
		for off := 0; off == 0 || off < rows; off += batch {
			rec := Batch(min(rows-off, batch), fmt.Sprintf("%s/%d", runID, off))
			err := w.Write(Dataset, path, rec)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	m, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Row is one row for Record: column name to value. Strings, int or int64,
// float64, int or int32 for INT32 columns, bool, "YYYY-MM-DD" for DATE columns and time.Time for
// timestamps; an absent column is NULL.
type Row map[string]any

// Record builds a batch of schema from rows. It fails tb on a value of the
// wrong type, an unknown column or a NULL in a required column.
func Record(tb testing.TB, schema *arrow.Schema, rows []Row) arrow.RecordBatch {
	tb.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	fields := schema.Fields()
	for _, row := range rows {
		for name := range row {
			if !schema.HasField(name) {
				tb.Fatalf("column %s is not in the schema", name)
			}
		}
		for i, f := range fields {
			v, ok := row[f.Name]
			if !ok || v == nil {
				if !f.Nullable {
					tb.Fatalf("column %s is required", f.Name)
				}
				b.Field(i).AppendNull()
				continue
			}
			if err := appendValue(b.Field(i), v); err != nil {
				tb.Fatalf("column %s: %v", f.Name, err)
			}
		}
	}
	return b.NewRecordBatch()
}

func appendValue(fb array.Builder, v any) error {
	switch fb := fb.(type) {
	case *array.StringBuilder:
		if s, ok := v.(string); ok {
			fb.Append(s)
			return nil
		}
	case *array.Int64Builder:
		switch n := v.(type) {
		case int:
			fb.Append(int64(n))
			return nil
		case int64:
			fb.Append(n)
			return nil
		}
	case *array.Int32Builder:
		switch n := v.(type) {
		case int:
			fb.Append(int32(n)) //nolint:gosec // test rows hold small numbers
			return nil
		case int32:
			fb.Append(n)
			return nil
		}
	case *array.Float64Builder:
		if f, ok := v.(float64); ok {
			fb.Append(f)
			return nil
		}
	case *array.BooleanBuilder:
		if x, ok := v.(bool); ok {
			fb.Append(x)
			return nil
		}
	case *array.Date32Builder:
		if s, ok := v.(string); ok {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return err
			}
			fb.Append(arrow.Date32FromTime(d))
			return nil
		}
	case *array.TimestampBuilder:
		if t, ok := v.(time.Time); ok {
			fb.Append(arrow.Timestamp(t.UnixMicro()))
			return nil
		}
	}
	return fmt.Errorf("cannot append %T %v to %T", v, v, fb)
}

// StageTables commits, under root, an output of stage with one partition
// <dataset>/snapshot_date=<date> per table (every table present, empty when
// rows has none for it), like normalise and resolve do; meta adds key,
// value pairs to the output's meta.
func StageTables(tb testing.TB, root, stage, runID, date string, tables []schemas.Table, rows map[string][]Row, meta ...string) {
	tb.Helper()
	w, err := staging.Begin(root, stage, runID)
	if err != nil {
		tb.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, Licence)
	w.SetMeta(warehouse.MetaSource, Source)
	for i := 0; i+1 < len(meta); i += 2 {
		w.SetMeta(meta[i], meta[i+1])
	}
	for _, t := range tables {
		rec := Record(tb, t.Schema, rows[t.Dataset])
		err := w.Write(t.Dataset, t.Dataset+"/snapshot_date="+date, rec)
		rec.Release()
		if err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
}
