package load

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

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

// fileMetadata is the key-value metadata of every file of partition path
// of t: the stage output's meta, then carelake's own keys.
func fileMetadata(opts Options, meta map[string]string, stage, runID string, t schemas.Table, path string) (map[string]string, error) {
	kv := make(map[string]string, len(meta)+8)
	for k, v := range meta {
		kv[k] = v
	}
	if err := describe(kv, t, path); err != nil {
		return nil, err
	}
	kv[warehouse.MetaVersion] = opts.Version
	kv[warehouse.MetaStage] = stage
	kv[warehouse.MetaRunID] = opts.RunID
	kv[warehouse.MetaInputRunID] = runID
	return kv, nil
}

// describe sets the keys that say which table and partition a file is of,
// with the table's and columns' docs.
func describe(kv map[string]string, t schemas.Table, path string) error {
	docs := make(map[string]string, t.Schema.NumFields())
	for _, f := range t.Schema.Fields() {
		if doc, ok := f.Metadata.GetValue(schemas.DocKey); ok {
			docs[f.Name] = doc
		}
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return err
	}
	kv[warehouse.MetaTable] = t.Dataset
	kv[warehouse.MetaTableDoc] = t.Doc
	kv[warehouse.MetaColumnDocs] = string(b)
	kv[warehouse.MetaPartition] = strings.TrimPrefix(strings.TrimPrefix(path, t.Dataset), "/")
	return nil
}

// writePartition writes one staged partition aside and swaps it into place;
// a table stored by change writes its changed rows and their versions
// (cover: what a partial snapshot holds, warehouse.StagedCover).
func writePartition(ctx context.Context, opts Options, man *staging.Manifest, p staging.Partition, t schemas.Table,
	cover warehouse.Cover) ([]PartitionResult, error) {
	kv, err := fileMetadata(opts, man.Meta, man.Stage, man.RunID, t, p.Path)
	if err != nil {
		return nil, err
	}
	read := func(fn func(arrow.RecordBatch) error) error {
		return man.Read(p, func(rec arrow.RecordBatch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(rec)
		})
	}
	var res []PartitionResult
	if len(t.Owner) > 0 {
		res, err = writeByChange(ctx, opts, t, p.Path, kv, read, cover)
	} else {
		var pr PartitionResult
		pr, err = commitPartition(ctx, opts, t, p.Path, kv, read)
		res = []PartitionResult{pr}
	}
	for i := range res {
		res[i].Stage = man.Stage
	}
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
	tmp, err := durable.MkdirUnique(filepath.Join(opts.Root, tmpDirName), strings.ReplaceAll(path, "/", "_")+"-*")
	if err != nil {
		return res, fmt.Errorf("create temporary directory: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	w := warehouse.NewWriter(tmp, loadToken(), t, kv, warehouse.WriterOptions{Version: opts.Version, Build: opts.Build,
		RowGroupRows: opts.RowGroupRows, FileRows: opts.FileRows})
	defer w.Abort()
	add := w.Write
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
	files, err := w.Finish()
	if err != nil {
		return res, err
	}
	if err := durable.SyncDir(tmp); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := durable.ReplaceDir(tmp, dst); err != nil {
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
	if err := os.Mkdir(dir, durable.DirPerm); err != nil && !os.IsExist(err) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return durable.SyncDir(filepath.Dir(dir))
}
