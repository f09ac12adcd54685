package load

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// The CareQ fixture: the receiver's log as a list of calls, each in a log
// segment, staged as rows of every CareQ table the way normalise-careq
// does, in either the current layout (event_month) or the former one
// (event_date).

const careqStage = "normalise-careq"

// call is one logged call: a row in every CareQ table.
type call struct {
	clinic, segment string
	seq             int64
	at              time.Time
}

// careqCalls simulates the log from start to end: a segment sealed every
// segEvery (the first one starting at start, so segments that start late
// in a day span midnight), holding a call for every clinic every
// callEvery. Segments are named by their start.
func careqCalls(start, end time.Time, segEvery, callEvery time.Duration, clinics ...string) []call {
	var out []call
	seq := int64(0)
	for s := start; s.Before(end); s = s.Add(segEvery) {
		seg := "careq-" + s.UTC().Format("20060102T150405") + ".jsonl"
		for at := s; at.Before(s.Add(segEvery)) && at.Before(end); at = at.Add(callEvery) {
			for _, c := range clinics {
				seq++
				out = append(out, call{clinic: c, segment: seg, seq: seq, at: at})
			}
		}
	}
	return out
}

// foldTables are the CareQ tables the fold tests use: two of the six (every
// table folds alike, and each partition written costs much under -race).
func foldTables() []schemas.Table {
	var out []schemas.Table
	for _, t := range schemas.CareQTables() {
		if t.Dataset == "careq/events" || t.Dataset == "careq/appointments" {
			out = append(out, t)
		}
	}
	return out
}

// formerOf are tables as an older carelake registered them: partitioned
// by clinic and day.
func formerOf(tables []schemas.Table) []schemas.Table {
	var out []schemas.Table
	for _, t := range tables {
		t.PartitionBy, t.FormerPartitionBy = t.FormerPartitionBy, nil
		out = append(out, t)
	}
	return out
}

// partitionOf is the partition of a call's rows in table t.
func partitionOf(t schemas.Table, c call) string {
	path := t.Dataset
	for _, k := range t.PartitionBy {
		var v string
		switch {
		case k == "clinic_id":
			v = c.clinic
		case strings.HasSuffix(k, "_date"):
			v = c.at.UTC().Format(time.DateOnly)
		case strings.HasSuffix(k, "_month"):
			v = c.at.UTC().Format("2006-01")
		default:
			panic("no value for " + k)
		}
		path += "/" + k + "=" + v
	}
	return path
}

// careqRow is the row of call c in table t: every required column set,
// some optional ones too.
func careqRow(t schemas.Table, c call) loadtest.Row {
	r := loadtest.Row{}
	for _, f := range t.Schema.Fields() {
		switch f.Name {
		case "seq":
			r[f.Name] = c.seq
		case "received_at":
			r[f.Name] = c.at
		case "log_segment":
			r[f.Name] = c.segment
		case "batch_index":
			if c.seq%3 == 0 {
				r[f.Name] = int32(c.seq % 5)
			}
		default:
			if f.Nullable && c.seq%2 == 0 {
				continue
			}
			switch f.Type.ID() {
			case arrow.STRING:
				r[f.Name] = fmt.Sprintf("%s-%d", f.Name, c.seq%17)
			case arrow.INT64:
				r[f.Name] = c.seq % 1000
			case arrow.INT32:
				r[f.Name] = int32(200 + c.seq%3)
			case arrow.BOOL:
				r[f.Name] = c.seq%4 == 1
			case arrow.TIMESTAMP:
				r[f.Name] = c.at.Add(-time.Hour)
			case arrow.DATE32:
				r[f.Name] = c.at.UTC().Format(time.DateOnly)
			}
		}
	}
	return r
}

// stageCareQ commits an output of normalise-careq with the rows of calls
// in every table of tables, partitioned as those tables say, consuming
// their segments.
func stageCareQ(tb testing.TB, root, runID string, tables []schemas.Table, calls []call) {
	tb.Helper()
	w, err := staging.Begin(root, careqStage, runID)
	if err != nil {
		tb.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, "test licence")
	w.SetMeta(warehouse.MetaSource, "test source")
	segs := map[string]bool{}
	for _, t := range tables {
		byPart := map[string][]loadtest.Row{}
		var order []string
		for _, c := range calls {
			p := partitionOf(t, c)
			if byPart[p] == nil {
				order = append(order, p)
			}
			byPart[p] = append(byPart[p], careqRow(t, c))
			segs[c.segment] = true
		}
		for _, p := range order {
			rec := loadtest.Record(tb, t.Schema, byPart[p])
			err := w.Write(t.Dataset, p, rec)
			rec.Release()
			if err != nil {
				tb.Fatal(err)
			}
		}
	}
	names := make([]string, 0, len(segs))
	for s := range segs {
		names = append(names, s)
	}
	sort.Strings(names)
	w.Consumes("careq-segments", names...)
	if _, err := w.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// careqOpts loads normalise-careq with the given registry.
func careqOpts(root string, tables []schemas.Table) Options {
	return Options{Root: root, Stages: []string{careqStage}, Tables: tables, Version: "test"}
}

// partitionDirs lists the partition directories of table t whose last
// column is key (event_date or event_month), relative to root.
func partitionDirs(tb testing.TB, root string, t schemas.Table, key string) []string {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, t.Dataset, "clinic_id=*", key+"=*"))
	if err != nil {
		tb.Fatal(err)
	}
	for i := range dirs {
		dirs[i], _ = filepath.Rel(root, dirs[i])
		dirs[i] = filepath.ToSlash(dirs[i])
	}
	return dirs
}

