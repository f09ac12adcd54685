package warehouse

// Reading a table stored by change (schemas.Table.Owner; docs/architecture.md,
// "CQC history by change") from Go: its versions in cqc/changes and the rows
// of its latest snapshot, as the catalog's views (ByChangeSQL) read them.
// Load writes this layout; normalise and resolve read the latest snapshot
// to work on a night's changes only.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"

	"carelake/schemas"
	"carelake/schemas/staging"
)

// ChangesDir is the directory of t's partitions in cqc/changes.
func ChangesDir(t schemas.Table) string {
	return schemas.CQCChanges.Dataset + "/table_name=" + strings.TrimPrefix(t.Dataset, "cqc/")
}

// ChangesPath is the cqc/changes partition of t's snapshot date.
func ChangesPath(t schemas.Table, date string) string {
	return ChangesDir(t) + "/snapshot_date=" + date
}

// SnapshotDate is the date of a partition path ending in snapshot_date=D.
func SnapshotDate(path string) string {
	_, date, _ := strings.Cut(path[strings.LastIndex(path, "/")+1:], "=")
	return date
}

// NightlyDates lists the dates of the snapshot_date partitions under dir
// (relative to root), oldest first.
func NightlyDates(root, dir string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "snapshot_date=*"))
	if err != nil {
		return nil, err
	}
	var dates []string
	for _, d := range dirs {
		if date := SnapshotDate(filepath.ToSlash(d)); !strings.HasSuffix(date, ".old") {
			dates = append(dates, date)
		}
	}
	sort.Strings(dates)
	return dates, nil
}

// CompactedMonths lists the months of the snapshot_month partitions under
// dir (relative to root), oldest first.
func CompactedMonths(root, dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "snapshot_month=????-??"))
	if err != nil {
		return nil, err
	}
	months := make([]string, len(paths))
	for i, p := range paths {
		months[i] = strings.TrimPrefix(filepath.Base(p), "snapshot_month=")
	}
	slices.Sort(months)
	return months, nil
}

