package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"carelake/pipeline/durable"
	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// Folding a former layout (schemas.Table.FormerPartitionBy): a warehouse
// written before a table's partition layout changed still has partitions
// in the former one (careq/events/clinic_id=x/event_date=2026-11-20). The
// first load after the change folds them, before it loads any stage
// output, one target partition at a time: every former partition of one
// target (all the days of one clinic and month) is merged into it in ONE
// write (rows deduplicated only against what the target held before, so
// the rows of a log segment that sit in two days of the month are all
// taken), the result swapped in with durable.ReplaceDir, and only then are
// the former directories moved out of the dataset (renamed into the
// temporary area, so a reader never sees one half removed) and removed.
// Then the manifest's entries of the table are brought in line with the
// partitions on disk (syncWithDisk: former entries dropped, the new
// partitions listed) and saved.
//
// A crash at any point leaves every row readable exactly once in one
// layout or the other, except between the swap and the removal, where a
// reader globbing both layouts would see the folded rows twice (the
// catalog's views read the current layout only). The next load folds
// again from what is left: a target already holding the rows of a former
// partition skips them all (the merge leaves it unchanged) and the
// removal is finished; the manifest, which may lag, is repaired from disk.

// foldFormerLayouts folds every partition of a former layout into the
// current one and saves the manifest if that or syncWithDisk changed it. It
// returns how many former partitions were folded.
func foldFormerLayouts(ctx context.Context, opts Options, wm *WarehouseManifest) (int, error) {
	logger := opts.Logger
	folded, written, changed := 0, 0, false
	var tables []string
	for _, t := range opts.Tables {
		if len(t.FormerPartitionBy) == 0 {
			continue
		}
		groups, err := formerPartitions(opts.Root, t)
		if err != nil {
			return folded, err
		}
		targets := make([]string, 0, len(groups))
		for target := range groups {
			targets = append(targets, target)
		}
		sort.Strings(targets)
		for _, target := range targets {
			if err := ctx.Err(); err != nil {
				return folded, fmt.Errorf("fold %s: %w", t.Dataset, err)
			}
			sources := groups[target]
			if _, err := foldPartition(ctx, opts, t, target, sources); err != nil {
				return folded, fmt.Errorf("fold %d former partitions into %s: %w", len(sources), target, err)
			}
			testHook("fold-swapped")
			if err := removeFolded(opts.Root, sources); err != nil {
				return folded, fmt.Errorf("fold into %s: %w", target, err)
			}
			folded += len(sources)
			written++
		}
		if len(targets) > 0 {
			tables = append(tables, t.Dataset)
		}
		synced, err := wm.syncWithDisk(opts.Root, t, time.Now().UTC())
		if err != nil {
			return folded, err
		}
		changed = changed || synced || len(targets) > 0
	}
	if !changed {
		return 0, nil
	}
	testHook("fold-done")
	if err := wm.save(opts.Root); err != nil {
		return folded, err
	}
	if folded > 0 {
		logger.Info("folded partitions of the former layout into the current one",
			"folded", folded, "into", written, "tables", strings.Join(tables, ","))
	} else {
		logger.Info("manifest brought in line with the partitions on disk")
	}
	return folded, nil
}

// former is t with its former layout.
func former(t schemas.Table) schemas.Table {
	f := t
	f.PartitionBy, f.FormerPartitionBy = t.FormerPartitionBy, nil
	return f
}

// formerPartitions finds t's partitions in its former layout, by the
// current partition each folds into (paths relative to root, with "/").
func formerPartitions(root string, t schemas.Table) (map[string][]string, error) {
	old := former(t)
	if t.MergeKey == "" || len(old.PartitionBy) != len(t.PartitionBy) || slices.Equal(old.PartitionBy, t.PartitionBy) {
		return nil, fmt.Errorf("%s: a former layout must be of a merged table, as deep as the current one and different", t.Dataset)
	}
	dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(t.Dataset)) + strings.Repeat(string(filepath.Separator)+"*", len(old.PartitionBy)))
	if err != nil {
		return nil, err
	}
	groups := map[string][]string{}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		rel = filepath.ToSlash(rel)
		if info, err := os.Stat(dir); err != nil || !info.IsDir() || !hasKeys(old, rel) {
			continue // the current layout, or not a partition
		}
		if err := checkPartitionPath(old, rel); err != nil {
			return nil, fmt.Errorf("cannot fold %s: %w", rel, err)
		}
		target, err := currentPartition(t, rel)
		if err != nil {
			return nil, err
		}
		groups[target] = append(groups[target], rel)
	}
	for _, sources := range groups {
		sort.Strings(sources)
	}
	return groups, nil
}

