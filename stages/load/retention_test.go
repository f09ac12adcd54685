package load

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/internal/testkit"
	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// The retention fixture: two small tables stored by change, one owned by a
// column (things), one by two (pairs), over seven nights across three
// months, so that January and February are compacted by the time the last
// night is loaded (docs/architecture.md, "CQC history by change").

func retentionTables() []schemas.Table {
	field := func(name string, typ arrow.DataType) arrow.Field {
		return schemas.Field(name, typ, name != "thing_id" && name != "kind" && name != "pair_id", name)
	}
	return []schemas.Table{
		{Dataset: "cqc/things", PartitionBy: []string{"snapshot_date"}, Owner: []string{"thing_id"}, Doc: "things",
			Schema: arrow.NewSchema([]arrow.Field{field("thing_id", arrow.BinaryTypes.String), field("part", arrow.BinaryTypes.String),
				field("value", arrow.PrimitiveTypes.Int64)}, nil)},
		{Dataset: "cqc/pairs", PartitionBy: []string{"snapshot_date"}, Owner: []string{"kind", "pair_id"}, Doc: "pairs",
			Schema: arrow.NewSchema([]arrow.Field{field("kind", arrow.BinaryTypes.String), field("pair_id", arrow.BinaryTypes.String),
				field("value", arrow.PrimitiveTypes.Int64)}, nil)},
	}
}

// retentionNights: night i holds things[i] (thing -> value, two rows each)
// and pairs[i] (pair -> value).
//
//   - a changes on most nights; b once (02-01); c never;
//   - d is removed on 01-31 and back on 03-01; f is removed on 02-01 for good;
//   - e appears on 02-03 (no change on 02-05) and changes on 03-02;
//   - both pairs change on 03-01, so with one day kept none of their
//     versions of January or February is left.
var retentionDays = []string{"2026-01-30", "2026-01-31", "2026-02-01", "2026-02-03", "2026-02-05", "2026-03-01", "2026-03-02"}

func retentionNight(i int) map[string][]loadtest.Row {
	things := []map[string]int64{
		{"a": 1, "b": 1, "c": 1, "d": 1, "f": 1},
		{"a": 2, "b": 1, "c": 1, "f": 1},
		{"a": 2, "b": 2, "c": 1},
		{"a": 3, "b": 2, "c": 1, "e": 1},
		{"a": 3, "b": 2, "c": 1, "e": 1},
		{"a": 4, "b": 2, "c": 1, "e": 1, "d": 2},
		{"a": 4, "b": 2, "c": 1, "e": 2, "d": 2},
	}[i]
	pairs := []map[string]int64{
		{"1": 1, "2": 1}, {"1": 1, "2": 1}, {"1": 2, "2": 1}, {"1": 2, "2": 2}, {"1": 2, "2": 2}, {"1": 3, "2": 3}, {"1": 3, "2": 3},
	}[i]
	rows := map[string][]loadtest.Row{}
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for k := range things {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, part := range []string{"p1", "p2"} {
			rows["cqc/things"] = append(rows["cqc/things"], loadtest.Row{"thing_id": id, "part": part, "value": things[id]})
		}
	}
	for _, id := range []string{"1", "2"} {
		rows["cqc/pairs"] = append(rows["cqc/pairs"], loadtest.Row{"kind": "x", "pair_id": id, "value": pairs[id]})
	}
	return rows
}

// stageNight stages night i as normalise-cqc does.
func stageNight(tb testing.TB, root string, i int) {
	tb.Helper()
	loadtest.StageTables(tb, root, "normalise-cqc", "run-"+retentionDays[i], retentionDays[i], retentionTables(), retentionNight(i))
}

func retentionOpts(root string, days int) Options {
	return Options{Root: root, Tables: retentionTables(), Version: "test", HistoryDays: days}
}

// retentionWarehouse loads the first n nights, each with days of history
// kept, and stages night n (when there is one) for the next load.
func retentionWarehouse(tb testing.TB, root string, n, days int) {
	tb.Helper()
	for i := range n {
		stageNight(tb, root, i)
		if _, err := Run(tb.Context(), retentionOpts(root, days)); err != nil {
			tb.Fatalf("load %s: %v", retentionDays[i], err)
		}
	}
	if n < len(retentionDays) {
		stageNight(tb, root, n)
	}
}

