package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"carelake/pipeline"
	"carelake/schemas"
	"carelake/schemas/warehouse"
	"carelake/stages/staging"
)

// File is one Parquet file of a partition.
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

// loadToken names one load of a partition: the time, in base 36 nanoseconds.
func loadToken() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// monthLayout is the form of a *_month partition value.
const monthLayout = "2006-01"

// partitionValue is what a hive partition value may hold: it becomes a
// directory name, so no separators, no leading dot and no "=".
var partitionValue = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,199}$`)

// checkPartitionPath checks that path is t's dataset followed by one
// key=value segment per partition column, in order.
func checkPartitionPath(t schemas.Table, path string) error {
	rest, ok := strings.CutPrefix(path, t.Dataset)
	if !ok || !filepath.IsLocal(filepath.FromSlash(path)) {
		return fmt.Errorf("%w %q: not under %s", ErrBadPartition, path, t.Dataset)
	}
	if len(t.PartitionBy) == 0 {
		if rest != "" {
			return fmt.Errorf("%w %q: %s is not partitioned", ErrBadPartition, path, t.Dataset)
		}
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if !strings.HasPrefix(rest, "/") || len(segs) != len(t.PartitionBy) {
		return fmt.Errorf("%w %q: expected %s/%s=<value>", ErrBadPartition, path, t.Dataset, strings.Join(t.PartitionBy, "=<value>/"))
	}
	for i, seg := range segs {
		key, val, _ := strings.Cut(seg, "=")
		if key != t.PartitionBy[i] {
			return fmt.Errorf("%w %q: segment %q, expected %s=<value>", ErrBadPartition, path, seg, t.PartitionBy[i])
		}
		if !partitionValue.MatchString(val) || strings.HasSuffix(val, ".old") {
			return fmt.Errorf("%w %q: value %q of %s (letters, digits and _.:@+- only)", ErrBadPartition, path, val, key)
		}
		if schemas.PartitionType(key) == schemas.Date {
			if _, err := time.Parse(time.DateOnly, val); err != nil {
				return fmt.Errorf("%w %q: %s=%q is not a date YYYY-MM-DD", ErrBadPartition, path, key, val)
			}
		}
		if strings.HasSuffix(key, "_month") {
			if _, err := time.Parse(monthLayout, val); err != nil {
				return fmt.Errorf("%w %q: %s=%q is not a month YYYY-MM", ErrBadPartition, path, key, val)
			}
		}
	}
	return nil
}

// checkSchema compares a staged schema with the registered one: same
// columns in the same order, same types and nullability (docs aside).
func checkSchema(staged, registered *arrow.Schema) error {
	var diffs []string
	for i, want := range registered.Fields() {
		if i >= staged.NumFields() {
			diffs = append(diffs, fmt.Sprintf("column %s is missing", want.Name))
			continue
		}
		got := staged.Field(i)
		switch {
		case got.Name != want.Name:
			diffs = append(diffs, fmt.Sprintf("column %d is %s, registered %s", i, got.Name, want.Name))
		case !arrow.TypeEqual(got.Type, want.Type):
			diffs = append(diffs, fmt.Sprintf("column %s is %s, registered %s", got.Name, got.Type, want.Type))
		case got.Nullable != want.Nullable:
			diffs = append(diffs, fmt.Sprintf("column %s nullable=%t, registered nullable=%t", got.Name, got.Nullable, want.Nullable))
		}
	}
	for i := registered.NumFields(); i < staged.NumFields(); i++ {
		diffs = append(diffs, fmt.Sprintf("column %s is not registered", staged.Field(i).Name))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s (rebuild the stage and schemas/ from the same carelake)", ErrSchemaMismatch, strings.Join(diffs, "; "))
	}
	return nil
}

// writerSchema is the registered schema as written: every timestamp marked
// UTC (so Parquet says isAdjustedToUTC), plus the file's key-value metadata.
func writerSchema(t schemas.Table, kv map[string]string) *arrow.Schema {
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

// fileMetadata is the key-value metadata of every file of partition path
// of t: the stage output's meta, then carelake's own keys.
func fileMetadata(opts Options, meta map[string]string, stage, runID string, t schemas.Table, path string) (map[string]string, error) {
	kv := make(map[string]string, len(meta)+8)
	for k, v := range meta {
		kv[k] = v
	}
	docs := make(map[string]string, t.Schema.NumFields())
	for _, f := range t.Schema.Fields() {
		if doc, ok := f.Metadata.GetValue(schemas.DocKey); ok {
			docs[f.Name] = doc
		}
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return nil, err
	}
	kv[warehouse.MetaVersion] = opts.Version
	kv[warehouse.MetaTable] = t.Dataset
	kv[warehouse.MetaTableDoc] = t.Doc
	kv[warehouse.MetaColumnDocs] = string(b)
	kv[warehouse.MetaPartition] = strings.TrimPrefix(strings.TrimPrefix(path, t.Dataset), "/")
	kv[warehouse.MetaStage] = stage
	kv[warehouse.MetaRunID] = opts.RunID
	kv[warehouse.MetaInputRunID] = runID
	return kv, nil
}

// writePartition writes one staged partition aside and swaps it into place.
func writePartition(ctx context.Context, opts Options, man *staging.Manifest, p staging.Partition, t schemas.Table) (PartitionResult, error) {
	kv, err := fileMetadata(opts, man.Meta, man.Stage, man.RunID, t, p.Path)
	if err != nil {
		return PartitionResult{}, err
	}
	res, err := commitPartition(ctx, opts, t, p.Path, kv, func(add func(arrow.RecordBatch) error) error {
		return man.Read(p, func(rec arrow.RecordBatch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return add(rec)
		})
	})
	res.Stage = man.Stage
	return res, err
}

// commitPartition writes partition path of t aside and swaps it into
// place: for a merged table (MergeKey) the partition's current rows first,
// then the rows fill hands to add whose input the partition did not hold
// before (inputs are never checked against the rows fill itself brings);
// otherwise only fill's rows. Files carry the key-value metadata kv. A
// merge that adds nothing to an existing partition leaves it as it is
// (Unchanged).
func commitPartition(ctx context.Context, opts Options, t schemas.Table, path string, kv map[string]string,
	fill func(add func(arrow.RecordBatch) error) error) (res PartitionResult, err error) {
	start := time.Now()
	dst := filepath.Join(opts.Root, filepath.FromSlash(path))
	if err := mkdirDurable(filepath.Dir(dst)); err != nil {
		return res, err
	}
	if err := mkdirDurable(filepath.Join(opts.Root, tmpDirName)); err != nil {
		return res, err
	}
	tmp, err := pipeline.MkdirUnique(filepath.Join(opts.Root, tmpDirName), strings.ReplaceAll(path, "/", "_")+"-*")
	if err != nil {
		return res, fmt.Errorf("create temporary directory: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	w := &partWriter{load: loadToken(), dir: tmp, schema: writerSchema(t, kv), opts: opts}
	defer w.abort()
	add := w.write
	var m *merge
	if t.MergeKey != "" {
		if m, err = newMerge(t.Schema, t.MergeKey, t.MergeDay); err != nil {
			return res, err
		}
		if err := m.copyExisting(ctx, dst, w); err != nil {
			return res, err
		}
		add = func(rec arrow.RecordBatch) error { return m.writeNew(rec, w) }
	}
	if err := fill(add); err != nil {
		return res, err
	}
	if m != nil && m.added == 0 && m.existing.Rows > 0 {
		// Every input is already in the partition: leave it as it is.
		os.RemoveAll(tmp)
		return PartitionResult{Table: t.Dataset, Path: path, Unchanged: true, Skipped: m.skipped,
			Files: m.files, Rows: m.existing.Rows, Bytes: m.existing.Bytes, Duration: time.Since(start)}, nil
	}
	files, err := w.finish()
	if err != nil {
		return res, err
	}
	if err := pipeline.SyncDir(tmp); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := pipeline.ReplaceDir(tmp, dst); err != nil {
		return res, err
	}
	res = PartitionResult{Table: t.Dataset, Path: path, Files: files, Duration: time.Since(start)}
	for _, f := range files {
		res.Rows += f.Rows
		res.Bytes += f.Bytes
	}
	res.Added = res.Rows
	if m != nil {
		res.Added, res.Skipped = m.added, m.skipped
	}
	return res, nil
}

// mkdirDurable creates dir and any missing parents, fsyncing the parent of
// every directory it creates so the new entries survive a crash.
func mkdirDurable(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := mkdirDurable(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, pipeline.DirPerm); err != nil && !os.IsExist(err) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return pipeline.SyncDir(filepath.Dir(dir))
}

// partWriter writes the files of one partition into dir, starting a new
// file every opts.FileRows rows.
type partWriter struct {
	load   string // FileName's load token
	dir    string
	schema *arrow.Schema
	opts   Options

	f     *os.File
	fw    *pqarrow.FileWriter
	rows  int64 // in the current file
	files []File
}

func (w *partWriter) props() (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
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

func (w *partWriter) open() error {
	name := FileName(w.load, len(w.files))
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, pipeline.FilePerm)
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

// write appends a staged batch, split across files at opts.FileRows.
func (w *partWriter) write(rec arrow.RecordBatch) error {
	conformed := conform(rec, w.schema)
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
func (w *partWriter) closeFile() error {
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

// finish closes the last file; a partition with no rows still gets one
// (empty, valid) file so readers see the partition exists.
func (w *partWriter) finish() ([]File, error) {
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

// abort releases a file left open by an error; the caller removes the directory.
func (w *partWriter) abort() {
	if w.fw != nil {
		w.fw.Close()
		w.f.Close()
		w.fw, w.f = nil, nil
	}
}

// conform returns rec with the writer schema: the same columns (checked by
// checkSchema), timestamp columns relabelled UTC without copying. The
// caller releases the result.
func conform(rec arrow.RecordBatch, schema *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, rec.NumCols())
	var relabelled []arrow.Array
	for i, col := range rec.Columns() {
		want := schema.Field(i).Type
		if arrow.TypeEqual(col.DataType(), want) {
			cols[i] = col
			continue
		}
		d := col.Data()
		nd := array.NewData(want, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
		cols[i] = array.MakeFromData(nd)
		nd.Release()
		relabelled = append(relabelled, cols[i])
	}
	out := array.NewRecordBatch(schema, cols, rec.NumRows())
	for _, a := range relabelled {
		a.Release()
	}
	return out
}
