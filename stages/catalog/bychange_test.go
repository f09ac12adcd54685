package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"carelake/internal/testkit"
	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/warehouse"
	"carelake/stages/load"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// wholeTables are the registered tables as they were before storage by
// change: every night a whole snapshot.
func wholeTables(tables []schemas.Table) []schemas.Table {
	out := make([]schemas.Table, 0, len(tables))
	for _, t := range tables {
		t.Owner = nil
		out = append(out, t)
	}
	return out
}

// without drops every row of every table that belongs to location id.
func without(rows map[string][]row, id string) map[string][]row {
	out := map[string][]row{}
	for ds, rs := range rows {
		t, _ := schemas.TableNamed(ds)
		for _, r := range rs {
			mine := false
			for _, c := range t.Owner {
				mine = mine || r[c] == id
			}
			if !mine {
				out[ds] = append(out[ds], r)
			}
		}
	}
	return out
}

// only keeps the rows of every table that belong to location id.
func only(rows map[string][]row, id string) map[string][]row {
	out := map[string][]row{}
	for ds, rs := range rows {
		kept := without(map[string][]row{ds: rs}, id)[ds]
		if len(kept) < len(rs) {
			out[ds] = rs[:0:0]
			for _, r := range rs {
				if !slices.ContainsFunc(kept, func(k row) bool { return reflect.DeepEqual(k, r) }) {
					out[ds] = append(out[ds], r)
				}
			}
		}
	}
	return out
}

// partialOf is the partial snapshot of rows in which location id alone
// changed: its rows, and the whole of every table not owned by an
// organisation (report documents, the taxonomy, clinics).
func partialOf(rows map[string][]row, id string) map[string][]row {
	out := only(rows, id)
	for ds, rs := range rows {
		t, _ := schemas.TableNamed(ds)
		switch t.Owner[0] {
		case "link_id", "inspection_area_id", "clinic_id":
			out[ds] = rs
		}
	}
	return out
}

// byChangeNights is five snapshots over three months: a first night, a
// location gone (every row of it), a night without change, the location
// back with a rating changed elsewhere, and a location renamed. October is
// compacted by the load of the fourth night (docs/architecture.md, "CQC
// history by change").
func byChangeNights() ([]string, []map[string][]row) {
	days := []string{"2026-10-30", "2026-10-31", "2026-11-20", "2026-11-21", "2026-12-01"}
	renamed := fixtureRows("2026-11-21")
	renamed["cqc/locations"][3] = location("1-400", "Smile Dental & Implants", "Registered", "London", nil)
	return days, []map[string][]row{
		fixtureRows("2026-11-20"),
		without(fixtureRows("2026-11-20"), "1-400"),
		without(fixtureRows("2026-11-20"), "1-400"),
		fixtureRows("2026-11-21"),
		renamed,
	}
}

func loadNight(tb testing.TB, root, day string, tables []schemas.Table, rows map[string][]row, meta ...string) {
	tb.Helper()
	staged := tables[:0:0]
	for _, t := range tables {
		if t.Dataset != schemas.CQCChanges.Dataset && len(t.PartitionBy) == 1 && t.PartitionBy[0] == "snapshot_date" {
			staged = append(staged, t)
		}
	}
	loadtest.StageTables(tb, root, "normalise-cqc", "run-"+day, day, staged, rows, meta...)
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", Logger: quiet(), Tables: tables}); err != nil {
		tb.Fatalf("load %s: %v", day, err)
	}
}

