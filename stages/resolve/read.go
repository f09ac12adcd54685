package resolve

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/staging"
)

// input is the committed normalise output resolve reads.
type input struct {
	m        *staging.Manifest
	snapshot string
}

// openInput checks that every table resolve needs is staged, in one
// snapshot, and returns that snapshot date.
func openInput(m *staging.Manifest) (*input, error) {
	in := &input{m: m}
	for _, t := range []schemas.Table{schemas.CQCLocations, schemas.CQCProviders, schemas.CQCLocationRelationships,
		schemas.CQCLocationRatingHistory, schemas.CQCReports} {
		parts := m.Find(t.Dataset)
		if len(parts) != 1 {
			return nil, fmt.Errorf("%w: %s has %d partitions, want 1", ErrInput, t.Dataset, len(parts))
		}
		_, date, ok := strings.Cut(parts[0].Path, "/snapshot_date=")
		if !ok || (in.snapshot != "" && date != in.snapshot) {
			return nil, fmt.Errorf("%w: partition %s is not in snapshot %s", ErrInput, parts[0].Path, in.snapshot)
		}
		in.snapshot = date
		got, err := m.Schema(parts[0])
		if err != nil {
			return nil, err
		}
		if !got.Equal(t.Schema) {
			return nil, fmt.Errorf("%w: %s was staged with another schema", ErrInput, t.Dataset)
		}
	}
	return in, nil
}

// scan calls fn with every batch of a table.
func (in *input) scan(t schemas.Table, fn func(arrow.RecordBatch) error) error {
	for _, p := range in.m.Find(t.Dataset) {
		if err := in.m.Read(p, fn); err != nil {
			return err
		}
	}
	return nil
}

// Typed column accessors; the schema was checked in openInput, so a
// missing column is a programming error.
func strCol(rec arrow.RecordBatch, name string) *array.String {
	return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.String)
}

func dateCol(rec arrow.RecordBatch, name string) *array.Date32 {
	return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Date32)
}

// str returns a copy of row i of a string column ("" for NULL); the copy
// outlives the batch.
func str(a *array.String, i int) string {
	if a.IsNull(i) {
		return ""
	}
	return strings.Clone(a.Value(i))
}

// optDate is a nullable date kept in memory.
type optDate struct {
	d  arrow.Date32
	ok bool
}

func dateAt(a *array.Date32, i int) optDate {
	if a.IsNull(i) {
		return optDate{}
	}
	return optDate{a.Value(i), true}
}
