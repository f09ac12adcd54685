package load

// Compaction of closed months (docs/architecture.md, "CQC history by
// change"). A table stored by change gets a partition per night with
// changes, and cqc/changes a partition per table and night. Once a month is
// closed (a snapshot of a later month is stored), its nightly partitions of
// each are compacted into one partition of schemas.Compacted:
// snapshot_month=YYYY-MM, each row's snapshot_date a column. A year is then
// twelve partitions per table and month at most one per night, so a reader
// globs tens of files, not thousands.
//
// Each compacted partition is written aside and swapped in; the month's
// nightly partitions are removed by a later load, once the catalog in place
// was built after the compaction. A reader ignores the nightly partitions of
// a month that has a compacted partition (warehouse.StoredSQL), so until
// then both read the same. The removal waits for the catalog because one
// built before a table had any compacted month reads none (DuckDB refuses a
// glob that matches no file, so the catalog names only the globs that
// matched when it was built), and a run killed before its catalog keeps the
// older one: it still finds the month in its nightly partitions.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// compactMonths compacts the closed months of every table stored by change
// (its rows, then its versions), removes the nightly partitions of the
// months compacted before the catalog in place was built, and saves the
// manifest if it did either. It returns how many nightly partitions it
// compacted.
func compactMonths(ctx context.Context, opts Options, wm *WarehouseManifest) (int, error) {
	total, changed := 0, false
	for _, t := range opts.Tables {
		if len(t.Owner) == 0 {
			continue
		}
		dates, err := changeDates(opts.Root, t)
		if err != nil {
			return total, err
		}
		if len(dates) == 0 {
			continue
		}
		current := dates[len(dates)-1][:7] // the newest snapshot's month
		rows, err := warehouse.NightlyDates(opts.Root, t.Dataset)
		if err != nil {
			return total, err
		}
		// The versions' nightly dates are those just read (changeDates).
		for _, part := range []struct {
			t      schemas.Table
			dir    string
			nights []string
		}{{t, t.Dataset, rows}, {schemas.CQCChanges, warehouse.ChangesDir(t), dates}} {
			nights := part.nights
			var months []string
			for _, d := range nights {
				if m := d[:7]; m < current && !slices.Contains(months, m) {
					months = append(months, m)
				}
			}
			for _, m := range months {
				// The newest nightly partition stays while no later one
				// exists, so that a catalog's glob of them still matches.
				keepLast := nights[len(nights)-1][:7] == m
				n, removed, err := compactMonth(ctx, opts, wm, part.t, part.dir, m, keepLast)
				if err != nil {
					return total, fmt.Errorf("compact %s/snapshot_month=%s: %w", part.dir, m, err)
				}
				total += n
				changed = changed || n > 0 || removed
			}
		}
	}
	if !changed {
		return 0, nil
	}
	// A compaction killed before the manifest was saved left partitions it
	// does not list: they are recorded from disk.
	for _, t := range append(slices.DeleteFunc(slices.Clone(opts.Tables), func(t schemas.Table) bool { return len(t.Owner) == 0 }), schemas.CQCChanges) {
		if _, err := wm.syncWithDisk(opts.Root, t, time.Now().UTC()); err != nil {
			return total, err
		}
	}
	if err := wm.save(opts.Root); err != nil {
		return total, err
	}
	opts.Logger.Info("nightly partitions of closed months compacted", "partitions", total)
	return total, nil
}

