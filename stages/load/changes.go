package load

// Tables stored by change (schemas.Table.Owner; docs/architecture.md, "CQC
// history by change"). A staged partition holds the whole snapshot of a
// night. Load compares each owner's rows (by a digest: the sum of the rows'
// 64-bit hashes, with their count) with the owner's latest version before
// that night, read from cqc/changes, and writes
//
//  1. the table's partition of the night with only the rows of the owners
//     that changed (new, different, or back after removal), then
//  2. cqc/changes/table_name=<t>/snapshot_date=<night>: a row per changed
//     owner, a row per owner that disappeared (removed), and a row with no
//     owner marking the snapshot.
//
// The changes partition commits the night: until it is in place, the rows of
// step 1 are ignored by the catalog (it joins stored rows on the version
// that names them), so a crash between the two leaves every snapshot as it
// was and the rerun writes both again.
//
// A partition written before this layout (no MetaStorage in its files) holds
// a whole snapshot. Load migrates such partitions, oldest first: it writes
// their changes partition first and then rewrites the partition with the
// changed owners' rows only. A crash in between leaves a whole snapshot
// beside its changes, which reads the same (the extra rows are not named by
// any version), and the next load finishes the rewrite.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cespare/xxhash/v2"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// storedByChange is the MetaStorage value of a partition written by change.
const storedByChange = "changes"

// ErrOlderSnapshot is returned for a snapshot older than one already stored
// by change: a version can only follow the latest.
var ErrOlderSnapshot = errors.New("a newer snapshot is already stored")

// version is an owner's latest stored version.
type version struct {
	digest  int64
	rows    int64
	removed bool
}

// owned is what one snapshot holds of an owner.
type owned struct {
	digest uint64
	rows   int64
}

// changeSet is a snapshot of one table compared with the versions before it.
type changeSet struct {
	changed map[string]bool // owners whose rows this snapshot stores
	rows    []changeRow     // rows of cqc/changes, marker first
	stored  int64           // rows of the changed owners
}

type changeRow struct {
	owner   *string
	removed bool
	rows    int64
	digest  int64
}

// changeDates lists the dates of t's changes partitions, oldest first.
func changeDates(root string, t schemas.Table) ([]string, error) {
	return warehouse.NightlyDates(root, warehouse.ChangesDir(t))
}

// readVersions is every owner's latest version of t before date; key ""
// holds the latest snapshot's mark (its rows).
func readVersions(ctx context.Context, root string, t schemas.Table, date string) (map[string]version, error) {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("snapshot date %q: %w", date, err)
	}
	before := arrow.Date32FromTime(day)
	out := map[string]version{}
	err = eachVersion(ctx, root, t, func(r versionRow) {
		if r.day < before {
			out[r.owner] = r.version
		}
	})
	return out, err
}

// versionRow is a row of t's versions in cqc/changes: an owner's version,
// or with owner "" a snapshot's mark (its rows).
type versionRow struct {
	day   arrow.Date32
	owner string
	version
}

// eachVersion hands fn every row of t's versions, oldest first
// (warehouse.EachVersion).
func eachVersion(ctx context.Context, root string, t schemas.Table, fn func(versionRow)) error {
	return warehouse.EachVersion(ctx, root, t, func(v warehouse.Version) {
		fn(versionRow{day: v.Day, owner: v.Owner, version: version{digest: v.Digest, rows: v.Rows, removed: v.Removed}})
	})
}

// newerSnapshot is t's latest snapshot date after date, if any.
func newerSnapshot(root string, t schemas.Table, date string) (string, error) {
	dates, err := changeDates(root, t)
	if err != nil || len(dates) == 0 || dates[len(dates)-1] <= date {
		return "", err
	}
	return dates[len(dates)-1], nil
}

// mix is a 64-bit finaliser (splitmix64): it spreads a combined value over
// every bit, so sums of row hashes do not cancel.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// bitsOf is x's two's complement bits: a hash input, not a number.
func bitsOf(x int64) uint64 { return uint64(x) } //nolint:gosec // reinterpreted, never out of range