// createViews creates in db, schema w, the views a catalog built now would
// have over root's tables (warehouse.StoredSQL, VersionsSQL, ByChangeSQL),
// and the macros <t>_as_of. Like a catalog's, their globs are those that
// match a file now; the rest read as empty relations.
func createViews(tb testing.TB, db *sql.DB, root string) {
	tb.Helper()
	read := func(t schemas.Table) (string, error) {
		ok, err := warehouse.HasFiles(root, t)
		if err != nil || !ok {
			return warehouse.EmptySQL(t)
		}
		return warehouse.ReadSQL(filepath.Join(root, filepath.FromSlash(warehouse.Pattern(t))), t)
	}
	script := "CREATE SCHEMA IF NOT EXISTS w;\n"
	for _, t := range retentionTables() {
		stored, err := warehouse.StoredSQL(t, read)
		if err != nil {
			tb.Fatal(err)
		}
		versions, err := warehouse.VersionsSQL(t, read)
		if err != nil {
			tb.Fatal(err)
		}
		name := "w." + t.Relation()
		script += fmt.Sprintf("CREATE OR REPLACE VIEW %s_stored AS %s;\nCREATE OR REPLACE VIEW %s_versions AS %s;\n%s",
			name, stored, name, versions, warehouse.ByChangeSQL("w", t))
	}
	if _, err := db.Exec(script); err != nil {
		tb.Fatal(err)
	}
}

// asOfDays are the days the as-of macro is asked for: every day from the
// first night to the day after the last.
func asOfDays() []string {
	var out []string
	first, last := dayOf(retentionDays[0]), dayOf(retentionDays[len(retentionDays)-1])
	for d := first - 1; d <= last+1; d++ {
		out = append(out, d.FormattedString())
	}
	return out
}

// answers copies into tables <prefix>_<t>_<what> what the views createViews
// made answer now: every snapshot (all), the newest (latest), the as-of
// macro for every day of asOfDays (asof, with a column day) and the
// snapshot dates (marks).
func answers(tb testing.TB, db *sql.DB, prefix string) {
	tb.Helper()
	for _, t := range retentionTables() {
		rel := t.Relation()
		var asOf []string
		for _, d := range asOfDays() {
			asOf = append(asOf, fmt.Sprintf("SELECT DATE '%s' AS day, * FROM %s_as_of(DATE '%s')", d, rel, d))
		}
		for what, q := range map[string]string{
			"all":    "SELECT * FROM w." + rel,
			"latest": "SELECT * FROM w." + rel + "_latest",
			"asof":   strings.Join(asOf, "\nUNION ALL "),
			"marks":  "SELECT snapshot_date FROM w." + rel + "_versions WHERE owner IS NULL",
		} {
			if _, err := db.Exec(fmt.Sprintf("CREATE OR REPLACE TABLE %s_%s_%s AS %s", prefix, rel, what, q)); err != nil {
				tb.Fatalf("%s %s: %v", rel, what, err)
			}
		}
	}
}

// sameAnswers fails tb unless tables got and want hold the same rows, as
// many times each (EXCEPT ALL both ways). where, when set, filters the
// snapshot dates (the days, of the as-of answers) of want, and with both
// of got too.
func sameAnswers(tb testing.TB, db *sql.DB, got, want, where string, both bool) {
	tb.Helper()
	for _, t := range retentionTables() {
		rel := t.Relation()
		for _, what := range []string{"all", "latest", "asof", "marks"} {
			g, w := got+"_"+rel+"_"+what, want+"_"+rel+"_"+what
			if where != "" && what != "latest" {
				col := "snapshot_date"
				if what == "asof" {
					col = "day"
				}
				w = fmt.Sprintf("(SELECT * FROM %s WHERE %s %s)", w, col, where)
				if both {
					g = fmt.Sprintf("(SELECT * FROM %s WHERE %s %s)", g, col, where)
				}
			}
			var extra, missing, n int
			q := fmt.Sprintf("SELECT (SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)), (SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)), (SELECT count(*) FROM %s)",
				g, w, w, g, g)
			if err := db.QueryRow(q).Scan(&extra, &missing, &n); err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
			if extra != 0 || missing != 0 || n == 0 {
				tb.Errorf("%s: %d rows too many and %d missing against %s (%d rows)", g, extra, missing, w, n)
			}
		}
	}
}

// dayOf is a snapshot date as DuckDB and arrow count it.
func dayOf(s string) arrow.Date32 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return arrow.Date32FromTime(t)
}