// TestSnapshotsByChangeAgreeWithWholeSnapshots loads the same nights into a
// warehouse of whole snapshots (the layout before storage by change), into
// one stored by change, and into a copy of the first migrated by the load
// of its last night: every snapshot of every CQC table answers the same
// rows in all three (EXCEPT ALL both ways), as do the as-of macro and the
// latest view, and a night without change stores no row. The warehouse
// stored by change has October compacted, then its nightly partitions put
// back as a compaction stopped before removing them leaves them: the
// answers are the same (as in the migrated one, whose load of its last night
// compacted October and left them for the next load), and the next load
// removes them.
func TestSnapshotsByChangeAgreeWithWholeSnapshots(t *testing.T) {
	days, nights := byChangeNights()
	whole, byChange, migrated := t.TempDir(), t.TempDir(), t.TempDir()
	last := len(days) - 1
	october := t.TempDir()
	for i := range days[:last] {
		loadNight(t, whole, days[i], wholeTables(schemas.Tables()), nights[i])
		if days[i] == "2026-11-21" {
			testkit.CopyTree(t, byChange, october)
		}
		loadNight(t, byChange, days[i], schemas.Tables(), nights[i])
	}
	testkit.CopyTree(t, whole, migrated)
	loadNight(t, whole, days[last], wholeTables(schemas.Tables()), nights[last])
	loadNight(t, byChange, days[last], schemas.Tables(), nights[last])
	loadNight(t, migrated, days[last], schemas.Tables(), nights[last])
	for _, root := range []string{byChange, migrated} {
		if _, err := os.Stat(filepath.Join(root, "cqc", "locations", "snapshot_month=2026-10")); err != nil {
			t.Errorf("October not compacted: %v", err)
		}
	}
	// The load that compacts a month leaves its nightly partitions (no
	// catalog was built after it yet): migrated has them; byChange, whose
	// last load removed them (no catalog at all), gets them back.
	leftovers := nightlyPartitions(t, october, "2026-10")
	if leftovers == 0 || nightlyPartitions(t, migrated, "2026-10") != leftovers {
		t.Fatalf("nightly partitions of October: %d before its compaction, %d just after it",
			leftovers, nightlyPartitions(t, migrated, "2026-10"))
	}
	for _, dir := range nightlyDirs(t, october, "2026-10") {
		rel, _ := filepath.Rel(october, dir)
		testkit.CopyTree(t, dir, filepath.Join(byChange, rel))
	}

	for name, root := range map[string]string{"by change": byChange, "migrated": migrated} {
		buildMartsAndCatalog(t, root)
		db, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range schemas.CQCTables() {
			rel := tb.Relation()
			files := func(day string) string {
				return fmt.Sprintf("read_parquet(%s, hive_partitioning = true, hive_types = {'snapshot_date': DATE})",
					quoteSQL(filepath.Join(whole, filepath.FromSlash(tb.Dataset), "snapshot_date="+day, "*.parquet")))
			}
			// Every snapshot at once, then the latest, then a day between
			// two snapshots (the night before it).
			checkSameRows(t, db, name, "SELECT * FROM datasets."+rel, "SELECT * FROM "+files("*"))
			checkSameRows(t, db, name, "SELECT * FROM datasets."+rel+"_latest", "SELECT * FROM "+files(days[last]))
			checkSameRows(t, db, name, "SELECT * FROM "+rel+"_as_of(TIMESTAMP '2026-10-31 12:00:00')", "SELECT * FROM "+files("2026-10-31"))
			checkSameRows(t, db, name, "SELECT * FROM "+rel+"_as_of(DATE '2026-11-25')", "SELECT * FROM "+files("2026-11-21"))
		}
		var stored int
		if err := db.QueryRow(`SELECT count(*) FROM datasets.cqc_locations_stored WHERE snapshot_date = DATE '2026-11-20'`).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("%s: a night without change stored %d location rows (%v)", name, stored, err)
		}
		db.Close()
	}
	for _, root := range []string{byChange, migrated} {
		if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", Logger: quiet(), Tables: schemas.Tables()}); err != nil {
			t.Fatal(err)
		}
		// Once a catalog built after the compaction is in place, the next
		// load removes them, but the newest of a directory without a later
		// one (a catalog's glob of them must still match a file).
		for _, dir := range nightlyDirs(t, root, "2026-10") {
			all, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "snapshot_date=*"))
			if slices.Sort(all); dir != all[len(all)-1] {
				t.Errorf("%s: the next load left %s of a compacted month", root, dir)
			}
		}
		if nightlyPartitions(t, root, "2026-10") >= leftovers {
			t.Errorf("%s: the next load removed no nightly partition of a compacted month", root)
		}
	}
}

// nightlyDirs lists the nightly partitions of a month under root: of the
// tables stored by change and of their versions.
func nightlyDirs(t *testing.T, root, month string) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"cqc/*/snapshot_date=" + month + "-??", "cqc/changes/*/snapshot_date=" + month + "-??"} {
		dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, dirs...)
	}
	return out
}

func nightlyPartitions(t *testing.T, root, month string) int { return len(nightlyDirs(t, root, month)) }

func quoteSQL(s string) string { return "'" + s + "'" }

// checkSameRows fails t unless got and want hold the same rows, as many
// times each.
func checkSameRows(t *testing.T, db *sql.DB, what, got, want string) {
	t.Helper()
	var extra, missing int
	q := fmt.Sprintf("SELECT (SELECT count(*) FROM (%s EXCEPT ALL %s)), (SELECT count(*) FROM (%s EXCEPT ALL %s))", got, want, want, got)
	if err := db.QueryRow(q).Scan(&extra, &missing); err != nil {
		t.Fatalf("%s: %s: %v", what, q, err)
	}
	if extra != 0 || missing != 0 {
		t.Errorf("%s: %s has %d rows too many and %d missing", what, got, extra, missing)
	}
}