// openDuckDB opens an in-memory DuckDB with UTC as its time zone.
func openDuckDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: tables created on it stay visible
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		tb.Fatal(err)
	}
	return db
}

// rowsOf is the query over every row of table t in root's layout key
// (event_date or event_month), partition columns but clinic_id left out:
// the rows themselves, comparable across layouts.
func rowsOf(root string, t schemas.Table, key string) string {
	glob := filepath.Join(root, t.Dataset, "clinic_id=*", key+"=*", "*.parquet")
	typ := "VARCHAR"
	if key == "event_date" {
		typ = "DATE"
	}
	return fmt.Sprintf(`SELECT * EXCLUDE (%s) FROM read_parquet('%s', hive_partitioning = true, hive_types = {'clinic_id': VARCHAR, '%s': %s})`,
		key, glob, key, typ)
}

// snapshot copies the rows of tables in root's layout key into DuckDB
// tables named <prefix>_<table>, and returns their row counts.
func snapshot(tb testing.TB, db *sql.DB, tables []schemas.Table, root, key, prefix string) map[string]int64 {
	tb.Helper()
	counts := map[string]int64{}
	for _, t := range tables {
		name := prefix + "_" + t.Relation()
		if _, err := db.Exec("CREATE OR REPLACE TABLE " + name + " AS " + rowsOf(root, t, key)); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		var n int64
		if err := db.QueryRow("SELECT count(*) FROM " + name).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		counts[t.Dataset] = n
	}
	return counts
}

// sameRows fails tb unless DuckDB tables a_<table> and b_<table> hold the
// same rows, duplicates counted (EXCEPT ALL both ways), for every table of
// tables.
func sameRows(tb testing.TB, db *sql.DB, tables []schemas.Table, a, b string) {
	tb.Helper()
	for _, t := range tables {
		x, y := a+"_"+t.Relation(), b+"_"+t.Relation()
		for _, q := range [][2]string{{x, y}, {y, x}} {
			var n int64
			if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s)", q[0], q[1])).Scan(&n); err != nil {
				tb.Fatal(err)
			}
			if n != 0 {
				tb.Errorf("%d rows of %s are not in %s", n, q[0], q[1])
			}
		}
	}
}

// expectedRows loads calls in the current layout into a fresh warehouse
// and snapshots it as <prefix>_<table>: what any history of loads of these
// calls must end with.
func expectedRows(tb testing.TB, db *sql.DB, tables []schemas.Table, prefix string, calls []call) map[string]int64 {
	tb.Helper()
	root := tb.TempDir()
	stageCareQ(tb, root, "reference", tables, calls)
	if _, err := Run(tb.Context(), careqOpts(root, tables)); err != nil {
		tb.Fatal(err)
	}
	return snapshot(tb, db, tables, root, "event_month", prefix)
}

// checkMonthLayout fails tb unless root holds tables in the month
// layout only: no event_date directory, one Parquet file per partition,
// every row in the month of its received_at, nothing left in the
// temporary area, and a manifest listing exactly the partitions on disk.
func checkMonthLayout(tb testing.TB, db *sql.DB, tables []schemas.Table, root string) {
	tb.Helper()
	wm, err := ReadWarehouseManifest(root)
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range tables {
		if old := partitionDirs(tb, root, t, "event_date"); len(old) != 0 {
			tb.Errorf("%s: former partitions left: %v", t.Dataset, old)
		}
		dirs := partitionDirs(tb, root, t, "event_month")
		ds := wm.Datasets[t.Dataset]
		if ds == nil {
			tb.Errorf("%s: not in the manifest", t.Dataset)
			continue
		}
		listed := make([]string, 0, len(ds.Partitions))
		var rows int64
		for p, e := range ds.Partitions {
			listed = append(listed, p)
			rows += e.Rows
		}
		slices.Sort(listed)
		if !slices.Equal(listed, dirs) {
			tb.Errorf("%s: manifest lists %v, disk holds %v", t.Dataset, listed, dirs)
		}
		if !slices.Equal(ds.PartitionBy, []string{"clinic_id", "event_month"}) {
			tb.Errorf("%s: manifest partition_by %v", t.Dataset, ds.PartitionBy)
		}
		for _, d := range dirs {
			files, _ := filepath.Glob(filepath.Join(root, d, "*"))
			e := ds.Partitions[d]
			if len(files) != 1 || e == nil || len(e.Files) != 1 || e.Files[0].Name != filepath.Base(files[0]) {
				tb.Errorf("%s holds %v, manifest %+v: want one Parquet file, listed", d, files, e)
				continue
			}
			info, err := os.Stat(files[0])
			if err != nil || info.Size() != e.Files[0].Bytes {
				tb.Errorf("%s: manifest says %d bytes: %v %v", d, e.Files[0].Bytes, info, err)
			}
		}
		var onDisk, misplaced int64
		q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE event_month <> strftime(received_at, '%%Y-%%m'))
			FROM read_parquet('%s', hive_partitioning = true, hive_types = {'clinic_id': VARCHAR, 'event_month': VARCHAR})`,
			filepath.Join(root, t.Dataset, "clinic_id=*", "event_month=*", "*.parquet"))
		if err := db.QueryRow(q).Scan(&onDisk, &misplaced); err != nil {
			tb.Fatal(err)
		}
		if misplaced != 0 || onDisk != rows || ds.Rows != rows {
			tb.Errorf("%s: %d rows on disk (%d in the wrong month), manifest %d (dataset total %d)", t.Dataset, onDisk, misplaced, rows, ds.Rows)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		tb.Errorf("temporary area holds %v", left)
	}
}
