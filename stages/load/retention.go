package load

// Retention of the CQC history (docs/architecture.md, "CQC history by
// change", Retention). With Options.HistoryDays = N, after the stage
// outputs are stored, each table stored by change keeps the snapshots from
// K on, K being its oldest snapshot date on or after C = its newest
// snapshot date - N days, and drops everything only older snapshots need:
//
//   - the marks of the snapshots before K;
//   - every version superseded on or before K (its owner has a later
//     version dated K or earlier), and a removal dated K or earlier with
//     everything before it;
//   - the stored rows of the versions dropped.
//
// A version in effect at K keeps its date; it spans only the marks kept.
// No snapshot from K on needs any of what is dropped, so dropping any part
// of it leaves them as they were: each partition holding something dropped
// is written again without it (aside, fsynced, swapped in, as compaction
// does) or, when nothing of it is left, removed. The stored rows go first
// and the versions last, so a kill in between leaves versions that the
// rerun finds and drops again, with the rows already gone. A partition
// left empty is kept, with a file without rows, when it is the last one
// its glob matches: a catalog in place may name that glob, and DuckDB
// refuses a glob that matches no file.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// Retention says what the history retention (Options.HistoryDays) dropped.
type Retention struct {
	// Snapshots are the snapshot dates dropped (of any table), oldest first.
	Snapshots []string
	// Versions counts the versions dropped (removals included).
	Versions int64
	// Rows counts the stored rows of the versions dropped.
	Rows int64
	// Partitions counts the partitions written again or removed.
	Partitions int
}

// rowKey names a row of a table stored by change or of its versions: its
// owner ("" for a snapshot's mark) and snapshot date.
type rowKey struct {
	owner string
	day   arrow.Date32
}

// retentionPlan is what the retention drops of one table.
type retentionPlan struct {
	keep arrow.Date32 // K, the oldest snapshot kept
	rows []versionRow // every version and mark
	drop map[rowKey]bool
}

// planRetention reads t's versions and decides what to drop to keep the
// snapshots of the last days before its newest one; nil when nothing is
// past the cutoff.
func planRetention(ctx context.Context, root string, t schemas.Table, days int) (*retentionPlan, error) {
	p := &retentionPlan{drop: map[rowKey]bool{}}
	if err := eachVersion(ctx, root, t, func(r versionRow) { p.rows = append(p.rows, r) }); err != nil {
		return nil, err
	}
	var marks []arrow.Date32
	owners := map[string][]versionRow{}
	for _, r := range p.rows {
		if r.owner == "" {
			marks = append(marks, r.day)
		} else {
			owners[r.owner] = append(owners[r.owner], r)
		}
	}
	if len(marks) == 0 {
		return nil, nil
	}
	slices.Sort(marks)
	cutoff := arrow.Date32FromTime(marks[len(marks)-1].ToTime().AddDate(0, 0, -days))
	k, _ := slices.BinarySearch(marks, cutoff) // the newest is on or after the cutoff
	p.keep = marks[k]
	for _, m := range marks[:k] {
		p.drop[rowKey{day: m}] = true
	}
	for owner, vs := range owners {
		slices.SortStableFunc(vs, func(a, b versionRow) int { return cmp.Compare(a.day, b.day) })
		// The version in effect at K stays (unless it is a removal); the
		// ones before it go.
		n := 0
		for i, v := range vs {
			if v.day <= p.keep {
				n = i
				if v.removed {
					n = i + 1
				}
			}
		}
		for _, v := range vs[:n] {
			p.drop[rowKey{owner, v.day}] = true
		}
	}
	if len(p.drop) == 0 {
		return nil, nil
	}
	return p, nil
}

// storedRows reports whether r has rows in the table itself (a version
// that is no removal).
func storedRows(r versionRow) bool { return r.owner != "" && !r.removed }