// storedFiles lists the Parquet files under dir (relative to root) as a
// reader sees them (StoredSQL): the compacted months, then the nightly
// partitions of the months not compacted.
func storedFiles(root, dir string) ([]string, error) {
	months, err := CompactedMonths(root, dir)
	if err != nil {
		return nil, err
	}
	dates, err := NightlyDates(root, dir)
	if err != nil {
		return nil, err
	}
	compacted := map[string]bool{}
	var files []string
	add := func(part string) error {
		f, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), part, "*.parquet"))
		slices.Sort(f)
		files = append(files, f...)
		return err
	}
	for _, month := range months {
		compacted[month] = true
		if err := add("snapshot_month=" + month); err != nil {
			return nil, err
		}
	}
	for _, d := range dates {
		if compacted[d[:7]] {
			continue // left by a compaction that stopped before removing it
		}
		if err := add("snapshot_date=" + d); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// KeyValues is the key-value metadata of a Parquet file.
func KeyValues(path string) (map[string]string, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	out := map[string]string{}
	for _, kv := range pf.MetaData().KeyValueMetadata() {
		if kv.Value != nil && !strings.HasPrefix(kv.Key, "ARROW:") {
			out[kv.Key] = *kv.Value
		}
	}
	return out, nil
}

// Version is a row of a table's versions in cqc/changes: an owner's
// version (its rows' digest and count, or its removal), or with Owner ""
// the mark of a snapshot (Rows: its rows).
type Version struct {
	Day     arrow.Date32
	Owner   string
	Digest  int64
	Rows    int64
	Removed bool
}

// EachVersion hands fn every row of t's versions, oldest first.
func EachVersion(ctx context.Context, root string, t schemas.Table, fn func(Version)) error {
	files, err := storedFiles(root, ChangesDir(t))
	if err != nil {
		return err
	}
	for _, f := range files {
		err := ReadBatches(ctx, f, func(rec arrow.RecordBatch) error {
			owner := rec.Column(0).(*array.String)
			removed := rec.Column(1).(*array.Boolean)
			rows := rec.Column(2).(*array.Int64)
			digest := rec.Column(3).(*array.Int64)
			day, err := RowDays(filepath.ToSlash(filepath.Dir(f)), rec)
			if err != nil {
				return err
			}
			for i := range int(rec.NumRows()) {
				if owner.IsNull(i) { // the snapshot's mark: its rows
					fn(Version{Day: day(i), Rows: rows.Value(i)})
					continue
				}
				fn(Version{Day: day(i), Owner: strings.Clone(owner.Value(i)),
					Digest: digest.Value(i), Rows: rows.Value(i), Removed: removed.Value(i)})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
	}
	return nil
}

// RowDays gives the snapshot date of each row of rec, a batch of partition
// path of a table stored by change (or of its versions): the partition's
// (snapshot_date=D), or in a compacted month (snapshot_month=M) the row's
// snapshot_date column.
func RowDays(path string, rec arrow.RecordBatch) (func(int) arrow.Date32, error) {
	if key, _, _ := strings.Cut(path[strings.LastIndex(path, "/")+1:], "="); key != "snapshot_date" {
		idx := rec.Schema().FieldIndices("snapshot_date")
		if len(idx) != 1 {
			return nil, fmt.Errorf("%s: no snapshot_date column", path)
		}
		dates, ok := rec.Column(idx[0]).(*array.Date32)
		if !ok {
			return nil, fmt.Errorf("%s: snapshot_date is not a date", path)
		}
		return dates.Value, nil
	}
	day, err := time.Parse(time.DateOnly, SnapshotDate(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d := arrow.Date32FromTime(day)
	return func(int) arrow.Date32 { return d }, nil
}

// OwnerKeys returns a function giving the owner of each row of rec.
func OwnerKeys(t schemas.Table, rec arrow.RecordBatch) (func(int) string, error) {
	cols := make([]*array.String, len(t.Owner))
	for i, name := range t.Owner {
		idx := rec.Schema().FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%s: no owner column %s", t.Dataset, name)
		}
		c, ok := rec.Column(idx[0]).(*array.String)
		if !ok {
			return nil, fmt.Errorf("%s: owner column %s is not a string", t.Dataset, name)
		}
		cols[i] = c
	}
	if len(cols) == 1 {
		return func(r int) string { return cols[0].Value(r) }, nil
	}
	return func(r int) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = c.Value(r)
		}
		return strings.Join(parts, "/")
	}, nil
}

// KeepRows hands add the runs of rows of rec for which keep is true.
func KeepRows(rec arrow.RecordBatch, keep func(int) bool, add func(arrow.RecordBatch) error) error {
	n := int(rec.NumRows())
	for r := 0; r < n; {
		if !keep(r) {
			r++
			continue
		}
		end := r + 1
		for end < n && keep(end) {
			end++
		}
		part := rec.NewSlice(int64(r), int64(end))
		err := add(part)
		part.Release()
		if err != nil {
			return err
		}
		r = end
	}
	return nil
}

// ReadLatest hands fn the rows of t's newest snapshot before the day
// before (YYYY-MM-DD), as stored by change, with the schema t has now (a
// column added since a row was written is NULL in it), except the rows of
// the owners for which skip is true (skip may be nil). With columns, the
// batches hold only those of t's columns, and its owner columns. It
// returns whether t has a snapshot before that day: without one it hands
// fn nothing.
func ReadLatest(ctx context.Context, root string, t schemas.Table, before string, columns []string, skip func(owner string) bool,
	fn func(arrow.RecordBatch) error) (bool, error) {
	day, err := time.Parse(time.DateOnly, before)
	if err != nil {
		return false, fmt.Errorf("snapshot date %q: %w", before, err)
	}
	until := arrow.Date32FromTime(day)
	type current struct {
		day     arrow.Date32
		removed bool
	}
	latest := map[string]current{}
	found := false
	err = EachVersion(ctx, root, t, func(v Version) {
		if v.Day >= until {
			return
		}
		found = true
		if v.Owner != "" {
			latest[v.Owner] = current{v.Day, v.Removed}
		}
	})
	if err != nil || !found {
		return false, err
	}
	files, err := storedFiles(root, t.Dataset)
	if err != nil {
		return true, err
	}
	schema, read := t.Schema, []string(nil)
	if columns != nil {
		var fields []arrow.Field
		for _, f := range t.Schema.Fields() {
			if slices.Contains(columns, f.Name) || slices.Contains(t.Owner, f.Name) {
				fields = append(fields, f)
				read = append(read, f.Name)
			}
		}
		schema, read = arrow.NewSchema(fields, nil), append(read, "snapshot_date")
	}
	for _, f := range files {
		dir := filepath.ToSlash(filepath.Dir(f))
		err := ReadColumns(ctx, f, read, func(rec arrow.RecordBatch) error {
			days, err := RowDays(dir, rec)
			if err != nil {
				return err
			}
			owner, err := OwnerKeys(t, rec)
			if err != nil {
				return err
			}
			// An owner's rows are stored together: its version is looked up
			// once for each run of them.
			var last string
			var seen, keep bool
			var day arrow.Date32
			return KeepRows(rec, func(r int) bool {
				if k := owner(r); !seen || k != last {
					v, ok := latest[k]
					last, seen = k, true
					keep, day = ok && !v.removed && (skip == nil || !skip(k)), v.day
				}
				return keep && day == days(r)
			}, func(part arrow.RecordBatch) error {
				src := withoutColumn(part, "snapshot_date")
				rows, err := conform(src, schema)
				if src != part {
					src.Release()
				}
				if err != nil {
					return fmt.Errorf("%s: %w", t.Dataset, err)
				}
				defer rows.Release()
				return fn(rows)
			})
		})
		if err != nil {
			return true, fmt.Errorf("read %s: %w", f, err)
		}
	}
	return true, nil
}

// withoutColumn is rec without its column name, if it has one (a compacted
// month's rows carry their snapshot_date).
func withoutColumn(rec arrow.RecordBatch, name string) arrow.RecordBatch {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		return rec
	}
	fields := slices.Delete(slices.Clone(rec.Schema().Fields()), idx[0], idx[0]+1)
	cols := slices.Delete(slices.Clone(rec.Columns()), idx[0], idx[0]+1)
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
}

// Cover is what a partial snapshot (MetaPartialSnapshot) holds whole: the
// organisations ("location/<id>", "provider/<id>") with a row in its
// cqc/locations, cqc/providers or cqc/rejects, or, for resolve's output, in
// cqc/location_lineage. Normalise stages every organisation whose body it
// used either as a row of its own table or as a rejected body, and resolve
// every location it resolved again with its lineage row of depth 0, so
// these are the organisations whose rows the output holds, in every table;
// an organisation with no row of a child table in it has none in that
// snapshot.
type Cover map[string]bool

// StagedCover reads the cover of a stage output that is a partial snapshot;
// it is nil for any other.
func StagedCover(m *staging.Manifest) (Cover, error) {
	if m.Meta[MetaPartialSnapshot] != "true" {
		return nil, nil
	}
	c := Cover{}
	for _, t := range []schemas.Table{schemas.CQCLocations, schemas.CQCProviders, schemas.CQCRejects, schemas.CQCLocationLineage} {
		err := m.ReadTable(t.Dataset, func(rec arrow.RecordBatch) error {
			owner, err := OwnerKeys(t, rec)
			if err != nil {
				return err
			}
			for r := range int(rec.NumRows()) {
				if key, ok := organisationKey(t, owner(r)); ok {
					c[key] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Covers says whether the partial snapshot holds owner (a key of t,
// OwnerKeys) whole. A table whose rows are not an organisation's (the
// taxonomy, report documents, the rejects of the taxonomy) is staged whole
// in a partial snapshot: all of it is covered.
func (c Cover) Covers(t schemas.Table, owner string) bool {
	key, ok := organisationKey(t, owner)
	return !ok || c[key]
}

// organisationKey is owner, a key of t, as "location/<id>" or
// "provider/<id>", if it names an organisation: a table owned by a
// location_id or provider_id column has bare IDs, one owned by a (type, ID)
// pair has them already.
func organisationKey(t schemas.Table, owner string) (string, bool) {
	switch t.Owner[0] {
	case "location_id":
		return "location/" + owner, true
	case "provider_id":
		return "provider/" + owner, true
	case "organisation_type", "entity_type":
		kind, _, _ := strings.Cut(owner, "/")
		return owner, kind == "location" || kind == "provider"
	}
	return "", false
}
