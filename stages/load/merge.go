package load

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas/warehouse"
)

// Merging (tables with a schemas.Table.MergeKey): the partition's current
// rows are copied into the new files first, then the staged rows whose
// input the partition does not hold yet. An input is a MergeKey value, or
// with a MergeDay a (MergeKey value, UTC day of MergeDay) pair. The result
// replaces the partition through the same write-aside-then-ReplaceDir path
// as a replacement, so the partition's own rows are the record of which
// inputs it holds: the swap commits data and "already merged" together, and
// a crash can neither lose nor double an input. Every merge compacts the
// partition into as few files as FileRows allows. The set of inputs held
// is the partition's as it was before the merge: rows of one input that
// arrive in several batches (or from several folded partitions) are all
// taken.

// input identifies one input of a merged partition: a MergeKey value and,
// for a table with a MergeDay, the day (days since 1970-01-01 UTC).
type input struct {
	key string
	day int64
}

// merge is the state of one partition's merge.
type merge struct {
	key      string           // the MergeKey column
	col      int              // its index in the schema
	dayCol   int              // the MergeDay column's index, or -1
	held     map[input]bool   // inputs already in the partition
	existing warehouse.File   // rows and bytes of the partition before the merge
	files    []warehouse.File // its files
	added    int64            // staged rows taken
	skipped  int64            // staged rows dropped: their input is already held
}

func newMerge(schema *arrow.Schema, key, day string) (*merge, error) {
	idx := schema.FieldIndices(key)
	if len(idx) != 1 || schema.Field(idx[0]).Type.ID() != arrow.STRING {
		return nil, fmt.Errorf("%w: merge key %q must be one string column", ErrSchemaMismatch, key)
	}
	m := &merge{key: key, col: idx[0], dayCol: -1, held: map[input]bool{}}
	if day != "" {
		di := schema.FieldIndices(day)
		if len(di) != 1 || schema.Field(di[0]).Type.ID() != arrow.TIMESTAMP {
			return nil, fmt.Errorf("%w: merge day %q must be one timestamp column", ErrSchemaMismatch, day)
		}
		m.dayCol = di[0]
	}
	return m, nil
}

// inputs returns the input of row i of rec.
func (m *merge) inputs(rec arrow.RecordBatch) (func(i int) input, error) {
	keys, ok := rec.Column(m.col).(*array.String)
	if !ok {
		return nil, fmt.Errorf("%w: column %s is %s", ErrSchemaMismatch, m.key, rec.Column(m.col).DataType())
	}
	if m.dayCol < 0 {
		return func(i int) input { return input{key: keys.Value(i)} }, nil
	}
	ts, ok := rec.Column(m.dayCol).(*array.Timestamp)
	if !ok {
		return nil, fmt.Errorf("%w: merge day column %d is %s", ErrSchemaMismatch, m.dayCol, rec.Column(m.dayCol).DataType())
	}
	perDay := int64(86400) * unitsPerSecond(ts.DataType().(*arrow.TimestampType).Unit)
	return func(i int) input {
		if ts.IsNull(i) {
			return input{key: keys.Value(i), day: math.MinInt64}
		}
		v := int64(ts.Value(i))
		d := v / perDay
		if v%perDay < 0 {
			d-- // floor: a time before 1970 belongs to the day before
		}
		return input{key: keys.Value(i), day: d}
	}, nil
}

func unitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1e3
	case arrow.Microsecond:
		return 1e6
	default:
		return 1e9
	}
}

// copyExisting streams the partition's current rows into w and records the
// MergeKey values they hold. A partition that does not exist yet is empty.
func (m *merge) copyExisting(ctx context.Context, dir string, w *warehouse.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, path := range files {
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		m.existing.Bytes += info.Size()
		f := warehouse.File{Name: filepath.Base(path), Bytes: info.Size()}
		err = warehouse.ReadBatches(ctx, path, func(rec arrow.RecordBatch) error {
			in, err := m.inputs(rec)
			if err != nil {
				return err
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				m.held[in(i)] = true
			}
			m.existing.Rows += rec.NumRows()
			f.Rows += rec.NumRows()
			return w.Write(rec)
		})
		if err != nil {
			return fmt.Errorf("merge with %s: %w", path, err)
		}
		m.files = append(m.files, f)
	}
	return nil
}

// writeNew writes the rows of a staged batch whose input the partition
// did not hold before the merge, as slices of consecutive rows.
func (m *merge) writeNew(rec arrow.RecordBatch, w *warehouse.Writer) error {
	in, err := m.inputs(rec)
	if err != nil {
		return err
	}
	n := rec.NumRows()
	for start := int64(0); start < n; {
		if m.held[in(int(start))] {
			m.skipped++
			start++
			continue
		}
		end := start + 1
		for end < n && !m.held[in(int(end))] {
			end++
		}
		part := rec.NewSlice(start, end)
		err := w.Write(part)
		part.Release()
		if err != nil {
			return err
		}
		m.added += end - start
		start = end
	}
	return nil
}