// cqcBytes is the size of the Parquet under root/cqc.
func cqcBytes(tb testing.TB, root string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(filepath.Join(root, "cqc"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// tree lists every file under root but the run history, with its size and
// modification time: what a load that changes nothing leaves as it was.
func tree(tb testing.TB, root string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, fmt.Sprintf("%s %d %s", rel, info.Size(), info.ModTime()))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkManifest fails tb unless root's manifest lists exactly the
// partitions on disk of the retention tables and of cqc/changes, with their
// rows, and the temporary area is empty.
func checkManifest(tb testing.TB, root string) {
	tb.Helper()
	wm, err := ReadWarehouseManifest(root)
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range append(retentionTables(), schemas.CQCChanges) {
		dirs, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(t.Dataset)) + strings.Repeat("/*", len(t.PartitionBy)))
		var onDisk, listed []string
		for _, d := range dirs {
			rel, _ := filepath.Rel(root, d)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		var rows int64
		if ds := wm.Datasets[t.Dataset]; ds != nil {
			for p, e := range ds.Partitions {
				listed = append(listed, p)
				n, err := readWholePartition(filepath.Join(root, filepath.FromSlash(p)))
				if err != nil || n != e.Rows {
					tb.Errorf("%s: %d rows (%v), the manifest says %d", p, n, err, e.Rows)
				}
				rows += e.Rows
			}
			if rows != ds.Rows {
				tb.Errorf("%s: the manifest's total is %d rows, its partitions %d", t.Dataset, ds.Rows, rows)
			}
		}
		slices.Sort(listed)
		if !slices.Equal(onDisk, listed) {
			tb.Errorf("%s: the manifest lists %v, the disk holds %v", t.Dataset, listed, onDisk)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		tb.Errorf("temporary area holds %v", left)
	}
}

// queryInts is a one-column query's answers.
func queryStrings(tb testing.TB, db *sql.DB, q string) []string {
	tb.Helper()
	rows, err := db.Query(q)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestRetentionKeepsTheSnapshotsFromTheCutoff: with 28 days kept, the
// seventh night (2026-03-02) cuts the history at 2026-02-02, so the oldest
// snapshot kept is 2026-02-03, in the compacted February; January, also
// compacted, keeps only what is still in effect then. Whether retention
// runs once, on the last night, or every night, every snapshot from
// 2026-02-03 answers exactly what a warehouse without retention answers
// (every snapshot, the newest, the as-of macro on every day), the dates
// before it answer nothing, and the files are smaller. A thing that never
// changed since the first night is in every snapshot kept, with its first
// version; a thing removed before the cutoff is gone, rows and versions; a
// thing removed and back keeps its return only.
func TestRetentionKeepsTheSnapshotsFromTheCutoff(t *testing.T) {
	last := len(retentionDays) - 1
	template, ref, once, nightly := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	retentionWarehouse(t, template, last, 0)
	testkit.CopyTree(t, template, ref)
	testkit.CopyTree(t, template, once)
	if _, err := Run(t.Context(), retentionOpts(ref, 0)); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(t.Context(), retentionOpts(once, 28))
	if err != nil {
		t.Fatal(err)
	}
	retentionWarehouse(t, nightly, len(retentionDays), 28)

	want := Retention{Snapshots: []string{"2026-01-30", "2026-01-31", "2026-02-01"},
		Versions: 7 + 2, // things a twice, b, d and its removal, f and its removal; both pairs' first
		Rows:     5*2 + 2}
	if got := sum.Retention; !slices.Equal(got.Snapshots, want.Snapshots) || got.Versions != want.Versions || got.Rows != want.Rows || got.Partitions == 0 {
		t.Errorf("retention summary %+v, want %+v", got, want)
	}
	db := openDuckDB(t)
	createViews(t, db, ref)
	answers(t, db, "ref")
	for name, root := range map[string]string{"once": once, "nightly": nightly} {
		createViews(t, db, root)
		answers(t, db, name)
		sameAnswers(t, db, name, "ref", ">= DATE '2026-02-03'", false)
		if got := queryStrings(t, db, "SELECT DISTINCT snapshot_date::VARCHAR FROM w.cqc_things WHERE thing_id = 'c' ORDER BY 1"); !slices.Equal(got, []string{"2026-02-03", "2026-02-05", "2026-03-01", "2026-03-02"}) {
			t.Errorf("%s: c, never changed, is in the snapshots %v", name, got)
		}
		if got := queryStrings(t, db, "SELECT owner || ' ' || snapshot_date::VARCHAR || ' ' || removed::VARCHAR FROM w.cqc_things_versions WHERE owner IN ('b', 'c', 'd', 'f') ORDER BY 1"); !slices.Equal(got, []string{"b 2026-02-01 false", "c 2026-01-30 false", "d 2026-03-01 false"}) {
			t.Errorf("%s: the versions of b, c, d and f are %v", name, got)
		}
		if got := queryStrings(t, db, "SELECT thing_id || ' ' || snapshot_date::VARCHAR FROM w.cqc_things_stored WHERE thing_id IN ('d', 'f') OR snapshot_date < DATE '2026-02-01' AND thing_id <> 'c' ORDER BY 1"); !slices.Equal(got, []string{"d 2026-03-01", "d 2026-03-01"}) {
			t.Errorf("%s: stored rows of dropped versions are left: %v", name, got)
		}
		if _, err := os.Stat(filepath.Join(root, "cqc", "pairs", "snapshot_month=2026-01")); !os.IsNotExist(err) {
			t.Errorf("%s: the January of pairs, nothing of it kept, is still there (%v)", name, err)
		}
		if r, b := cqcBytes(t, root), cqcBytes(t, ref); r >= b {
			t.Errorf("%s: %d bytes of CQC Parquet, %d without retention", name, r, b)
		}
		checkManifest(t, root)
	}
	// Retention every night or once at the end: the same warehouse.
	sameAnswers(t, db, "nightly", "once", "", false)
}

// TestRetentionKeepsTheLastFileOfAGlob: with one day kept, the seventh
// night keeps only its own snapshot and 2026-03-01, and nothing of the
// compacted January and February of pairs. The views of a catalog built
// before that load (whose glob of compacted months matched files) still
// answer after it, as do the views of one built after: February's month
// stays, a file without rows, as the last its glob matches.
func TestRetentionKeepsTheLastFileOfAGlob(t *testing.T) {
	last := len(retentionDays) - 1
	ref, ret := t.TempDir(), t.TempDir()
	retentionWarehouse(t, ref, last, 0)
	testkit.CopyTree(t, ref, ret)
	if _, err := Run(t.Context(), retentionOpts(ref, 0)); err != nil {
		t.Fatal(err)
	}
	db := openDuckDB(t)
	createViews(t, db, ref)
	answers(t, db, "ref")
	createViews(t, db, ret) // the catalog in place when the night is loaded
	if _, err := Run(t.Context(), retentionOpts(ret, 1)); err != nil {
		t.Fatal(err)
	}
	answers(t, db, "before")
	sameAnswers(t, db, "before", "ref", ">= DATE '2026-03-01'", false)
	createViews(t, db, ret)
	answers(t, db, "after")
	sameAnswers(t, db, "after", "ref", ">= DATE '2026-03-01'", false)
	for _, dir := range []string{"cqc/pairs", "cqc/changes/table_name=pairs"} {
		months, _ := filepath.Glob(filepath.Join(ret, filepath.FromSlash(dir), "snapshot_month=*"))
		if len(months) != 1 || filepath.Base(months[0]) != "snapshot_month=2026-02" {
			t.Errorf("%s: months %v, want February alone", dir, months)
			continue
		}
		if n, err := readWholePartition(months[0]); err != nil || n != 0 {
			t.Errorf("%s: %d rows (%v), want a file without rows", months[0], n, err)
		}
	}
	checkManifest(t, ret)
}

// TestRetentionOffChangesNothing: without HistoryDays (the default), or
// with a cutoff before the first snapshot, a load keeps every snapshot and
// touches no file; with a cutoff it drops (so the check can fail), and the
// next load, with nothing more past the cutoff, touches no file again.
func TestRetentionOffChangesNothing(t *testing.T) {
	root := t.TempDir()
	retentionWarehouse(t, root, len(retentionDays), 0)
	db := openDuckDB(t)
	createViews(t, db, root)
	for _, tb := range retentionTables() {
		if got := queryStrings(t, db, "SELECT snapshot_date::VARCHAR FROM w."+tb.Relation()+"_versions WHERE owner IS NULL ORDER BY 1"); !slices.Equal(got, retentionDays) {
			t.Errorf("%s: snapshots %v, want every night", tb.Dataset, got)
		}
	}
	// The next load removes the nightly partitions of February, compacted
	// by the last one: from then on a load without a night to store writes
	// nothing.
	if _, err := Run(t.Context(), retentionOpts(root, 0)); err != nil {
		t.Fatal(err)
	}
	before := tree(t, root)
	for _, o := range []Options{{Root: root, Tables: retentionTables(), Version: "test"}, retentionOpts(root, 1000), retentionOpts(root, 31)} {
		sum, err := Run(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tree(t, root), before) || sum.Retention.String() != "" {
			t.Errorf("a load with %d days kept changed the warehouse: %+v", o.HistoryDays, sum.Retention)
		}
	}
	sum, err := Run(t.Context(), retentionOpts(root, 30)) // 2026-01-31 on: 2026-01-30 goes
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(tree(t, root), before) || !slices.Equal(sum.Retention.Snapshots, []string{"2026-01-30"}) {
		t.Errorf("a load with 30 days kept dropped %+v", sum.Retention)
	}
	before = tree(t, root)
	if sum, err := Run(t.Context(), retentionOpts(root, 30)); err != nil || !slices.Equal(tree(t, root), before) || sum.Retention.String() != "" {
		t.Errorf("the next load with 30 days kept changed the warehouse: %+v (%v)", sum.Retention, err)
	}
}

// retentionChildEnv, when set to a warehouse root, turns the test binary
// into a child that loads it with 28 days of history kept, stopping at the
// point foldKillAtEnv names for its parent to kill (runCrashChild).
const retentionChildEnv = "CARELAKE_LOAD_RETENTION_CRASH_CHILD"

func retentionCrashChild(root string) {
	stopAtKillPoint()
	if _, err := Run(context.Background(), retentionOpts(root, 28)); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// TestKillDuringRetention: the seventh night loaded with 28 days kept by a
// process killed -9 at points of the retention (the stored rows of a
// table dropped but not its versions; a month of versions written again
// and not the next; a month of rows removed; everything dropped but the
// manifest not saved; several kills in a row): after every kill each
// snapshot from the cutoff on answers as without retention, and the next
// load leaves the answers, partitions and manifest of an uninterrupted one.
func TestKillDuringRetention(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	last := len(retentionDays) - 1
	template, ref, want := t.TempDir(), t.TempDir(), t.TempDir()
	retentionWarehouse(t, template, last, 0)
	testkit.CopyTree(t, template, ref)
	testkit.CopyTree(t, template, want)
	if _, err := Run(t.Context(), retentionOpts(ref, 0)); err != nil {
		t.Fatal(err)
	}
	for range 2 { // as the killed loads and the one that finishes
		if _, err := Run(t.Context(), retentionOpts(want, 28)); err != nil {
			t.Fatal(err)
		}
	}
	db := openDuckDB(t)
	createViews(t, db, ref)
	answers(t, db, "ref")
	createViews(t, db, want)
	answers(t, db, "want")
	wantManifest, err := ReadWarehouseManifest(want)
	if err != nil {
		t.Fatal(err)
	}
	const kept = ">= DATE '2026-02-03'"
	// The seventh night's load compacts February, whose nightly partitions
	// stay until the next load; the retention writes again, in order, for
	// things: the rows of January (swapped 1); the versions of 2026-02-01
	// (2), of January (3), of February (4); for pairs: the rows of January
	// (removed 1); the versions of 2026-02-01 (5), of January (removed 2),
	// of February (6).
	for _, kills := range [][]string{
		{"retention-rows-dropped:1"}, // the rows of things dropped, not their versions
		{"retention-swapped:2"},      // a nightly partition of versions a month hides written again, not its month
		{"retention-swapped:3"},      // January of things' versions written again, not February
		{"retention-removed:1"},      // January of pairs' rows removed
		{"retention-swapped:6"},      // everything dropped, the manifest not saved
		{"retention-swapped:1", "retention-removed:2", "retention-rows-dropped:1", "retention-swapped:1"}, // again and again
	} {
		t.Run(strings.Join(kills, ","), func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "wh")
			testkit.CopyTree(t, template, root)
			for _, at := range kills {
				runCrashChild(t, retentionChildEnv+"="+root, at, 0)
				createViews(t, db, root)
				answers(t, db, "killed")
				sameAnswers(t, db, "killed", "ref", kept, true)
			}
			if _, err := Run(t.Context(), retentionOpts(root, 28)); err != nil {
				t.Fatal(err)
			}
			createViews(t, db, root)
			answers(t, db, "rerun")
			sameAnswers(t, db, "rerun", "want", "", false)
			checkManifest(t, root)
			wm, err := ReadWarehouseManifest(root)
			if err != nil {
				t.Fatal(err)
			}
			for ds, w := range wantManifest.Datasets {
				g := wm.Datasets[ds]
				if g == nil || g.Rows != w.Rows || !slices.Equal(slices.Sorted(maps.Keys(g.Partitions)), slices.Sorted(maps.Keys(w.Partitions))) {
					t.Errorf("%s: manifest %+v, uninterrupted %+v", ds, g, w)
				}
			}
		})
	}
}
