package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"carelake/internal/careqgen"
	"carelake/internal/testkit/parquetcheck"
	"carelake/schemas"
	"carelake/schemas/careqlog"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
)

// martWarehouses are the warehouses the mart tests check: the demo, and a
// generated register of a few thousand locations with clinics mapped to
// some of them. Built once, shared, never changed by a test.
var (
	martWarehousesOnce sync.Once
	martWarehousesList map[string]string
	martWarehousesErr  error
)

func martWarehouses(t *testing.T) map[string]string {
	t.Helper()
	martWarehousesOnce.Do(func() {
		dir, err := os.MkdirTemp("", "carelake-marts-")
		if err != nil {
			martWarehousesErr = err
			return
		}
		demo := filepath.Join(dir, "demo")
		if code, _, errOut := run(t, "demo", "--out", demo, "--log-level", "warn"); code != 0 {
			martWarehousesErr = fmt.Errorf("demo: exit %d: %s", code, errOut)
			return
		}
		generated := filepath.Join(dir, "generated")
		if code, _, errOut := run(t, "cqc-sim", "--write-archive", "--out", generated, "--locations", "3000",
			"--embedded-fixtures", "--seed", "7", "--log-level", "warn"); code != 0 {
			martWarehousesErr = fmt.Errorf("cqc-sim: exit %d: %s", code, errOut)
			return
		}
		// A year of CareQ for five clinics: four mapped (one in another
		// zone, one to a location the register lacks), one not mapped.
		if _, err := careqgen.Write(context.Background(), careqlog.Dir(generated), careqgen.Config{
			ClinicIDs: []string{"clinic_abc", "clinic_riverside", "clinic_far", "clinic_ghost", "clinic_unmapped"},
			Days:      365, Start: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Appointments: 4000, Seed: 7,
			MaxSegmentAge: 24 * time.Hour,
		}); err != nil {
			martWarehousesErr = fmt.Errorf("careqgen: %w", err)
			return
		}
		clinics := filepath.Join(dir, "clinics.csv")
		if err := os.WriteFile(clinics, []byte("clinic_id,cqc_location_id,name,timezone\n"+
			"clinic_abc,1-1500001000,Orchids,\nclinic_riverside,1-1500000101,Riverside,Europe/London\n"+
			"clinic_far,1-1500000301,Hillview,Asia/Kolkata\nclinic_ghost,1-999999,Unknown,\n"), 0o644); err != nil {
			martWarehousesErr = err
			return
		}
		if code, _, errOut := run(t, "run", "--extract=false", "--out", generated, "--clinics", clinics, "--log-level", "warn"); code != 0 {
			martWarehousesErr = fmt.Errorf("run: exit %d: %s", code, errOut)
			return
		}
		martWarehousesList = map[string]string{"demo": demo, "generated register": generated}
	})
	if martWarehousesErr != nil {
		t.Fatal(martWarehousesErr)
	}
	return martWarehousesList
}

