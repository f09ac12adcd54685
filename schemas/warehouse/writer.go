package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"carelake/pipeline/durable"
	"carelake/schemas"
)

// The Parquet writer every warehouse file goes through (load's partitions,
// the marts), so each keeps the policy of docs/architecture.md ("Parquet
// policy") the same way.

// Defaults of WriterOptions.
const (
	DefaultRowGroupRows = 1 << 20
	DefaultFileRows     = 8 << 20
	// rowGroupBytes closes a buffered row group early when its encoded pages
	// reach this size, so very wide rows cannot hold unbounded memory.
	rowGroupBytes = 128 << 20
)

// File is one Parquet file a Writer wrote.
type File struct {
	Name  string `json:"name"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

// FileName is the name of the n-th file one load writes into a partition:
// part-<load>-00000.parquet, where <load> is unique to that load of the
// partition. Names never repeat across loads, so a reader that listed the
// partition just before a reload swapped it can only miss a file (and read
// again), never open a new file under an old file's name and mix the two.
func FileName(load string, n int) string { return fmt.Sprintf("part-%s-%05d.parquet", load, n) }

// CreatedBy is the created_by every file carries: "carelake version
// <version> (build <build>)", the form parquet-mr, Spark and Trino parse
// (parquet-mr's VersionParser: `(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?`)
// and arrow-go's metadata.NewAppVersion too. A leading "v" of a tag
// (v1.2.3) is dropped so the version reads as semver; characters that would
// end a part early (whitespace, parentheses) become "-", and an empty part
// is "unknown".
func CreatedBy(version, build string) string {
	clean := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '(' || r == ')' {
				return '-'
			}
			return r
		}, strings.TrimSpace(s))
		if s == "" {
			return "unknown"
		}
		return s
	}
	version = clean(version)
	if len(version) > 1 && version[0] == 'v' && version[1] >= '0' && version[1] <= '9' {
		version = version[1:]
	}
	return "carelake version " + version + " (build " + clean(build) + ")"
}

// WriterOptions configures a Writer.
type WriterOptions struct {
	// Version and Build name the carelake that writes (CreatedBy).
	Version, Build string
	// RowGroupRows caps the rows of one row group (DefaultRowGroupRows).
	RowGroupRows int64
	// FileRows caps the rows of one file (DefaultFileRows).
	FileRows int64
}

// WriterSchema is the registered schema as written: every timestamp marked
// UTC (so Parquet says isAdjustedToUTC), plus the file's key-value metadata.
func WriterSchema(t schemas.Table, kv map[string]string) *arrow.Schema {
	fields := make([]arrow.Field, t.Schema.NumFields())
	for i, f := range t.Schema.Fields() {
		if ts, ok := f.Type.(*arrow.TimestampType); ok && ts.TimeZone != "UTC" {
			f.Type = &arrow.TimestampType{Unit: ts.Unit, TimeZone: "UTC"}
		}
		fields[i] = f
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = kv[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fields, &md)
}

// NewWriter starts writing t's files into dir, an existing directory.
func NewWriter(dir, token string, t schemas.Table, kv map[string]string, opts WriterOptions) *Writer {
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	if opts.FileRows <= 0 {
		opts.FileRows = DefaultFileRows
	}
	return &Writer{load: token, dir: dir, schema: WriterSchema(t, kv), opts: opts}
}

// Writer writes the Parquet files of one directory (a partition, a mart)
// under the warehouse policy: t's columns (timestamps marked UTC), the
// key-value metadata kv, zstd, dictionary-encoded strings, statistics, row
// groups of up to RowGroupRows rows, a new file every FileRows rows, each
// file fsynced when it is finished. Files are named FileName(token, n).
type Writer struct {
	load   string // FileName's token
	dir    string
	schema *arrow.Schema
	opts   WriterOptions

	f     *os.File
	fw    *pqarrow.FileWriter
	rows  int64 // in the current file
	files []File
}

func (w *Writer) props() (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		// Dictionary-encode strings (the policy); numbers and dates are
		// mostly distinct values, where a dictionary costs time for nothing.
		parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(w.opts.RowGroupRows),
		parquet.WithStats(true),
		parquet.WithCreatedBy(CreatedBy(w.opts.Version, w.opts.Build)),
	}
	for _, f := range w.schema.Fields() {
		if arrow.IsBinaryLike(f.Type.ID()) || arrow.IsLargeBinaryLike(f.Type.ID()) || f.Type.ID() == arrow.DICTIONARY {
			opts = append(opts, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	arrProps := pqarrow.NewArrowWriterProperties(
		pqarrow.WithStoreSchema(),
		pqarrow.WithCoerceTimestamps(arrow.Microsecond),
		pqarrow.WithTruncatedTimestamps(true),
	)
	return props, arrProps
}

func (w *Writer) open() error {
	name := FileName(w.load, len(w.files))
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	props, arrProps := w.props()
	// Hide Close from the Parquet writer: it would close f before the fsync.
	fw, err := pqarrow.NewFileWriter(w.schema, struct{ io.Writer }{f}, props, arrProps)
	if err != nil {
		f.Close()
		return fmt.Errorf("parquet writer: %w", err)
	}
	w.f, w.fw, w.rows = f, fw, 0
	w.files = append(w.files, File{Name: name})
	return nil
}

// Write appends a batch of t's columns, split across files at FileRows.
func (w *Writer) Write(rec arrow.RecordBatch) error {
	conformed, err := conform(rec, w.schema)
	if err != nil {
		return err
	}
	defer conformed.Release()
	for off, n := int64(0), conformed.NumRows(); off < n; {
		if w.fw == nil {
			if err := w.open(); err != nil {
				return err
			}
		}
		take := min(n-off, w.opts.FileRows-w.rows)
		part := conformed
		if take != n {
			part = conformed.NewSlice(off, off+take)
		}
		err := w.fw.WriteBuffered(part)
		if take != n {
			part.Release()
		}
		if err != nil {
			return fmt.Errorf("write parquet: %w", err)
		}
		if w.fw.RowGroupTotalCompressedBytes()+w.fw.RowGroupTotalBytesWritten() >= rowGroupBytes {
			w.fw.NewBufferedRowGroup()
		}
		w.rows += take
		w.files[len(w.files)-1].Rows += take
		off += take
		if w.rows >= w.opts.FileRows {
			if err := w.closeFile(); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeFile finishes the current file: footer, fsync, close, size.
func (w *Writer) closeFile() error {
	fw, f := w.fw, w.f
	w.fw, w.f = nil, nil
	if err := fw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("finish parquet file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	w.files[len(w.files)-1].Bytes = info.Size()
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	return nil
}

// Finish closes the last file and lists the files written; a directory
// with no rows still gets one (empty, valid) file so readers see it exists.
func (w *Writer) Finish() ([]File, error) {
	if len(w.files) == 0 {
		if err := w.open(); err != nil {
			return nil, err
		}
	}
	if w.fw != nil {
		if err := w.closeFile(); err != nil {
			return nil, err
		}
	}
	return w.files, nil
}

// Abort releases a file left open by an error; the caller removes the
// directory.
func (w *Writer) Abort() {
	if w.fw != nil {
		w.fw.Close()
		w.f.Close()
		w.fw, w.f = nil, nil
	}
}

// conform returns rec with the writer schema, timestamp columns relabelled
// UTC without copying. A batch of staged output has the schema's columns in
// order (load checks it: checkSchema); a batch read back from a file an
// older carelake wrote may lack a nullable column the table gained since,
// which becomes NULLs, so compacting or rewriting such a file works (its
// columns are matched by name). A column missing that may not be NULL, or
// one the table does not have, is an error. The caller releases the result.
func conform(rec arrow.RecordBatch, schema *arrow.Schema) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	var made []arrow.Array
	defer func() {
		for _, a := range made {
			a.Release()
		}
	}()
	inOrder := rec.NumCols() == int64(schema.NumFields())
	for i, f := range rec.Schema().Fields() {
		inOrder = inOrder && f.Name == schema.Field(i).Name
	}
	if !inOrder {
		for _, f := range rec.Schema().Fields() {
			if !schema.HasField(f.Name) {
				return nil, fmt.Errorf("column %s is not one of the table's", f.Name)
			}
		}
	}
	for i, want := range schema.Fields() {
		var col arrow.Array
		if inOrder {
			col = rec.Column(i)
		} else if idx := rec.Schema().FieldIndices(want.Name); len(idx) == 1 {
			col = rec.Column(idx[0])
		} else if want.Nullable {
			col = array.MakeArrayOfNull(memory.DefaultAllocator, want.Type, int(rec.NumRows()))
			made = append(made, col)
		} else {
			return nil, fmt.Errorf("column %s is missing and may not be NULL", want.Name)
		}
		if arrow.TypeEqual(col.DataType(), want.Type) {
			cols[i] = col
			continue
		}
		if col.DataType().ID() != want.Type.ID() {
			return nil, fmt.Errorf("column %s is %s, the table's %s", want.Name, col.DataType(), want.Type)
		}
		d := col.Data()
		nd := array.NewData(want.Type, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
		cols[i] = array.MakeFromData(nd)
		nd.Release()
		made = append(made, cols[i])
	}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}

// ReadBatches calls fn with every record batch of a Parquet file.
func ReadBatches(ctx context.Context, path string, fn func(arrow.RecordBatch) error) error {
	return ReadColumns(ctx, path, nil, fn)
}

// ReadColumns calls fn with every record batch of a Parquet file, of the
// named columns it has (every column when names is nil).
func ReadColumns(ctx context.Context, path string, names []string, fn func(arrow.RecordBatch) error) error {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10, Parallel: true}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	var cols []int
	if names != nil {
		cols = []int{}
		for _, name := range names {
			if i := pf.MetaData().Schema.ColumnIndexByName(name); i >= 0 {
				cols = append(cols, i)
			}
		}
	}
	rr, err := fr.GetRecordReader(ctx, cols, nil)
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