// signed is a digest's bits as the int64 Parquet stores.
func signed(x uint64) int64 { return int64(x) } //nolint:gosec // reinterpreted, never out of range

// rowHashes hashes every row of rec over all its columns, in order; a value
// hashes apart from NULL and from the same value in another column.
func rowHashes(rec arrow.RecordBatch) []uint64 {
	n := int(rec.NumRows())
	h := make([]uint64, n)
	for c, col := range rec.Columns() {
		seed := uint64(c+1) * 0x9e3779b97f4a7c15
		for r := range n {
			var v uint64
			if col.IsNull(r) {
				h[r] = mix(h[r] ^ seed ^ 0x5bd1e995)
				continue
			}
			switch a := col.(type) {
			case *array.String:
				v = xxhash.Sum64String(a.Value(r))
			case *array.Int64:
				v = bitsOf(a.Value(r))
			case *array.Int32:
				v = bitsOf(int64(a.Value(r)))
			case *array.Float64:
				v = math.Float64bits(a.Value(r))
			case *array.Boolean:
				v = 1
				if a.Value(r) {
					v = 2
				}
			case *array.Date32:
				v = bitsOf(int64(a.Value(r)))
			case *array.Timestamp:
				v = bitsOf(int64(a.Value(r)))
			default:
				v = xxhash.Sum64String(col.ValueStr(r))
			}
			h[r] = mix(h[r] ^ mix(v+seed))
		}
	}
	return h
}

// ownedRows reads a snapshot of t and sums each owner's rows.
func ownedRows(t schemas.Table, read func(func(arrow.RecordBatch) error) error) (map[string]owned, int64, error) {
	out := map[string]owned{}
	var total int64
	err := read(func(rec arrow.RecordBatch) error {
		key, err := warehouse.OwnerKeys(t, rec)
		if err != nil {
			return err
		}
		for r, h := range rowHashes(rec) {
			k := key(r)
			o, ok := out[k]
			if !ok {
				k = strings.Clone(k)
			}
			o.digest += h
			o.rows++
			out[k] = o
		}
		total += rec.NumRows()
		return nil
	})
	return out, total, err
}

// diff compares a snapshot with the versions before it.
func diff(now map[string]owned, total int64, before map[string]version) changeSet {
	cs := changeSet{changed: map[string]bool{}}
	cs.rows = append(cs.rows, changeRow{rows: total})
	var owners []string
	for k := range now {
		owners = append(owners, k)
	}
	for k, v := range before {
		if _, ok := now[k]; !ok && !v.removed && k != "" {
			owners = append(owners, k)
		}
	}
	sort.Strings(owners)
	for _, k := range owners {
		o, ok := now[k]
		v, had := before[k]
		switch {
		case !ok:
			cs.rows = append(cs.rows, changeRow{owner: &k, removed: true, digest: v.digest})
		case !had || v.removed || v.digest != signed(o.digest) || v.rows != o.rows:
			cs.changed[k] = true
			cs.stored += o.rows
			cs.rows = append(cs.rows, changeRow{owner: &k, rows: o.rows, digest: signed(o.digest)})
		}
	}
	return cs
}

// partialBefore narrows the versions to the owners a partial snapshot
// holds whole (covers; an owner it holds no row of is removed, no other
// owner is) and says how many rows the whole snapshot has: the previous
// one's with these owners' rows replaced.
func partialBefore(now map[string]owned, before map[string]version, covers func(string) bool) (map[string]version, int64) {
	total := before[""].rows
	narrowed := map[string]version{}
	for k, v := range before {
		if _, staged := now[k]; k == "" || (!staged && !covers(k)) {
			continue
		}
		narrowed[k] = v
		if !v.removed {
			total -= v.rows
		}
	}
	for _, o := range now {
		total += o.rows
	}
	return narrowed, total
}

