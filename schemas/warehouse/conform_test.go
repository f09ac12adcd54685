package warehouse

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestConformByName: a batch read back from a file written before the table
// gained a nullable column gets that column as NULLs, in the table's order;
// a missing column that may not be NULL, or one the table lacks, is refused.
func TestConformByName(t *testing.T) {
	id := arrow.Field{Name: "id", Type: arrow.BinaryTypes.String}
	value := arrow.Field{Name: "value", Type: arrow.PrimitiveTypes.Int64, Nullable: true}
	note := arrow.Field{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true}
	batch := func(fields ...arrow.Field) arrow.RecordBatch {
		b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
		defer b.Release()
		for i, f := range fields {
			switch f.Type.ID() {
			case arrow.STRING:
				b.Field(i).(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
			case arrow.INT64:
				b.Field(i).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
			}
		}
		return b.NewRecordBatch()
	}
	table := arrow.NewSchema([]arrow.Field{id, note, value}, nil)

	old := batch(value, id) // another order, no note
	defer old.Release()
	got, err := conform(old, table)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if !got.Schema().Equal(table) || got.Column(1).NullN() != 2 || got.Column(0).(*array.String).Value(1) != "b" || got.Column(2).(*array.Int64).Value(1) != 2 {
		t.Fatalf("conformed: %v", got)
	}

	for _, c := range []struct {
		rec  arrow.RecordBatch
		want string
	}{
		{batch(value, note), "column id is missing"},
		{batch(id, value, note, arrow.Field{Name: "gone", Type: arrow.BinaryTypes.String}), "column gone is not one of the table's"},
	} {
		if _, err := conform(c.rec, table); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.rec.Schema(), err, c.want)
		}
		c.rec.Release()
	}
}