// liveSession is a DuckDB session over a warehouse with every view computed
// live from the datasets (catalog.LiveScript, the views of sql/views.sql as
// written) and each mart's files as mart.<view>.
func liveSession(t *testing.T, root string) *sql.DB {
	t.Helper()
	script, err := catalog.LiveScript(root)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one session: SET is per connection
	if _, err := db.Exec("SET file_search_path = " + warehouse.Quote(root) + ";\n" + script + "\nCREATE SCHEMA mart;"); err != nil {
		t.Fatal(err)
	}
	for _, m := range schemas.Marts() {
		ok, err := warehouse.HasFiles(root, m.Table())
		if err != nil {
			t.Fatal(err)
		}
		read, err := warehouse.ViewSQL(warehouse.Pattern(m.Table()), m, ok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE VIEW mart." + m.Name + " AS " + read); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestMartsAgreeWithViews: every mart's files (what a BI tool reads, and
// what the catalog's view of that name reads) hold exactly the rows its
// view computes live from the datasets, as multisets, on the demo and on a
// generated register.
func TestMartsAgreeWithViews(t *testing.T) {
	for name, root := range martWarehouses(t) {
		t.Run(name, func(t *testing.T) {
			db := liveSession(t, root)
			for _, m := range schemas.Marts() {
				var live, files, onlyLive, onlyFiles int
				err := db.QueryRow(fmt.Sprintf(`SELECT (SELECT count(*) FROM main.%[1]s), (SELECT count(*) FROM mart.%[1]s),
					(SELECT count(*) FROM (SELECT * FROM main.%[1]s EXCEPT ALL SELECT * FROM mart.%[1]s)),
					(SELECT count(*) FROM (SELECT * FROM mart.%[1]s EXCEPT ALL SELECT * FROM main.%[1]s))`, m.Name)).
					Scan(&live, &files, &onlyLive, &onlyFiles)
				if err != nil {
					t.Errorf("%s: %v", m.Name, err)
					continue
				}
				if live != files || onlyLive != 0 || onlyFiles != 0 {
					t.Errorf("%s: %d rows live, %d in the mart; %d only live, %d only in the mart", m.Name, live, files, onlyLive, onlyFiles)
				}
				if live == 0 && m.Query == "" { // a current copy of a table the register leaves empty is empty
					t.Errorf("%s is empty: the comparison proves nothing", m.Name)
				}
			}
		})
	}
}

// nestedLoops are the join operators no view may plan: they compare every
// row of one side with every row of the other.
var nestedLoops = []string{"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN"}

// planOperators lists every operator of a query's physical plan.
func planOperators(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	var key, plan string
	if err := db.QueryRow("EXPLAIN (FORMAT json) "+query).Scan(&key, &plan); err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	type node struct {
		Name     string `json:"name"`
		Children []node `json:"children"`
	}
	var roots []node
	if err := json.Unmarshal([]byte(plan), &roots); err != nil {
		t.Fatalf("plan of %s: %v\n%s", query, err, plan)
	}
	var out []string
	var walk func(n node)
	walk = func(n node) {
		out = append(out, n.Name)
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// TestNoNestedLoopJoins runs EXPLAIN on every contract view computed live
// (each mart's query) and on every view of the catalog, on the demo and a
// generated register: none may plan a nested-loop join, which makes a
// national register quadratic. A plan check, not a timing.
func TestNoNestedLoopJoins(t *testing.T) {
	for name, root := range martWarehouses(t) {
		t.Run(name, func(t *testing.T) {
			db := liveSession(t, root)
			// The check itself finds nested loops where they are.
			for _, q := range []string{
				"SELECT * FROM range(10) a JOIN range(10) b ON a.range <> b.range",
				"SELECT * FROM range(10) a JOIN range(10) b ON a.range = b.range OR a.range = b.range + 1",
			} {
				if ops := planOperators(t, db, q); !slices.ContainsFunc(ops, func(op string) bool { return slices.Contains(nestedLoops, op) }) {
					t.Fatalf("the plan check misses the nested loop of %s: %v", q, ops)
				}
			}
			var views []string
			for _, v := range schemas.Views() {
				views = append(views, "main."+v.Name)
			}
			cat, err := catalog.Open(root)
			if err != nil {
				t.Fatal(err)
			}
			defer cat.Close()
			rows, err := cat.Query("SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")
			if err != nil {
				t.Fatal(err)
			}
			var catalogViews []string
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				catalogViews = append(catalogViews, v)
			}
			rows.Close()
			if len(catalogViews) < 60 {
				t.Fatalf("only %d views in the catalog", len(catalogViews))
			}
			check := func(db *sql.DB, where, view string) {
				for _, op := range planOperators(t, db, "SELECT * FROM "+view) {
					if slices.Contains(nestedLoops, op) {
						t.Errorf("%s %s plans a %s", where, view, op)
					}
				}
			}
			for _, v := range views {
				check(db, "live", v)
			}
			for _, v := range catalogViews {
				check(cat, "catalog", v)
			}
			t.Logf("plans checked: %d views computed live, %d catalog views", len(views), len(catalogViews))
		})
	}
}

// TestCatalogViewsAreDocumented: every column of every view of the catalog
// has a COMMENT (the data dictionary is generated from the same docs).
func TestCatalogViewsAreDocumented(t *testing.T) {
	root := martWarehouses(t)["demo"]
	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND (comment IS NULL OR comment = '') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		missing = append(missing, c)
	}
	if len(missing) > 0 {
		t.Errorf("%d columns without a COMMENT: %s", len(missing), strings.Join(missing, ", "))
	}
	var undocumented int
	if err := db.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = current_database()
		AND (comment IS NULL OR comment = '')`).Scan(&undocumented); err != nil || undocumented != 0 {
		t.Errorf("%d views without a COMMENT (%v)", undocumented, err)
	}
}

// TestDeregisteredRatingsEnd: in the marts a BI tool reads, a deregistered
// location has no rating in effect, and every period of its timeline ends
// by its deregistration date.
func TestDeregisteredRatingsEnd(t *testing.T) {
	db, err := catalog.Open(martWarehouses(t)["generated register"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var deregistered, inEffect, current, open, late int
	err = db.QueryRow(`WITH d AS (SELECT location_id, deregistration_date FROM cqc_locations WHERE registration_status = 'Deregistered')
		SELECT (SELECT count(*) FROM d WHERE location_id IN (SELECT location_id FROM cqc_location_rating_history)),
		       (SELECT count(*) FROM cqc_location_ratings r JOIN d USING (location_id) WHERE r.in_effect),
		       (SELECT count(*) FROM cqc_location_rating_history h JOIN d USING (location_id) WHERE h.is_current),
		       (SELECT count(*) FROM cqc_location_rating_history h JOIN d USING (location_id) WHERE h.valid_to IS NULL AND d.deregistration_date IS NOT NULL),
		       (SELECT count(*) FROM cqc_location_rating_history h JOIN d USING (location_id) WHERE h.valid_to > d.deregistration_date)`).
		Scan(&deregistered, &inEffect, &current, &open, &late)
	if err != nil {
		t.Fatal(err)
	}
	if deregistered < 10 || inEffect+current+open+late != 0 {
		t.Errorf("%d rated deregistered locations: %d ratings in effect, %d current, %d open-ended, %d ending after the deregistration",
			deregistered, inEffect, current, open, late)
	}
}

// TestBIReadersSeeClinicAppointmentRatings: a BI tool reading the mart's
// files with no DuckDB views (hive-partitioned by clinic_id) sees the rows
// the catalog's view shows, whether it reads them with arrow-go,
// xitongsys/parquet-go or DuckDB.
func TestBIReadersSeeClinicAppointmentRatings(t *testing.T) {
	for name, root := range martWarehouses(t) {
		t.Run(name, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(root, "marts", "clinic_appointment_ratings", "clinic_id=*", "*.parquet"))
			if err != nil || len(files) < 3 {
				t.Fatalf("mart files %v, %v", files, err)
			}
			// What the catalog's view shows, written out per clinic and read back.
			viewDir := t.TempDir()
			db, err := catalog.Open(root)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(fmt.Sprintf("COPY (SELECT * FROM clinic_appointment_ratings) TO %s (FORMAT parquet, PARTITION_BY (clinic_id))",
				warehouse.Quote(viewDir))); err != nil {
				t.Fatal(err)
			}
			readers := map[string]func(string) ([]parquetcheck.Column, error){
				"arrow-go": parquetcheck.ReadArrow, "xitongsys/parquet-go": parquetcheck.ReadXitongsys, "DuckDB": parquetcheck.ReadDuckDB,
			}
			rowsOf := func(read func(string) ([]parquetcheck.Column, error), paths []string) []string {
				var out []string
				for _, p := range paths {
					cols, err := read(p)
					if err != nil {
						t.Fatalf("%s: %v", p, err)
					}
					clinic := filepath.Base(filepath.Dir(p)) // a hive-aware reader's clinic_id
					for r := range cols[0].Values {
						row := []string{clinic}
						for _, c := range cols {
							row = append(row, c.Name+"="+fmt.Sprint(c.Values[r]))
						}
						out = append(out, strings.Join(row, "|"))
					}
				}
				slices.Sort(out)
				return out
			}
			viewFiles, err := filepath.Glob(filepath.Join(viewDir, "clinic_id=*", "*.parquet"))
			if err != nil {
				t.Fatal(err)
			}
			want := rowsOf(parquetcheck.ReadDuckDB, viewFiles)
			if len(want) == 0 {
				t.Fatal("the view has no rows")
			}
			for reader, read := range readers {
				if got := rowsOf(read, files); !slices.Equal(got, want) {
					t.Errorf("%s reads %d rows from the mart's files, the view shows %d; first differing: %q",
						reader, len(got), len(want), firstDiff(got, want))
				}
			}
		})
	}
}

// firstDiff is the first row of a that b lacks, or of b that a lacks.
func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " vs " + b[i]
		}
	}
	return fmt.Sprint(len(a), " vs ", len(b), " rows")
}

// TestFilesNameTheRunThatWroteThem: every Parquet file of the warehouse
// records, as carelake.run_id, a run of pipeline_runs, and the marts the
// last run wrote name that run.
func TestFilesNameTheRunThatWroteThem(t *testing.T) {
	root := martWarehouses(t)["demo"]
	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var files, unknown, martsOfLast, marts int
	err = db.QueryRow(`WITH kv AS (
		SELECT file_name, decode(value) AS run_id FROM parquet_kv_metadata('**/*.parquet') WHERE decode(key) = 'carelake.run_id'
	), last AS (SELECT run_id FROM pipeline_runs ORDER BY started_at DESC LIMIT 1)
	SELECT count(*), count(*) FILTER (WHERE run_id NOT IN (SELECT run_id FROM pipeline_runs)),
	       count(*) FILTER (WHERE file_name LIKE '%/marts/%' AND run_id = (SELECT run_id FROM last)),
	       count(*) FILTER (WHERE file_name LIKE '%/marts/%')
	FROM kv`).Scan(&files, &unknown, &martsOfLast, &marts)
	if err != nil {
		t.Fatal(err)
	}
	if files < 30 || unknown != 0 || marts == 0 || martsOfLast != marts {
		t.Errorf("%d files: %d name no run of pipeline_runs; %d of %d mart files name the last run", files, unknown, martsOfLast, marts)
	}
}

// TestTimestampFunctionsOffline: DuckDB's ICU functions work in 'carelake
// sql' with nothing downloaded: date_trunc, strftime, AT TIME ZONE and the
// date of a TIMESTAMPTZ.
func TestTimestampFunctionsOffline(t *testing.T) {
	root := martWarehouses(t)["demo"]
	t.Setenv("HOME", t.TempDir()) // no extension cache to fall back on
	code, out, errOut := run(t, "sql", "--out", root, "--format", "csv", `SET TimeZone = 'Europe/London'; SELECT
		date_trunc('month', TIMESTAMPTZ '2026-03-29 00:30:00+00') AS month,
		strftime(TIMESTAMPTZ '2026-03-29 00:30:00+00', '%Y-%m-%d %H:%M') AS text,
		TIMESTAMPTZ '2026-06-01 23:30:00+00' AT TIME ZONE 'Europe/London' AS london,
		(TIMESTAMPTZ '2026-06-01 23:30:00+00' AT TIME ZONE 'Asia/Kolkata')::DATE AS kolkata_day,
		TIMESTAMPTZ '2026-06-01 23:30:00+00'::DATE AS session_day`)
	want := "month,text,london,kolkata_day,session_day\n2026-03-01T00:00:00Z,2026-03-29 00:30,2026-06-02T00:30:00,2026-06-02,2026-06-02\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d: %q (stderr %q), want %q", code, out, errOut, want)
	}
}

// TestStatusShowsTheMarts: 'carelake status' says when the marts were built,
// by which run, and what each holds.
func TestStatusShowsTheMarts(t *testing.T) {
	root := martWarehouses(t)["demo"]
	code, out, errOut := run(t, "status", "--out", root)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"marts built ", "marts/clinic_appointment_ratings", "marts/cqc_locations "} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}