// record is the cqc/changes batch of a change set.
func (cs changeSet) record() arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schemas.CQCChanges.Schema)
	defer b.Release()
	owner := b.Field(0).(*array.StringBuilder)
	removed := b.Field(1).(*array.BooleanBuilder)
	rows := b.Field(2).(*array.Int64Builder)
	digest := b.Field(3).(*array.Int64Builder)
	for _, r := range cs.rows {
		if r.owner == nil {
			owner.AppendNull()
		} else {
			owner.Append(*r.owner)
		}
		removed.Append(r.removed)
		rows.Append(r.rows)
		digest.Append(r.digest)
	}
	return b.NewRecordBatch()
}

// keepChanged hands add the runs of rows of rec whose owner changed.
func keepChanged(t schemas.Table, cs changeSet, rec arrow.RecordBatch, add func(arrow.RecordBatch) error) error {
	key, err := warehouse.OwnerKeys(t, rec)
	if err != nil {
		return err
	}
	return warehouse.KeepRows(rec, func(r int) bool { return cs.changed[key(r)] }, add)
}

// writeChanges commits the cqc/changes partition of t's snapshot date.
func writeChanges(ctx context.Context, opts Options, t schemas.Table, date string, kv map[string]string, cs changeSet) (PartitionResult, error) {
	path := warehouse.ChangesPath(t, date)
	ckv := maps.Clone(kv)
	if err := describe(ckv, schemas.CQCChanges, path); err != nil {
		return PartitionResult{}, err
	}
	delete(ckv, warehouse.MetaStorage)
	rec := cs.record()
	defer rec.Release()
	return commitPartition(ctx, opts, schemas.CQCChanges, path, ckv, func(add func(arrow.RecordBatch) error) error {
		return add(rec)
	})
}

// writeByChange loads one staged snapshot of a table stored by change: the
// changed owners' rows, then the changes partition that commits them. cover
// is what a partial snapshot holds (nil: a whole one).
func writeByChange(ctx context.Context, opts Options, t schemas.Table, path string, kv map[string]string,
	read func(func(arrow.RecordBatch) error) error, cover warehouse.Cover) ([]PartitionResult, error) {
	date := warehouse.SnapshotDate(path)
	if newer, err := newerSnapshot(opts.Root, t, date); err != nil {
		return nil, err
	} else if newer != "" {
		return nil, fmt.Errorf("%w: %s is stored up to %s, so the snapshot of %s cannot be added (run with --snapshot-date %s or later)",
			ErrOlderSnapshot, t.Dataset, newer, date, newer)
	}
	before, err := readVersions(ctx, opts.Root, t, date)
	if err != nil {
		return nil, err
	}
	now, total, err := ownedRows(t, read)
	if err != nil {
		return nil, err
	}
	if cover != nil {
		before, total = partialBefore(now, before, func(owner string) bool { return cover.Covers(t, owner) })
	}
	cs := diff(now, total, before)
	return storeNight(ctx, opts, t, path, kv, cs, func(add func(arrow.RecordBatch) error) error {
		return read(func(rec arrow.RecordBatch) error { return keepChanged(t, cs, rec, add) })
	})
}