// retainHistory drops, from every table stored by change, what no snapshot
// of the last opts.HistoryDays days needs, and brings the manifest in line
// (also after a run killed before it saved it).
func retainHistory(ctx context.Context, opts Options, wm *WarehouseManifest) (Retention, error) {
	var res Retention
	if opts.HistoryDays <= 0 {
		return res, nil
	}
	var byChange []schemas.Table
	for _, t := range opts.Tables {
		if len(t.Owner) > 0 {
			byChange = append(byChange, t)
		}
	}
	for _, t := range byChange {
		p, err := planRetention(ctx, opts.Root, t, opts.HistoryDays)
		if err != nil {
			return res, fmt.Errorf("%s: history retention: %w", t.Dataset, err)
		}
		if p == nil {
			continue
		}
		var versions, rows int64
		var snapshots []string
		for _, r := range p.rows {
			switch {
			case !p.drop[rowKey{r.owner, r.day}]:
			case r.owner == "":
				snapshots = append(snapshots, r.day.FormattedString())
			default:
				versions++
				if !r.removed {
					rows += r.rows
				}
			}
		}
		// The stored rows first, then the versions: see the top of this file.
		n, err := dropPast(ctx, opts, p, t, t.Dataset, t, storedRows)
		if err != nil {
			return res, fmt.Errorf("%s: history retention: %w", t.Dataset, err)
		}
		testHook("retention-rows-dropped")
		m, err := dropPast(ctx, opts, p, schemas.CQCChanges, warehouse.ChangesDir(t), schemas.Versions(t), func(versionRow) bool { return true })
		if err != nil {
			return res, fmt.Errorf("%s: history retention: %w", t.Dataset, err)
		}
		for _, s := range snapshots {
			if !slices.Contains(res.Snapshots, s) {
				res.Snapshots = append(res.Snapshots, s)
			}
		}
		res.Versions += versions
		res.Rows += rows
		res.Partitions += n + m
		opts.Logger.Info("history before the cutoff dropped", "table", t.Dataset, "kept_from", p.keep.FormattedString(),
			"snapshots", len(snapshots), "versions", versions, "rows", rows, "partitions", n+m)
	}
	slices.Sort(res.Snapshots)
	changed := false
	for _, t := range append(byChange, schemas.CQCChanges) {
		c, err := wm.syncWithDisk(opts.Root, t, time.Now().UTC())
		if err != nil {
			return res, err
		}
		changed = changed || c
	}
	if changed {
		return res, wm.save(opts.Root)
	}
	return res, nil
}

// dropPast writes again, without the rows p drops, every partition under
// dir (relative to the root) holding one: of table w (its compacted months
// of schemas.Compacted(w)), which readers glob as table glob (and
// schemas.Compacted(glob)). held says which of p's rows the partitions
// hold. A partition left with no row is removed unless it is the last its
// glob matches. Nightly partitions go before compacted months: until a
// month is written again, it hides its nightly partitions that a stopped
// compaction left (warehouse.StoredSQL). It returns how many partitions it
// wrote or removed.
func dropPast(ctx context.Context, opts Options, p *retentionPlan, w schemas.Table, dir string, glob schemas.Table,
	held func(versionRow) bool) (int, error) {
	// What each partition (by date, or by month) holds.
	type holds struct{ dropped, kept bool }
	parts := map[string]holds{}
	for _, r := range p.rows {
		if !held(r) {
			continue
		}
		day := r.day.FormattedString()
		for _, k := range []string{"snapshot_date=" + day, "snapshot_month=" + day[:7]} {
			h := parts[k]
			if p.drop[rowKey{r.owner, r.day}] {
				h.dropped = true
			} else {
				h.kept = true
			}
			parts[k] = h
		}
	}
	nights, err := warehouse.NightlyDates(opts.Root, dir)
	if err != nil {
		return 0, err
	}
	months, err := warehouse.CompactedMonths(opts.Root, dir)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, d := range nights {
		names = append(names, "snapshot_date="+d)
	}
	for _, m := range months {
		names = append(names, "snapshot_month="+m)
	}
	written := 0
	for _, name := range names {
		h := parts[name]
		if !h.dropped {
			continue
		}
		path := dir + "/" + name
		wt, gt := w, glob
		if strings.HasPrefix(name, "snapshot_month=") {
			wt, _ = schemas.Compacted(w)
			gt, _ = schemas.Compacted(glob)
		}
		if !h.kept {
			last, err := lastOfGlob(opts.Root, gt, path)
			if err != nil {
				return written, err
			}
			if !last {
				if err := removeFolded(opts.Root, []string{path}); err != nil {
					return written, err
				}
				written++
				testHook("retention-removed")
				continue
			}
		}
		if err := rewriteWithout(ctx, opts, wt, path, p.drop); err != nil {
			return written, fmt.Errorf("%s: %w", path, err)
		}
		written++
		testHook("retention-swapped")
	}
	return written, nil
}

