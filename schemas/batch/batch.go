// Package batch builds Arrow record batches of one registered table
// (schemas.Table) row by row and hands every full batch to a sink, usually a
// staging partition. normalise and resolve both stage their tables with it.
//
// A row is written column by column in schema order, each call naming its
// column; a call naming another column than the next one in the schema is a
// programming error and panics, so code and schema cannot drift apart
// silently. Every batch uses exactly the table's registered schema.
//
// A Builder is not safe for concurrent use.
package batch

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"carelake/schemas"
)

// DefaultRows is the batch size normalise and resolve stage with.
const DefaultRows = 64 << 10

// Sink receives each finished batch; it must Retain the record to keep it.
type Sink func(arrow.RecordBatch) error

// Builder appends rows of one table.
type Builder struct {
	table  schemas.Table
	rb     *array.RecordBuilder
	cols   []array.Builder
	names  []string
	size   int
	sink   Sink
	col    int
	rows   int   // rows in the open batch
	total  int64 // rows handed to the sink
	closed bool
}

// New returns a builder of table that hands batches of size rows to sink.
func New(table schemas.Table, size int, sink Sink) *Builder {
	if size <= 0 {
		size = DefaultRows
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, table.Schema)
	names := make([]string, table.Schema.NumFields())
	for i, f := range table.Schema.Fields() {
		names[i] = f.Name
	}
	return &Builder{table: table, rb: rb, cols: rb.Fields(), names: names, size: size, sink: sink}
}

// Table is the table being built.
func (b *Builder) Table() schemas.Table { return b.table }

// Rows is the number of complete rows appended so far.
func (b *Builder) Rows() int64 { return b.total + int64(b.rows) }

func (b *Builder) next(name string) array.Builder {
	if b.col >= len(b.cols) || b.names[b.col] != name {
		want := "end of row"
		if b.col < len(b.names) {
			want = b.names[b.col]
		}
		panic(fmt.Sprintf("batch: %s: column %q written where the schema has %q", b.table.Dataset, name, want))
	}
	c := b.cols[b.col]
	b.col++
	return c
}

// Null appends NULL to the named column.
func (b *Builder) Null(name string) { b.next(name).AppendNull() }

// String appends v.
func (b *Builder) String(name, v string) { b.next(name).(*array.StringBuilder).Append(v) }

// StringPtr appends *v, or NULL when v is nil.
func (b *Builder) StringPtr(name string, v *string) {
	c := b.next(name).(*array.StringBuilder)
	if v == nil {
		c.AppendNull()
		return
	}
	c.Append(*v)
}

// NonEmpty appends v, or NULL when v is empty.
func (b *Builder) NonEmpty(name, v string) {
	c := b.next(name).(*array.StringBuilder)
	if v == "" {
		c.AppendNull()
		return
	}
	c.Append(v)
}

// Int64 appends v.
func (b *Builder) Int64(name string, v int64) { b.next(name).(*array.Int64Builder).Append(v) }

// Int64Ptr appends *v, or NULL when v is nil.
func (b *Builder) Int64Ptr(name string, v *int64) {
	c := b.next(name).(*array.Int64Builder)
	if v == nil {
		c.AppendNull()
		return
	}
	c.Append(*v)
}

// Float64 appends v when ok, else NULL.
func (b *Builder) Float64(name string, v float64, ok bool) {
	c := b.next(name).(*array.Float64Builder)
	if !ok {
		c.AppendNull()
		return
	}
	c.Append(v)
}

// Float64Ptr appends *v, or NULL when v is nil.
func (b *Builder) Float64Ptr(name string, v *float64) {
	if v == nil {
		b.Float64(name, 0, false)
		return
	}
	b.Float64(name, *v, true)
}

// Bool appends v.
func (b *Builder) Bool(name string, v bool) { b.next(name).(*array.BooleanBuilder).Append(v) }

// BoolOK appends v when ok, else NULL.
func (b *Builder) BoolOK(name string, v, ok bool) {
	c := b.next(name).(*array.BooleanBuilder)
	if !ok {
		c.AppendNull()
		return
	}
	c.Append(v)
}

// Date appends d when ok, else NULL.
func (b *Builder) Date(name string, d arrow.Date32, ok bool) {
	c := b.next(name).(*array.Date32Builder)
	if !ok {
		c.AppendNull()
		return
	}
	c.Append(d)
}

// Time appends t as a microsecond UTC timestamp, or NULL when t is zero.
func (b *Builder) Time(name string, t time.Time) {
	c := b.next(name).(*array.TimestampBuilder)
	if t.IsZero() {
		c.AppendNull()
		return
	}
	c.Append(arrow.Timestamp(t.UnixMicro()))
}

// BoolPtr appends *v, or NULL when v is nil.
func (b *Builder) BoolPtr(name string, v *bool) {
	if v == nil {
		b.Null(name)
		return
	}
	b.Bool(name, *v)
}

// TimePtr appends *t, or NULL when t is nil or zero.
func (b *Builder) TimePtr(name string, t *time.Time) {
	if t == nil {
		b.Null(name)
		return
	}
	b.Time(name, *t)
}

// Int32 appends v.
func (b *Builder) Int32(name string, v int32) { b.next(name).(*array.Int32Builder).Append(v) }

// Int32Ptr appends *v, or NULL when v is nil.
func (b *Builder) Int32Ptr(name string, v *int32) {
	c := b.next(name).(*array.Int32Builder)
	if v == nil {
		c.AppendNull()
		return
	}
	c.Append(*v)
}

// Decimal appends the decimal number written in s (e.g. "500.00") at the
// column's precision and scale, or NULL when s is empty. A number that does
// not fit the column is an error (the row must go to rejects); the row is
// still completed with NULL so the builder stays aligned.
func (b *Builder) Decimal(name, s string) error {
	c := b.next(name).(*array.Decimal128Builder)
	if s == "" {
		c.AppendNull()
		return nil
	}
	n, err := schemas.ParseDecimal(s, c.Type().(*arrow.Decimal128Type))
	if err != nil {
		c.AppendNull()
		return fmt.Errorf("%s %q: %w", name, s, err)
	}
	c.Append(n)
	return nil
}

// EndRow completes a row; when the batch is full it goes to the sink.
func (b *Builder) EndRow() error {
	if b.col != len(b.cols) {
		panic(fmt.Sprintf("batch: %s: row ended after %d of %d columns", b.table.Dataset, b.col, len(b.cols)))
	}
	b.col = 0
	b.rows++
	if b.rows >= b.size {
		return b.flush()
	}
	return nil
}

func (b *Builder) flush() error {
	rec := b.rb.NewRecordBatch()
	defer rec.Release()
	n := b.rows
	b.rows = 0
	if err := b.sink(rec); err != nil {
		return err
	}
	b.total += int64(n)
	return nil
}

// Close hands the last (possibly partial) batch to the sink and releases the
// builder. A table that got no rows at all still gets one empty batch, so
// every table exists in the output with its schema. Close after an error
// only releases.
func (b *Builder) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	defer b.rb.Release()
	if b.col != 0 {
		return fmt.Errorf("batch: %s: closed in the middle of a row", b.table.Dataset)
	}
	if b.rows > 0 || b.total == 0 {
		return b.flush()
	}
	return nil
}

// Release frees the builder without flushing (after an error).
func (b *Builder) Release() {
	if !b.closed {
		b.closed = true
		b.rb.Release()
	}
}