// hasKeys reports whether path (under t's dataset) names t's partition
// columns, in order, whatever their values.
func hasKeys(t schemas.Table, path string) bool {
	segs := strings.Split(strings.TrimPrefix(path, t.Dataset+"/"), "/")
	if len(segs) != len(t.PartitionBy) {
		return false
	}
	for i, seg := range segs {
		if key, _, _ := strings.Cut(seg, "="); key != t.PartitionBy[i] {
			return false
		}
	}
	return true
}

// currentPartition is the partition of t's current layout that the former
// partition path folds into: a column both layouts name keeps its value,
// a current X_month column takes the YYYY-MM of the former X_date.
func currentPartition(t schemas.Table, path string) (string, error) {
	vals := map[string]string{}
	for _, seg := range strings.Split(strings.TrimPrefix(path, t.Dataset+"/"), "/") {
		k, v, _ := strings.Cut(seg, "=")
		vals[k] = v
	}
	out := t.Dataset
	for _, k := range t.PartitionBy {
		v, ok := vals[k]
		if !ok && strings.HasSuffix(k, "_month") {
			var d string
			if d, ok = vals[strings.TrimSuffix(k, "_month")+"_date"]; ok && len(d) >= 7 {
				v = d[:7]
			}
		}
		if !ok || v == "" {
			return "", fmt.Errorf("%s: no value for %s in the former partition %s", t.Dataset, k, path)
		}
		out += "/" + k + "=" + v
	}
	if err := checkPartitionPath(t, out); err != nil {
		return "", fmt.Errorf("fold %s: %w", path, err)
	}
	return out, nil
}

// foldPartition merges the rows of the former partitions sources into the
// current partition target in one write and swaps it in; the target's
// rows before the fold are all the merge deduplicates against. The files
// keep the key-value metadata of the last source's (licence, source,
// stage, run), with carelake's own keys describing the target.
func foldPartition(ctx context.Context, opts Options, t schemas.Table, target string, sources []string) (PartitionResult, error) {
	var files []string
	for _, s := range sources {
		fs, err := filepath.Glob(filepath.Join(opts.Root, filepath.FromSlash(s), "*.parquet"))
		if err != nil {
			return PartitionResult{}, err
		}
		sort.Strings(fs)
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return PartitionResult{Table: t.Dataset, Path: target, Unchanged: true}, nil // nothing to fold
	}
	meta, stage, runID, err := stageMeta(files[len(files)-1])
	if err != nil {
		return PartitionResult{}, err
	}
	kv, err := fileMetadata(opts, meta, stage, runID, t, target)
	if err != nil {
		return PartitionResult{}, err
	}
	want := warehouse.WriterSchema(t, nil)
	res, err := commitPartition(ctx, opts, t, target, kv, func(add func(arrow.RecordBatch) error) error {
		for _, f := range files {
			err := warehouse.ReadBatches(ctx, f, func(rec arrow.RecordBatch) error {
				if err := sameColumns(rec.Schema(), want); err != nil {
					return err
				}
				return add(rec)
			})
			if err != nil {
				return fmt.Errorf("fold %s: %w", f, err)
			}
		}
		testHook("fold-written")
		return nil
	})
	res.Stage = stage
	return res, err
}

// sameColumns checks that a file's columns are the table's, in order, with
// the same types: the fold copies rows column by column.
func sameColumns(got, want *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%w: %d columns, the table has %d", ErrSchemaMismatch, got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		if g := got.Field(i); g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("%w: column %d is %s %s, the table's %s %s", ErrSchemaMismatch, i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}

// stageMeta reads back from a warehouse file the stage output's metadata
// (licence, source, ...) and the stage and run that staged its rows (the
// input run; files written before carelake.input_run_id existed name it
// carelake.run_id).
func stageMeta(path string) (meta map[string]string, stage, runID string, err error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, "", "", err
	}
	defer pf.Close()
	meta = map[string]string{}
	kv := pf.MetaData().KeyValueMetadata()
	var written, input string
	for i, k := range kv.Keys() {
		v := kv.Values()[i]
		switch {
		case k == warehouse.MetaStage:
			stage = v
		case k == warehouse.MetaRunID:
			written = v
		case k == warehouse.MetaInputRunID:
			input = v
		case strings.HasPrefix(k, "carelake.") || strings.HasPrefix(k, "ARROW:"):
			// carelake's own keys are written afresh; ARROW:schema by the writer.
		default:
			meta[k] = v
		}
	}
	return meta, stage, cmp.Or(input, written), nil
}

