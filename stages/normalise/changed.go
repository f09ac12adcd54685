package normalise

// A night's changes only (docs/architecture.md, "CQC history by change"):
// the warehouse's latest snapshot before the snapshot date holds, in every
// row of cqc/locations and cqc/providers (and in the rejects row of a body
// that did not fit), the archive record its rows came from. An organisation
// whose wanted body is that record, with the same api_gone_at and
// left_scope_at, has the same rows again: normalise stages only the others,
// as a partial snapshot (warehouse.MetaPartialSnapshot), and load stores
// those. Comparing with the warehouse, not with what an earlier run staged,
// keeps it exact after a crash anywhere: what was not loaded is still
// different, so it is staged again.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// rulesVersion numbers the rules that turn a body into rows. Raise it with
// any change to the rows a body gives (a column's meaning, a parse, a
// reject): the next run then stages every organisation again, as the
// warehouse's snapshot was made with other rules. A change of a table's
// columns needs no raise: the rules include the schemas.
const rulesVersion = 1

// Rules names the rules of this build: rulesVersion and a digest of the
// CQC tables' schemas (warehouse.MetaRules).
func Rules() string {
	h := sha256.New()
	for _, t := range schemas.CQCTables() {
		fmt.Fprintln(h, t.Dataset, t.Schema)
	}
	return fmt.Sprintf("%d-%x", rulesVersion, h.Sum(nil)[:8])
}

// latestNight is the date of t's latest nightly partition of cqc/changes
// before date (the night that committed its latest snapshot), or "" when
// it has none.
func latestNight(root string, t schemas.Table, date string) (string, error) {
	dates, err := warehouse.NightlyDates(root, warehouse.ChangesDir(t))
	if err != nil {
		return "", err
	}
	i, _ := slices.BinarySearch(dates, date)
	if i == 0 {
		return "", nil
	}
	return dates[i-1], nil
}

// sameRules says whether the warehouse's latest snapshot of cqc/locations,
// of the night latestNight gives, was staged with this build's rules: the
// files of its cqc/changes partition carry them. A snapshot only found
// compacted (night "": a rerun of a month's first night) is taken as made
// with other rules: the run stages everything, which is never wrong.
func sameRules(root, night string) (bool, error) {
	if night == "" {
		return false, nil
	}
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(warehouse.ChangesPath(schemas.CQCLocations, night)), "*.parquet"))
	if err != nil || len(files) == 0 {
		return false, err
	}
	kv, err := warehouse.KeyValues(files[0])
	return kv[warehouse.MetaRules] == Rules(), err
}

// oneNight says whether every table normalise stages has its latest
// nightly snapshot before date from the same night as cqc/locations; if
// not, it names the first table that differs and its night ("" for none).
// Load swaps each table's partitions in alone (docs/architecture.md, "CQC
// history by change"), so a load killed at night D leaves some tables with
// D and others without it. A later night would find the organisations that
// changed at D as in cqc/locations and not stage them, and the tables
// without D would never get their change: the night is staged whole
// instead. Only directories are listed, no file is read.
func oneNight(root, date, night string) (table, other string, ok bool, err error) {
	for _, t := range normaliseTables() {
		d, err := latestNight(root, t, date)
		if err != nil {
			return "", "", false, err
		}
		if d != night {
			return t.Dataset, d, false, nil
		}
	}
	return "", "", true, nil
}

// used is what an organisation's rows in the warehouse came from.
type used struct {
	segment        string
	seq            int64
	goneAt, leftAt int64 // microseconds; 0 when NULL
	rejected       bool  // the body did not fit: only a rejects row, without goneAt and leftAt
}

