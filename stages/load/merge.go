package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Merging (tables with a schemas.Table.MergeKey): the partition's current
// rows are copied into the new files first, then the staged rows whose
// MergeKey value the partition does not hold yet. The result replaces the
// partition through the same write-aside-then-ReplaceDir path as a
// replacement, so the partition's own rows are the record of which inputs
// it holds: the swap commits data and "already merged" together, and a
// crash can neither lose nor double an input. Every merge compacts the
// partition into as few files as FileRows allows.

// merge is the state of one partition's merge.
type merge struct {
	key      string          // the MergeKey column
	col      int             // its index in the schema
	held     map[string]bool // MergeKey values already in the partition
	existing File            // rows and bytes of the partition before the merge
	files    []File          // its files
	added    int64           // staged rows taken
	skipped  int64           // staged rows dropped: their input is already held
}

func newMerge(schema *arrow.Schema, key string) (*merge, error) {
	idx := schema.FieldIndices(key)
	if len(idx) != 1 || schema.Field(idx[0]).Type.ID() != arrow.STRING {
		return nil, fmt.Errorf("%w: merge key %q must be one string column", ErrSchemaMismatch, key)
	}
	return &merge{key: key, col: idx[0], held: map[string]bool{}}, nil
}

// copyExisting streams the partition's current rows into w and records the
// MergeKey values they hold. A partition that does not exist yet is empty.
func (m *merge) copyExisting(ctx context.Context, dir string, w *partWriter) error {
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
		f := File{Name: filepath.Base(path), Bytes: info.Size()}
		err = readBatches(ctx, path, func(rec arrow.RecordBatch) error {
			keys, ok := rec.Column(m.col).(*array.String)
			if !ok {
				return fmt.Errorf("%w: %s column %s is %s", ErrSchemaMismatch, path, m.key, rec.Column(m.col).DataType())
			}
			for i := 0; i < keys.Len(); i++ {
				m.held[keys.Value(i)] = true
			}
			m.existing.Rows += rec.NumRows()
			f.Rows += rec.NumRows()
			return w.write(rec)
		})
		if err != nil {
			return fmt.Errorf("merge with %s: %w", path, err)
		}
		m.files = append(m.files, f)
	}
	return nil
}

// writeNew writes the rows of a staged batch whose MergeKey value the
// partition does not hold, as slices of consecutive rows.
func (m *merge) writeNew(rec arrow.RecordBatch, w *partWriter) error {
	keys := rec.Column(m.col).(*array.String)
	n := rec.NumRows()
	for start := int64(0); start < n; {
		if m.held[keys.Value(int(start))] {
			m.skipped++
			start++
			continue
		}
		end := start + 1
		for end < n && !m.held[keys.Value(int(end))] {
			end++
		}
		part := rec.NewSlice(start, end)
		err := w.write(part)
		part.Release()
		if err != nil {
			return err
		}
		m.added += end - start
		start = end
	}
	return nil
}

// readBatches calls fn with every record batch of a Parquet file.
func readBatches(ctx context.Context, path string, fn func(arrow.RecordBatch) error) error {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := fn(rr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) { // io.EOF: the end of the file
		return err
	}
	return nil
}