// TestPartialSnapshot: a stage output that holds only the organisations
// that changed (warehouse.MetaPartialSnapshot) makes the same snapshots as
// the whole one: the surgery is all that differs between the fixture's two
// days, and on a third day the surgery's ratings list is empty, so the
// partial snapshot holds the location (its cover) with no rating.
func TestPartialSnapshot(t *testing.T) {
	whole, partial := t.TempDir(), t.TempDir()
	loadNight(t, whole, "2026-11-20", wholeTables(schemas.Tables()), fixtureRows("2026-11-20"))
	loadNight(t, partial, "2026-11-20", schemas.Tables(), fixtureRows("2026-11-20"))
	loadNight(t, whole, "2026-11-21", wholeTables(schemas.Tables()), fixtureRows("2026-11-21"))
	loadNight(t, partial, "2026-11-21", schemas.Tables(), partialOf(fixtureRows("2026-11-21"), "1-300"), warehouse.MetaPartialSnapshot, "true")
	unrated := fixtureRows("2026-11-21")
	ratings := schemas.CQCLocationRatings.Dataset
	kept := without(map[string][]row{ratings: unrated[ratings]}, "1-300")[ratings]
	if len(kept) == len(unrated[ratings]) {
		t.Fatal("the fixture's surgery has no rating to take away")
	}
	unrated[ratings] = kept
	loadNight(t, whole, "2026-11-22", wholeTables(schemas.Tables()), unrated)
	loadNight(t, partial, "2026-11-22", schemas.Tables(), partialOf(unrated, "1-300"), warehouse.MetaPartialSnapshot, "true")
	buildMartsAndCatalog(t, partial)
	db, err := Open(partial)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var changed int
	if err := db.QueryRow(`SELECT count(*) FROM datasets.cqc_changes WHERE snapshot_date = DATE '2026-11-21' AND owner IS NOT NULL`).Scan(&changed); err != nil || changed == 0 {
		t.Fatalf("the partial night stored %d versions (%v)", changed, err)
	}
	for _, tb := range schemas.CQCTables() {
		rel := tb.Relation()
		checkSameRows(t, db, "partial", "SELECT * FROM datasets."+rel,
			fmt.Sprintf("SELECT * FROM read_parquet(%s, hive_partitioning = true, hive_types = {'snapshot_date': DATE})",
				quoteSQL(filepath.Join(whole, filepath.FromSlash(tb.Dataset), "*", "*.parquet"))))
	}
}

// TestReadLatestIsTheSnapshotBefore: warehouse.ReadLatest, which normalise
// and resolve read a night's unchanged organisations with, hands the rows
// of the snapshot before the day asked, for every table and day of
// byChangeNights (a location gone and back, a compacted month, a night
// without change), as the whole snapshots hold them; with columns and skip,
// those columns of the other owners.
func TestReadLatestIsTheSnapshotBefore(t *testing.T) {
	days, nights := byChangeNights()
	whole, byChange := t.TempDir(), t.TempDir()
	for i := range days {
		loadNight(t, whole, days[i], wholeTables(schemas.Tables()), nights[i])
		loadNight(t, byChange, days[i], schemas.Tables(), nights[i])
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := t.TempDir()
	latest := func(tb schemas.Table, day string, columns []string, skip func(string) bool) string {
		path := filepath.Join(out, tb.Relation()+"-"+day+".parquet")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		var w *pqarrow.FileWriter
		found, err := warehouse.ReadLatest(context.Background(), byChange, tb, day, columns, skip, func(rec arrow.RecordBatch) error {
			if w == nil {
				if w, err = pqarrow.NewFileWriter(rec.Schema(), f, nil, pqarrow.DefaultWriterProps()); err != nil {
					return err
				}
			}
			return w.WriteBuffered(rec)
		})
		if err != nil || !found {
			t.Fatalf("%s before %s: found %t, %v", tb.Dataset, day, found, err)
		}
		if w == nil {
			f.Close()
			return ""
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("SELECT * FROM read_parquet(%s)", quoteSQL(path))
	}
	for i := 1; i < len(days); i++ {
		for _, tb := range schemas.CQCTables() {
			want := fmt.Sprintf("SELECT * EXCLUDE (snapshot_date) FROM read_parquet(%s, hive_partitioning = true)",
				quoteSQL(filepath.Join(whole, filepath.FromSlash(tb.Dataset), "snapshot_date="+days[i-1], "*.parquet")))
			got := latest(tb, days[i], nil, nil)
			if got == "" {
				var n int
				if err := db.QueryRow("SELECT count(*) FROM (" + want + ")").Scan(&n); err != nil || n != 0 {
					t.Errorf("%s before %s: no rows, want %d (%v)", tb.Dataset, days[i], n, err)
				}
				continue
			}
			checkSameRows(t, db, tb.Dataset+" before "+days[i], got, want)
		}
	}
	got := latest(schemas.CQCLocations, days[len(days)-1], []string{"name"}, func(owner string) bool { return owner == "1-300" })
	checkSameRows(t, db, "names but 1-300's", got, fmt.Sprintf("SELECT location_id, name FROM read_parquet(%s) WHERE location_id <> '1-300'",
		quoteSQL(filepath.Join(whole, "cqc", "locations", "snapshot_date="+days[len(days)-2], "*.parquet"))))
	if found, err := warehouse.ReadLatest(context.Background(), byChange, schemas.CQCLocations, days[0], nil, nil,
		func(arrow.RecordBatch) error { return nil }); found || err != nil {
		t.Errorf("a snapshot before the first: found %t, %v", found, err)
	}
}
