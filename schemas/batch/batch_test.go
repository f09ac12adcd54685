package batch

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/internal/testkit"
	"carelake/schemas"
)

var table = schemas.Table{
	Dataset: "cqc/things", PartitionBy: []string{"snapshot_date"},
	Schema: arrow.NewSchema([]arrow.Field{
		schemas.Field("id", arrow.BinaryTypes.String, false, "id"),
		schemas.Field("n", arrow.PrimitiveTypes.Int64, true, "n"),
		schemas.Field("x", arrow.PrimitiveTypes.Float64, true, "x"),
		schemas.Field("ok", arrow.FixedWidthTypes.Boolean, true, "ok"),
		schemas.Field("d", schemas.Date, true, "d"),
		schemas.Field("at", schemas.TimestampUTC, true, "at"),
	}, nil),
}

type collect struct {
	sizes []int64
	out   bytes.Buffer
}

func (c *collect) sink(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(table.Schema) {
		return errors.New("schema differs")
	}
	c.sizes = append(c.sizes, rec.NumRows())
	return testkit.WriteJSONLines(&c.out, rec)
}

func TestRowsBatchesAndJSON(t *testing.T) {
	var c collect
	b := New(table, 2, c.sink)
	n := int64(7)
	x := 1.5
	at := time.Date(2026, 11, 21, 2, 0, 0, 123456000, time.UTC)
	for i := 0; i < 3; i++ {
		b.String("id", "a&b \"é\"")
		if i == 0 {
			b.Int64Ptr("n", &n)
			b.Float64Ptr("x", &x)
			b.BoolOK("ok", true, true)
			b.Date("d", arrow.Date32FromTime(at), true)
			b.Time("at", at)
		} else {
			b.Int64Ptr("n", nil)
			b.Float64Ptr("x", nil)
			b.BoolOK("ok", false, false)
			b.Date("d", 0, false)
			b.Time("at", time.Time{})
		}
		if err := b.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if len(c.sizes) != 2 || c.sizes[0] != 2 || c.sizes[1] != 1 || b.Rows() != 3 {
		t.Fatalf("batches %v, rows %d", c.sizes, b.Rows())
	}
	want := `{"id":"a&b \"é\"","n":7,"x":1.5,"ok":true,"d":"2026-11-21","at":"2026-11-21T02:00:00.123456Z"}
{"id":"a&b \"é\"","n":null,"x":null,"ok":null,"d":null,"at":null}
`
	if got := c.out.String(); !strings.HasPrefix(got, want) {
		t.Fatalf("JSON lines:\n%s\nwant prefix\n%s", got, want)
	}
}

func TestEmptyTableGetsOneEmptyBatch(t *testing.T) {
	var c collect
	b := New(table, 10, c.sink)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if len(c.sizes) != 1 || c.sizes[0] != 0 {
		t.Fatalf("batches %v", c.sizes)
	}
}

func TestColumnOrderIsEnforced(t *testing.T) {
	b := New(table, 10, func(arrow.RecordBatch) error { return nil })
	defer b.Release()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `column "n" written where the schema has "id"`) {
			t.Fatalf("recover() = %v", r)
		}
	}()
	b.Int64("n", 1)
}

func TestShortRowIsCaught(t *testing.T) {
	b := New(table, 10, func(arrow.RecordBatch) error { return nil })
	defer b.Release()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "row ended after 1 of 6 columns") {
			t.Fatalf("recover() = %v", r)
		}
	}()
	b.String("id", "x")
	b.EndRow()
}

func TestSinkErrorIsReturned(t *testing.T) {
	boom := errors.New("disk full")
	b := New(table, 1, func(arrow.RecordBatch) error { return boom })
	defer b.Release()
	b.String("id", "x")
	b.Null("n")
	b.Null("x")
	b.Null("ok")
	b.Null("d")
	b.Null("at")
	if err := b.EndRow(); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecimal(t *testing.T) {
	table := schemas.Table{Dataset: "t", Schema: arrow.NewSchema([]arrow.Field{{Name: "price", Type: schemas.CareQMoney, Nullable: true}}, nil)}
	var got []string
	b := New(table, 100, func(r arrow.RecordBatch) error {
		col := r.Column(0).(*array.Decimal128)
		for i := 0; i < col.Len(); i++ {
			if col.IsNull(i) {
				got = append(got, "NULL")
			} else {
				got = append(got, col.Value(i).ToString(4))
			}
		}
		return nil
	})
	for _, tc := range []struct{ in, err string }{
		{"500.00", ""}, {"5e2", ""}, {"0.1234", ""}, {"", ""}, {"-12.5", ""},
		{"0.12345", "more than 4 decimal places"}, {"1e20", "fits DECIMAL(18,4)"}, {"abc", "fits DECIMAL(18,4)"},
	} {
		err := b.Decimal("price", tc.in)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
		}
		if err := b.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	want := "500.0000,500.0000,0.1234,NULL,-12.5000,NULL,NULL,NULL"
	if strings.Join(got, ",") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}