// micros is t as the warehouse stores it (0 for the zero time: NULL).
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// readUsed reads, for every organisation of the warehouse's latest
// snapshot before date, the record its rows came from; found is false when
// the warehouse has no such snapshot (a first run, or a warehouse from
// before the history by change).
func readUsed(ctx context.Context, root, date string) (map[entityKey]used, bool, error) {
	out := make(map[entityKey]used, 1<<17) // a national register's 165,000 organisations
	segments := map[string]string{}        // each segment's name, kept once
	found := false
	for _, t := range []struct {
		table schemas.Table
		kind  entityKind
		id    string
	}{
		{schemas.CQCLocations, kindLocation, "location_id"},
		{schemas.CQCProviders, kindProvider, "provider_id"},
		{schemas.CQCRejects, kindNone, "entity_id"},
	} {
		columns := []string{"archive_segment", "archive_seq", "api_gone_at", "left_scope_at", "scope"} // those t has
		ok, err := warehouse.ReadLatest(ctx, root, t.table, date, columns, nil, func(rec arrow.RecordBatch) error {
			col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
			ids := col(t.id).(*array.String)
			segs := col("archive_segment").(*array.String)
			seqs := col("archive_seq").(*array.Int64)
			stamp := func(name string, r int) int64 {
				if !rec.Schema().HasField(name) {
					return 0
				}
				c := col(name).(*array.Timestamp)
				if c.IsNull(r) {
					return 0
				}
				return int64(c.Value(r))
			}
			for r := range int(rec.NumRows()) {
				kind := t.kind
				if kind == kindNone { // a rejects row: only a rejected body stands for its organisation
					scope := col("scope").(*array.String)
					switch {
					case scope.Value(r) != "body":
						continue
					case col("entity_type").(*array.String).Value(r) == kindLocation.String():
						kind = kindLocation
					case col("entity_type").(*array.String).Value(r) == kindProvider.String():
						kind = kindProvider
					default:
						continue
					}
				}
				seg, ok := segments[segs.Value(r)]
				if !ok {
					seg = strings.Clone(segs.Value(r))
					segments[seg] = seg
				}
				out[entityKey{kind, strings.Clone(ids.Value(r))}] = used{segment: seg, seq: seqs.Value(r),
					goneAt: stamp("api_gone_at", r), leftAt: stamp("left_scope_at", r), rejected: t.kind == kindNone}
			}
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		found = found || ok
	}
	return out, found, nil
}

// keepChanged narrows the index to the organisations whose rows would
// differ from those the warehouse holds (prev, readUsed) and returns how
// many it left out. It returns ok false, leaving the index whole, when the
// snapshot would also lose an organisation the warehouse holds (one that
// has no usable body any more): a partial snapshot cannot say that.
func (ix *index) keepChanged(root string, segments []string, prev map[entityKey]used) (unchanged int, ok bool) {
	wanted := 0
	for _, wants := range ix.wants {
		for _, w := range wants {
			if _, had := prev[entityKey{w.kind, w.id}]; had {
				wanted++
			}
		}
	}
	if wanted < len(prev) {
		return 0, false
	}
	for si, wants := range ix.wants {
		seg := relPath(root, segments[si])
		for seq, w := range wants {
			p, had := prev[entityKey{w.kind, w.id}]
			same := had && p.segment == seg && p.seq == seq &&
				(p.rejected || (p.goneAt == micros(w.goneAt) && p.leftAt == micros(w.leftAt)))
			if same {
				delete(wants, seq)
				unchanged++
			}
		}
	}
	return unchanged, true
}

// onlyChanged narrows the index to what changed since the warehouse's
// latest snapshot, unless opts.Whole, the warehouse has none made with
// these rules, the archive holds report documents (a document's rows name
// every organisation listing it, so they are staged whole, from every
// body), or the tables' latest snapshots are not all of one night (oneNight).
func onlyChanged(ctx context.Context, opts Options, segments []string, ix *index, sum *Summary) error {
	if opts.Whole || len(ix.reports) > 0 {
		return nil
	}
	night, err := latestNight(opts.Root, schemas.CQCLocations, opts.SnapshotDate)
	if err != nil {
		return err
	}
	if same, err := sameRules(opts.Root, night); err != nil || !same {
		return err
	}
	table, other, ok, err := oneNight(opts.Root, opts.SnapshotDate, night)
	if err != nil {
		return err
	}
	if !ok {
		opts.Logger.Info("every organisation is staged: the warehouse's latest snapshots are not all of one night, as after a load killed between tables",
			"table", table, "latest_snapshot", other, "locations_latest_snapshot", night)
		return nil
	}
	prev, found, err := readUsed(ctx, opts.Root, opts.SnapshotDate)
	if err != nil || !found {
		return err
	}
	sum.Unchanged, sum.Partial = ix.keepChanged(opts.Root, segments, prev)
	return nil
}