// lastOfGlob reports whether the partition at path holds every file that
// readers' glob of table t matches.
func lastOfGlob(root string, t schemas.Table, path string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(warehouse.Pattern(t))))
	if err != nil {
		return false, err
	}
	dir := filepath.Join(root, filepath.FromSlash(path)) + string(filepath.Separator)
	return !slices.ContainsFunc(files, func(f string) bool { return !strings.HasPrefix(f, dir) }), nil
}

// rewriteWithout writes partition path of t again, aside and swapped in,
// without the rows drop names (by owner, "" for a snapshot's mark, and
// snapshot date). Its files keep their key-value metadata.
func rewriteWithout(ctx context.Context, opts Options, t schemas.Table, path string, drop map[rowKey]bool) error {
	files, err := filepath.Glob(filepath.Join(opts.Root, filepath.FromSlash(path), "*.parquet"))
	if err != nil || len(files) == 0 {
		return err
	}
	slices.Sort(files)
	kv, err := warehouse.KeyValues(files[len(files)-1])
	if err != nil {
		return err
	}
	_, err = commitPartition(ctx, opts, t, path, maps.Clone(kv), func(add func(arrow.RecordBatch) error) error {
		for _, f := range files {
			err := warehouse.ReadBatches(ctx, f, func(rec arrow.RecordBatch) error {
				owner, err := rowOwners(t, rec)
				if err != nil {
					return err
				}
				day, err := warehouse.RowDays(path, rec)
				if err != nil {
					return err
				}
				return warehouse.KeepRows(rec, func(r int) bool { return !drop[rowKey{owner(r), day(r)}] }, add)
			})
			if err != nil {
				return fmt.Errorf("read %s: %w", f, err)
			}
		}
		return nil
	})
	return err
}

// rowOwners gives the owner of each row of rec, a batch of t: a table
// stored by change, or cqc/changes (whose snapshot marks have owner "").
func rowOwners(t schemas.Table, rec arrow.RecordBatch) (func(int) string, error) {
	if t.Dataset != schemas.CQCChanges.Dataset {
		return warehouse.OwnerKeys(t, rec)
	}
	owner, ok := rec.Column(0).(*array.String)
	if !ok {
		return nil, errors.New("cqc/changes: the owner column is not a string")
	}
	return func(r int) string {
		if owner.IsNull(r) {
			return ""
		}
		return owner.Value(r)
	}, nil
}

// String is the Retention line of the load summary ("" when nothing was
// dropped).
func (r Retention) String() string {
	if len(r.Snapshots) == 0 && r.Versions == 0 {
		return ""
	}
	span := "no snapshot date"
	if n := len(r.Snapshots); n > 0 {
		span = fmt.Sprintf("%d snapshot date(s) %s to %s", n, r.Snapshots[0], r.Snapshots[n-1])
	}
	return fmt.Sprintf("%s, %d version(s) and %d stored row(s) (%d partition(s) written again or removed)",
		span, r.Versions, r.Rows, r.Partitions)
}