// removeFolded moves folded former partitions out of their dataset, each
// by one rename into the temporary area (a reader sees a partition whole
// or not at all), makes that durable, then deletes them. A clinic
// directory left empty goes too.
func removeFolded(root string, sources []string) error {
	tmpArea := filepath.Join(root, tmpDirName)
	if err := mkdirDurable(tmpArea); err != nil {
		return err
	}
	trash, err := durable.MkdirUnique(tmpArea, "folded-*")
	if err != nil {
		return err
	}
	parents := map[string]bool{}
	for i, s := range sources {
		dir := filepath.Join(root, filepath.FromSlash(s))
		if err := os.Rename(dir, filepath.Join(trash, fmt.Sprint(i))); err != nil {
			return fmt.Errorf("move folded %s aside: %w", s, err)
		}
		parents[filepath.Dir(dir)] = true
		testHook("fold-source-removed")
	}
	for parent := range parents {
		if err := durable.SyncDir(parent); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove folded partitions: %w", err)
	}
	for parent := range parents {
		if os.Remove(parent) == nil { // only if empty
			if err := durable.SyncDir(filepath.Dir(parent)); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncWithDisk brings the manifest's entries of t in line with t's
// partitions on disk (its compacted months included): entries of directories that are gone are dropped,
// and a partition the manifest does not list with the files it holds is
// recorded from its files' footers and metadata. A fold, or a fold
// interrupted before the manifest was saved, leaves such differences. It
// reports whether anything changed.
func (m *WarehouseManifest) syncWithDisk(root string, t schemas.Table, now time.Time) (bool, error) {
	changed := false
	if ds := m.Datasets[t.Dataset]; ds != nil {
		if !slices.Equal(ds.PartitionBy, t.PartitionBy) {
			ds.PartitionBy = t.PartitionBy
			changed = true
		}
		for path := range ds.Partitions {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); errors.Is(err, os.ErrNotExist) {
				m.drop(t, path)
				changed = true
			} else if err != nil {
				return changed, err
			}
		}
	}
	dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(t.Dataset)) + strings.Repeat(string(filepath.Separator)+"*", len(t.PartitionBy)))
	if err != nil {
		return changed, err
	}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return changed, err
		}
		rel = filepath.ToSlash(rel)
		if checkPartitionPath(t, rel) != nil {
			// A compacted month of a table stored by change is one of its
			// partitions too (compact.go).
			if c, ok := schemas.Compacted(t); !ok || checkPartitionPath(c, rel) != nil {
				continue
			}
		}
		paths, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
		if err != nil || len(paths) == 0 {
			continue
		}
		sort.Strings(paths)
		files := make([]warehouse.File, len(paths))
		for i, p := range paths {
			info, err := os.Stat(p)
			if err != nil {
				return changed, err
			}
			files[i] = warehouse.File{Name: filepath.Base(p), Bytes: info.Size()}
		}
		if e := m.Datasets[t.Dataset]; e != nil && e.Partitions[rel] != nil && sameFiles(e.Partitions[rel].Files, files) {
			continue
		}
		pr := PartitionResult{Table: t.Dataset, Path: rel}
		var stage, runID string
		for i, p := range paths {
			pf, err := file.OpenParquetFile(p, false)
			if err != nil {
				return changed, fmt.Errorf("read %s: %w", p, err)
			}
			files[i].Rows = pf.NumRows()
			pf.Close()
			pr.Rows += files[i].Rows
			pr.Bytes += files[i].Bytes
		}
		if _, stage, runID, err = stageMeta(paths[0]); err != nil {
			return changed, fmt.Errorf("read %s: %w", paths[0], err)
		}
		pr.Files = files
		m.record(t, stage, runID, pr, now)
		changed = true
	}
	return changed, nil
}

// sameFiles reports whether a manifest entry's files are the ones on disk
// (names and sizes).
func sameFiles(listed, disk []warehouse.File) bool {
	return slices.EqualFunc(listed, disk, func(a, b warehouse.File) bool { return a.Name == b.Name && a.Bytes == b.Bytes })
}

// testHook, when set (by tests only), is called at named points of a fold
// so a test can kill the process there.
var testHook = func(string) {}
