package resolve

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/batch"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// input is the committed normalise output resolve reads: a whole snapshot,
// or a partial one (warehouse.MetaPartialSnapshot) over the warehouse's
// latest snapshot before it, which holds the organisations it does not.
type input struct {
	ctx      context.Context
	root     string
	m        *staging.Manifest
	snapshot string
	cover    warehouse.Cover // the organisations a partial snapshot holds; nil when whole
}

// openInput checks that every table resolve needs is staged, in one
// snapshot, and returns that snapshot date.
func openInput(ctx context.Context, root string, m *staging.Manifest) (*input, error) {
	in := &input{ctx: ctx, root: root, m: m}
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
	cover, err := warehouse.StagedCover(m)
	in.cover = cover
	return in, err
}

// scan calls fn with every batch of a table's snapshot: the staged rows,
// then for a partial snapshot the warehouse's rows of the organisations it
// does not hold. fn reads the named columns only (the warehouse's batches
// hold no other).
func (in *input) scan(t schemas.Table, columns []string, fn func(arrow.RecordBatch) error) error {
	if err := in.staged(t, columns, fn); err != nil || in.cover == nil {
		return err
	}
	return in.stored(func(owner string) bool { return in.cover.Covers(t, owner) })(t, columns, fn)
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

// compareDates orders optional dates, a missing one first.
func compareDates(a, b optDate) int {
	return cmp.Or(cmp.Compare(boolInt(a.ok), boolInt(b.ok)), cmp.Compare(a.d, b.d))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// optStr is a nullable string kept in memory.
type optStr struct {
	v  string
	ok bool
}

func strAt(a *array.String, i int) optStr {
	if a.IsNull(i) {
		return optStr{}
	}
	return optStr{strings.Clone(a.Value(i)), true}
}

// write appends s to column col of b (NULL when absent).
func (s optStr) write(b *batch.Builder, col string) {
	if !s.ok {
		b.Null(col)
		return
	}
	b.String(col, s.v)
}