// storeNight writes what a night of t stores given its change set: the
// changed owners' rows (rows hands them to add), then the changes partition
// that commits them. A night that changed no row writes no partition of t
// (unless one is there from an earlier load of that night: it is replaced).
func storeNight(ctx context.Context, opts Options, t schemas.Table, path string, kv map[string]string, cs changeSet,
	rows func(add func(arrow.RecordBatch) error) error) ([]PartitionResult, error) {
	var out []PartitionResult
	if _, err := os.Stat(filepath.Join(opts.Root, filepath.FromSlash(path))); cs.stored > 0 || err == nil {
		skv := maps.Clone(kv)
		skv[warehouse.MetaStorage] = storedByChange
		stored, err := commitPartition(ctx, opts, t, path, skv, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	testHook("changes-stored")
	changes, err := writeChanges(ctx, opts, t, warehouse.SnapshotDate(path), kv, cs)
	if err != nil {
		return out, err
	}
	return append(out, changes), nil
}

// migrateToChanges rewrites t's partitions that still hold whole snapshots
// (written before the by-change layout), oldest first; see the comment at
// the top of this file. It returns how many it migrated.
func migrateToChanges(ctx context.Context, opts Options, t schemas.Table) (int, error) {
	dirs, err := filepath.Glob(filepath.Join(opts.Root, filepath.FromSlash(t.Dataset), "snapshot_date=*"))
	if err != nil {
		return 0, err
	}
	slices.Sort(dirs)
	migrated := 0
	for _, dir := range dirs {
		rel, err := filepath.Rel(opts.Root, dir)
		if err != nil {
			return migrated, err
		}
		path := filepath.ToSlash(rel)
		if checkPartitionPath(t, path) != nil {
			continue
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
		if err != nil || len(files) == 0 {
			continue
		}
		kv, err := warehouse.KeyValues(files[0])
		if err != nil {
			return migrated, err
		}
		if kv[warehouse.MetaStorage] == storedByChange {
			continue
		}
		if err := migratePartition(ctx, opts, t, path, files, kv); err != nil {
			return migrated, fmt.Errorf("migrate %s to storage by change: %w", path, err)
		}
		migrated++
	}
	return migrated, nil
}

// migratePartition stores one whole-snapshot partition by change: its
// changes partition first (unless a crashed migration wrote it), then the
// partition with the changed owners' rows only.
func migratePartition(ctx context.Context, opts Options, t schemas.Table, path string, files []string, kv map[string]string) error {
	date := warehouse.SnapshotDate(path)
	read := func(fn func(arrow.RecordBatch) error) error {
		for _, f := range files {
			if err := warehouse.ReadBatches(ctx, f, fn); err != nil {
				return err
			}
		}
		return nil
	}
	before, err := readVersions(ctx, opts.Root, t, date)
	if err != nil {
		return err
	}
	now, total, err := ownedRows(t, read)
	if err != nil {
		return err
	}
	cs := diff(now, total, before)
	if _, err := os.Stat(filepath.Join(opts.Root, filepath.FromSlash(warehouse.ChangesPath(t, date)))); errors.Is(err, os.ErrNotExist) {
		if _, err := writeChanges(ctx, opts, t, date, kv, cs); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	testHook("migrate-changes-written")
	if cs.stored == 0 {
		// Nothing of it is named by a version: the partition goes.
		return os.RemoveAll(filepath.Join(opts.Root, filepath.FromSlash(path)))
	}
	skv := maps.Clone(kv)
	skv[warehouse.MetaStorage] = storedByChange
	_, err = commitPartition(ctx, opts, t, path, skv, func(add func(arrow.RecordBatch) error) error {
		return read(func(rec arrow.RecordBatch) error { return keepChanged(t, cs, rec, add) })
	})
	return err
}

// migrateLayouts migrates every table stored by change (migrateToChanges)
// and brings the manifest in line with the partitions it rewrote.
func migrateLayouts(ctx context.Context, opts Options, wm *WarehouseManifest) (int, error) {
	total := 0
	for _, t := range opts.Tables {
		if len(t.Owner) == 0 {
			continue
		}
		n, err := migrateToChanges(ctx, opts, t)
		if err != nil {
			return total, err
		}
		if n > 0 {
			if _, err := wm.syncWithDisk(opts.Root, t, time.Now().UTC()); err != nil {
				return total, err
			}
		}
		total += n
	}
	if total == 0 {
		return 0, nil
	}
	if _, err := wm.syncWithDisk(opts.Root, schemas.CQCChanges, time.Now().UTC()); err != nil {
		return total, err
	}
	if err := wm.save(opts.Root); err != nil {
		return total, err
	}
	opts.Logger.Info("partitions holding whole snapshots stored by change", "partitions", total)
	return total, nil
}