// compactMonth compacts the nightly partitions dir/snapshot_date=<month>-DD
// of t into dir/snapshot_month=<month> and returns how many it compacted,
// or, when that is done already and the catalog in place was built after
// it, removes them (but the newest, with keepLast) and says so.
func compactMonth(ctx context.Context, opts Options, wm *WarehouseManifest, t schemas.Table, dir, month string, keepLast bool) (int, bool, error) {
	nights, err := filepath.Glob(filepath.Join(opts.Root, filepath.FromSlash(dir), "snapshot_date="+month+"-??"))
	if err != nil || len(nights) == 0 {
		return 0, false, err
	}
	slices.Sort(nights)
	sources := make([]string, len(nights))
	for i, n := range nights {
		rel, err := filepath.Rel(opts.Root, n)
		if err != nil {
			return 0, false, err
		}
		sources[i] = filepath.ToSlash(rel)
	}
	target := dir + "/snapshot_month=" + month
	if _, err := os.Stat(filepath.Join(opts.Root, filepath.FromSlash(target))); errors.Is(err, os.ErrNotExist) {
		c, _ := schemas.Compacted(t)
		if err := writeCompacted(ctx, opts, wm, t, c, target, sources); err != nil {
			return 0, false, err
		}
		testHook("compact-swapped")
		return len(sources), false, nil
	} else if err != nil {
		return 0, false, err
	}
	if seen, err := catalogBuiltAfter(opts.Root, target); err != nil || !seen {
		return 0, false, err
	}
	if keepLast {
		sources = sources[:len(sources)-1]
		if len(sources) == 0 {
			return 0, false, nil
		}
	}
	if err := removeFolded(opts.Root, sources); err != nil {
		return 0, false, err
	}
	for _, s := range sources {
		wm.drop(t, s)
	}
	return 0, true, nil
}

// writeCompacted writes the rows of the nightly partitions sources, oldest
// first, with their snapshot_date as a column, as partition target of c.
func writeCompacted(ctx context.Context, opts Options, wm *WarehouseManifest, t, c schemas.Table, target string, sources []string) error {
	var kv map[string]string
	var files [][]string
	for _, s := range sources {
		f, err := filepath.Glob(filepath.Join(opts.Root, filepath.FromSlash(s), "*.parquet"))
		if err != nil {
			return err
		}
		slices.Sort(f)
		files = append(files, f)
		if len(f) > 0 {
			if kv, err = warehouse.KeyValues(f[len(f)-1]); err != nil {
				return err
			}
		}
	}
	if kv == nil { // partitions without files: nothing to keep
		return removeFolded(opts.Root, sources)
	}
	kv = maps.Clone(kv)
	if err := describe(kv, c, target); err != nil {
		return err
	}
	pr, err := commitPartition(ctx, opts, c, target, kv, func(add func(arrow.RecordBatch) error) error {
		for i, s := range sources {
			day, err := time.Parse(time.DateOnly, warehouse.SnapshotDate(s))
			if err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
			for _, f := range files[i] {
				err := warehouse.ReadBatches(ctx, f, func(rec arrow.RecordBatch) error {
					dated := withDate(rec, c.Schema.Field(c.Schema.NumFields()-1), arrow.Date32FromTime(day))
					defer dated.Release()
					return add(dated)
				})
				if err != nil {
					return fmt.Errorf("read %s: %w", f, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	wm.record(t, kv[warehouse.MetaStage], kv[warehouse.MetaInputRunID], pr, time.Now().UTC())
	return nil
}

// withDate is rec with a last column, field, holding day on every row (the
// writer matches the columns by name: a file written before a column was
// added lacks it).
func withDate(rec arrow.RecordBatch, field arrow.Field, day arrow.Date32) arrow.RecordBatch {
	b := array.NewDate32Builder(memory.DefaultAllocator)
	defer b.Release()
	n := int(rec.NumRows())
	b.Reserve(n)
	for range n {
		b.UnsafeAppend(day)
	}
	dates := b.NewArray()
	defer dates.Release()
	schema := arrow.NewSchema(append(rec.Schema().Fields(), field), nil)
	return array.NewRecordBatch(schema, append(slices.Clone(rec.Columns()), dates), rec.NumRows())
}

// catalogBuiltAfter reports whether the catalog in place (if any) was built
// after the files of the partition at path were written, so that it reads
// them.
func catalogBuiltAfter(root, path string) (bool, error) {
	cat, err := os.Stat(filepath.Join(root, warehouse.CatalogFile))
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(path), "*.parquet"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return false, err
		}
		if !cat.ModTime().After(fi.ModTime()) {
			return false, nil
		}
	}
	return true, nil
}
