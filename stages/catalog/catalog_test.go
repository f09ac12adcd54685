package catalog

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/internal/testkit"
	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/warehouse"
	sqlfiles "carelake/sql"
	"carelake/stages/load"
)

// fixtureRoot is a warehouse with two snapshots of the fixture and its
// catalog, built once by the first test that needs it; tests must not
// change it. TestMain removes it.
var (
	fixtureRoot string
	fixtureOnce sync.Once
	fixtureOK   bool
)

// readerEnv, when set to a catalog path, turns the test binary into a reader
// process holding that catalog open (TestRebuildWhileReaderHoldsOldCatalog).
const readerEnv = "CARELAKE_CATALOG_READER"

func TestMain(m *testing.M) {
	flag.Parse()
	if path := os.Getenv(readerEnv); path != "" {
		os.Exit(holdCatalog(path))
	}
	dir, err := os.MkdirTemp("", "catalog-fixture-")
	if err != nil {
		panic(err)
	}
	fixtureRoot = filepath.Join(dir, "warehouse")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func openFixture(t *testing.T) *sql.DB {
	t.Helper()
	fixtureOnce.Do(func() {
		buildFixture(t, fixtureRoot)
		fixtureOK = true
	})
	if !fixtureOK {
		t.Fatal("the fixture warehouse failed to build (see the first failing test)")
	}
	db, err := Open(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func columns(t *testing.T, db *sql.DB, view string) []string {
	t.Helper()
	var out []string
	for _, r := range cells(t, db, "SELECT column_name FROM (DESCRIBE "+view+")") {
		out = append(out, r[0])
	}
	return out
}

// TestContractViewColumns checks every contract view (docs/architecture.md,
// "Views and marts") has at least the columns it names.
func TestContractViewColumns(t *testing.T) {
	db := openFixture(t)
	want := map[string][]string{
		"cqc_locations":         {"location_id", "provider_id", "name", "registration_status", "region", "postal_code", "number_of_beds", "overall_rating", "overall_rating_date", "overall_rating_inherited", "snapshot_date"},
		"cqc_locations_history": {"location_id", "name", "overall_rating", "overall_rating_date", "overall_rating_inherited", "snapshot_date"},
		"cqc_providers":         {"provider_id", "name", "snapshot_date"},
		"cqc_location_ratings": {"location_id", "name", "rating", "report_date", "report_link_id", "inherited", "source_location_id",
			"source_report_date", "source_report_first_visit_date", "source_report_uri"},
		"cqc_location_rating_history": {"location_id", "name", "rating", "report_date", "valid_from", "valid_to", "is_current", "inherited", "source_location_id"},
		"cqc_location_lineage":        {"location_id", "ancestor_location_id", "depth", "current_location_id"},
		"clinic_locations":            {"clinic_id", "cqc_location_id", "current_location_id", "overall_rating", "overall_rating_date", "overall_rating_inherited"},
		"cqc_rejects":                 {"entity_id", "reason", "archive_segment", "archive_seq"},
	}
	for view, cols := range want {
		got := columns(t, db, view)
		for _, c := range cols {
			if !slices.Contains(got, c) {
				t.Errorf("%s has no column %s (has %v)", view, c, got)
			}
		}
	}
}

func TestContractViewRows(t *testing.T) {
	db := openFixture(t)
	tests := []struct {
		name, query string
		want        [][]string
	}{
		{"latest snapshot only", "SELECT count(*), min(snapshot_date), max(snapshot_date) FROM cqc_locations",
			[][]string{{"4", "2026-11-21", "2026-11-21"}}},
		{"history has both snapshots", "SELECT snapshot_date, count(*) FROM cqc_locations_history GROUP BY 1 ORDER BY 1",
			[][]string{{"2026-11-20", "4"}, {"2026-11-21", "4"}}},
		{"inherited rating with its source report",
			`SELECT name, rating, inherited, inherited_inferred, organisation_id, source_location_id, source_report_date, source_report_first_visit_date, source_report_uri, source_resolved, generations
			 FROM cqc_location_ratings WHERE location_id = '1-1500001003' ORDER BY name`,
			[][]string{
				{"Overall", "Good", "true", "true", "NULL", "1-1500001002", "2022-07-15", "2022-06-23", "/reports/rep-orchid-2022?20260101120000", "true", "1"},
				{"Safe", "Good", "true", "false", "1-1500001002", "1-1500001002", "2022-07-15", "2022-06-23", "/reports/rep-orchid-2022?20260101120000", "true", "1"},
			}},
		{"the overall rating inherited without organisationId counts as inherited, the predecessor's own does not",
			`SELECT location_id, overall_rating_inherited, overall_rating_organisation_id FROM cqc_locations WHERE location_id LIKE '1-15%' ORDER BY 1`,
			[][]string{{"1-1500001002", "false", "NULL"}, {"1-1500001003", "true", "NULL"}}},
		{"the same in every snapshot and in the timeline",
			`SELECT (SELECT count(*) FROM cqc_locations_history WHERE location_id = '1-1500001003' AND overall_rating_inherited),
			        (SELECT string_agg(inherited || '/' || inherited_inferred || '/' || coalesce(source_location_id, '-'), ',')
			         FROM cqc_location_rating_history WHERE location_id = '1-1500001003' AND name = 'Overall')`,
			[][]string{{"2", "true/true/1-1500001002"}}},
		{"own rating with its own report",
			`SELECT name, rating, inherited, source_location_id, source_report_date, source_report_first_visit_date, source_report_uri, source_resolved
			 FROM cqc_location_ratings WHERE location_id = '1-300' ORDER BY name`,
			[][]string{
				{"Overall", "Good", "false", "1-300", "2026-10-01", "2026-09-02", "/reports/rep-300-b?20260101120000", "true"},
				{"Safe", "Requires improvement", "false", "1-300", "2026-10-01", "2026-09-02", "/reports/rep-300-b?20260101120000", "true"},
			}},
		{"rating timeline",
			`SELECT rating, valid_from, valid_to, is_current, source, source_report_first_visit_date FROM cqc_location_rating_history
			 WHERE location_id = '1-300' ORDER BY valid_from`,
			[][]string{
				{"Requires improvement", "2025-01-10", "2026-10-01", "false", "historicRatings", "2024-12-02"},
				{"Good", "2026-10-01", "NULL", "true", "currentRatings", "2026-09-02"},
			}},
		{"clinics resolved to the current location and today's rating",
			`SELECT clinic_id, cqc_location_id, current_location_id, mapping_status, current_location_name, overall_rating, overall_rating_date, overall_rating_inherited
			 FROM clinic_locations ORDER BY clinic_id`,
			[][]string{
				{"clinic_a", "1-1500001002", "1-1500001003", "succeeded", "Orchids Care", "Good", "2022-07-15", "true"},
				{"clinic_b", "1-300", "1-300", "current", "Café Ünïcødé Surgery", "Good", "2026-10-01", "false"},
				{"clinic_c", "1-999", "NULL", "unknown_location", "NULL", "NULL", "NULL", "NULL"},
			}},
		{"lineage", "SELECT location_id, ancestor_location_id, depth, current_location_id FROM cqc_location_lineage WHERE location_id LIKE '1-15%' ORDER BY 1, 3",
			[][]string{
				{"1-1500001002", "1-1500001002", "0", "1-1500001003"},
				{"1-1500001003", "1-1500001003", "0", "1-1500001003"},
				{"1-1500001003", "1-1500001002", "1", "1-1500001003"},
			}},
		{"rejects", "SELECT entity_id, reason, archive_seq FROM cqc_rejects", [][]string{{"1-555", "body is not a JSON object", "1"}}},
		{"plain views of the other tables", "SELECT (SELECT count(*) FROM cqc_providers), (SELECT count(*) FROM cqc_specialisms), (SELECT count(*) FROM cqc_reports_history), (SELECT count(*) FROM datasets.cqc_locations)",
			[][]string{{"1", "0", "6", "8"}}},
		{"no history of a history", "SELECT count(*) FROM duckdb_views() WHERE view_name = 'cqc_location_rating_history_history'", [][]string{{"0"}}},
		{"catalog info", "SELECT warehouse_root = '" + fixtureRoot + "', built_at IS NOT NULL FROM carelake_catalog", [][]string{{"true", "true"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cells(t, db, tc.query); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestExamples runs every sql/examples query on the fixture's catalog through
// Query (as 'carelake sql' does) and compares with testdata/examples/*.csv.
func TestExamples(t *testing.T) {
	openFixture(t)
	names, err := fs.Glob(sqlfiles.Files, "examples/*.sql")
	if err != nil || len(names) < 3 {
		t.Fatalf("examples %v, %v", names, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			q, err := fs.ReadFile(sqlfiles.Files, name)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			n, err := Query(context.Background(), fixtureRoot, string(q), FormatCSV, &out)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("the example returned no rows on the fixture")
			}
			testkit.Golden(t, filepath.Join("testdata", strings.TrimSuffix(name, ".sql")+".csv"), []byte(out.String()))
		})
	}
}

// TestTablesSQL keeps sql/tables.sql equal to what the registry generates.
func TestTablesSQL(t *testing.T) {
	got, err := tablesSQL(schemas.Tables(), sqlfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("..", "..", "sql", sqlfiles.Tables), []byte(got))
}

// TestEmptyWarehouseHasEveryView builds a catalog with no Parquet at all:
// every view exists, is empty, and has the columns and types it has over
// real files.
func TestEmptyWarehouseHasEveryView(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	empty, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	full := openFixture(t)
	views := cells(t, full, "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")
	if len(views) < 2*len(schemas.Tables())+2 {
		t.Fatalf("only %d views", len(views))
	}
	for _, v := range views {
		if v[0] == "main.carelake_catalog" {
			continue
		}
		if n := cells(t, empty, "SELECT count(*) FROM "+v[0]); n[0][0] != "0" {
			t.Errorf("%s has %s rows in an empty warehouse", v[0], n[0][0])
		}
		describe := "SELECT column_name, column_type FROM (DESCRIBE " + v[0] + ")"
		if got, want := cells(t, empty, describe), cells(t, full, describe); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: empty warehouse columns\n%q\nwith files\n%q", v[0], got, want)
		}
	}
}

// TestEmptyRelationTypesMatchEveryType does the same for the synthetic
// table with every column type load writes.
func TestEmptyRelationTypesMatchEveryType(t *testing.T) {
	tables := []schemas.Table{loadtest.Table()}
	views := spec{tables: tables, views: fstest.MapFS{"views.sql": {Data: []byte("-- no contract views\n")}}}
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &views}); err != nil {
		t.Fatal(err)
	}
	describe := "SELECT column_name, column_type FROM (DESCRIBE datasets.test_things)"
	db, _ := Open(root)
	before := cells(t, db, describe)
	db.Close()
	loadtest.Stage(t, root, "normalise-test", "run-1", 10, "2026-11-21")
	if _, err := load.Run(context.Background(), load.Options{Root: root, Tables: tables, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &views}); err != nil {
		t.Fatal(err)
	}
	db, _ = Open(root)
	defer db.Close()
	if after := cells(t, db, describe); !slices.EqualFunc(before, after, slices.Equal) {
		t.Fatalf("empty relation\n%q\nover files\n%q", before, after)
	}
	if n := cells(t, db, "SELECT count(*) FROM test_things"); n[0][0] != "10" {
		t.Fatalf("plain view has %s rows", n[0][0])
	}
}

// TestViewsWorkFromAnyDirectory opens the catalog from another working
// directory (as 'carelake sql' does), ATTACHed under another name in a
// session whose file_search_path is the warehouse, and runs the analyst
// script from the warehouse directory and with file_search_path. Without
// either, a relative path names what it looked for.
func TestViewsWorkFromAnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	const q = "SELECT count(*) FROM %scqc_location_ratings WHERE source_resolved"
	db := openFixture(t)
	if n := cells(t, db, fmt.Sprintf(q, "")); n[0][0] != "5" {
		t.Fatalf("from another directory: %s resolved ratings", n[0][0])
	}

	mem, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // one session: ATTACH and SET are per connection
	if _, err := mem.Exec("ATTACH " + warehouse.Quote(filepath.Join(fixtureRoot, FileName)) + " AS wh (READ_ONLY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Query(fmt.Sprintf(q, "wh.")); err == nil || !strings.Contains(err.Error(), "marts/cqc_location_ratings/") {
		t.Fatalf("attached from elsewhere without file_search_path: %v", err)
	}
	if _, err := mem.Exec("SET file_search_path = " + warehouse.Quote(fixtureRoot)); err != nil {
		t.Fatal(err)
	}
	if n := cells(t, mem, fmt.Sprintf(q, "wh.")); n[0][0] != "5" {
		t.Fatalf("attached as wh: %s resolved ratings", n[0][0])
	}

	script, err := os.ReadFile(filepath.Join(fixtureRoot, ScriptPath))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), fixtureRoot+"/") {
		t.Fatal("the analyst script has absolute paths")
	}
	for _, setup := range []string{"SET file_search_path = " + warehouse.Quote(fixtureRoot), "chdir"} {
		t.Run(setup, func(t *testing.T) {
			if setup == "chdir" {
				t.Chdir(fixtureRoot)
			}
			s, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetMaxOpenConns(1)
			if setup != "chdir" {
				if _, err := s.Exec(setup); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Exec(string(script)); err != nil {
				t.Fatal(err)
			}
			if n := cells(t, s, fmt.Sprintf(q, "")); n[0][0] != "5" {
				t.Fatalf("%s resolved ratings", n[0][0])
			}
			if n := cells(t, s, "SELECT count(*) FROM clinic_locations WHERE overall_rating = 'Good'"); n[0][0] != "2" {
				t.Fatalf("%s rated clinics", n[0][0])
			}
		})
	}
}

// TestMovedWarehouseStillAnswers copies the fixture warehouse elsewhere
// (cp -a) and moves the copy again (mv): each answers every view from its
// own files, never from the place it was built in.
func TestMovedWarehouseStillAnswers(t *testing.T) {
	openFixture(t)
	dir := t.TempDir()
	copied := filepath.Join(dir, "copied")
	if out, err := exec.Command("cp", "-a", fixtureRoot, copied).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v %s", err, out)
	}
	moved := filepath.Join(dir, "moved", "warehouse")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(copied, moved); err != nil {
		t.Fatal(err)
	}
	// The moved copy's marts differ from the original's: what it answers
	// comes from its own files.
	if err := os.RemoveAll(filepath.Join(moved, "marts", "clinic_locations")); err != nil {
		t.Fatal(err)
	}
	orig := openFixture(t)
	db, err := Open(moved)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, v := range cells(t, orig, "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND view_name <> 'clinic_locations' ORDER BY 1") {
		q := "SELECT count(*) FROM " + v[0]
		if got, want := cells(t, db, q), cells(t, orig, q); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: moved %v, original %v", v[0], got, want)
		}
	}
	if _, err := db.Query("SELECT count(*) FROM clinic_locations"); err == nil || !strings.Contains(err.Error(), "marts/clinic_locations/") {
		t.Fatalf("a mart removed from the moved copy still answered (from the original?): %v", err)
	}
}

// TestRebuildWhileReaderHoldsOldCatalog: another process holds the catalog
// open (read-only, as an analyst or BI tool does) while it is rebuilt with a
// different set of views. The build succeeds, the reader keeps its old views
// and keeps reading, and a new open sees the new catalog.
func TestRebuildWhileReaderHoldsOldCatalog(t *testing.T) {
	root := t.TempDir()
	tables := []schemas.Table{loadtest.Table()}
	decls := []schemas.View{
		{Name: "generation", Columns: []arrow.Field{schemas.Field("g", arrow.BinaryTypes.String, true, "generation")}},
		{Name: "added", Columns: []arrow.Field{schemas.Field("x", arrow.PrimitiveTypes.Int32, true, "one")}},
	}
	oldViews := spec{tables: tables, decls: decls, views: fstest.MapFS{"views.sql": {Data: []byte("CREATE OR REPLACE VIEW generation AS SELECT 'old' AS g;\n")}}}
	newViews := spec{tables: tables, decls: decls, views: fstest.MapFS{"views.sql": {Data: []byte("CREATE OR REPLACE VIEW generation AS SELECT 'new' AS g;\nCREATE OR REPLACE VIEW added AS SELECT 1 AS x;\n")}}}
	loadtest.Stage(t, root, "normalise-test", "run-1", 100, "2026-11-21")
	if _, err := load.Run(context.Background(), load.Options{Root: root, Tables: tables, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &oldViews}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), readerEnv+"="+filepath.Join(root, FileName))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	readLine := func() string {
		if !lines.Scan() {
			t.Fatalf("reader process ended: %v", lines.Err())
		}
		return lines.Text()
	}
	if got := readLine(); got != "old 100 0" {
		t.Fatalf("reader before the rebuild: %q", got)
	}

	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &newViews}); err != nil {
		t.Fatalf("rebuild while a reader holds the catalog: %v", err)
	}
	fmt.Fprintln(stdin, "again")
	if got := readLine(); got != "old 100 0" {
		t.Fatalf("reader after the rebuild: %q (want its old views, still reading)", got)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("reader: %v", err)
	}

	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := cells(t, db, "SELECT g, (SELECT count(*) FROM test_things), (SELECT count(*) FROM duckdb_views() WHERE view_name = 'added') FROM generation"); got[0][0] != "new" || got[0][2] != "1" {
		t.Fatalf("new open sees %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".carelake.duckdb.tmp-*")); len(left) != 0 {
		t.Fatalf("temporary catalog files left: %v", left)
	}
}

// holdCatalog is the reader process: it opens the catalog read-only, prints
// what it sees, and does so again for every line on stdin.
func holdCatalog(path string) int {
	db, err := Open(filepath.Dir(path))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	in := bufio.NewScanner(os.Stdin)
	for {
		var g string
		var n, added int
		err := db.QueryRow("SELECT g, (SELECT count(*) FROM test_things), (SELECT count(*) FROM duckdb_views() WHERE view_name = 'added') FROM generation").Scan(&g, &n, &added)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%s %d %d\n", g, n, added)
		if !in.Scan() {
			return 0
		}
	}
}

// TestFailedBuildKeepsOldCatalog: a build that fails (bad view SQL) leaves
// the previous catalog in place and no temporary file.
func TestFailedBuildKeepsOldCatalog(t *testing.T) {
	root := t.TempDir()
	tables := []schemas.Table{loadtest.Table()}
	decls := []schemas.View{
		{Name: "ok", Columns: []arrow.Field{schemas.Field("x", arrow.PrimitiveTypes.Int32, true, "one")}},
		{Name: "broken", Columns: []arrow.Field{schemas.Field("x", arrow.PrimitiveTypes.Int32, true, "one")}},
	}
	good := spec{tables: tables, decls: decls, views: fstest.MapFS{"views.sql": {Data: []byte("CREATE OR REPLACE VIEW ok AS SELECT 1 AS x;\n")}}}
	bad := spec{tables: tables, decls: decls, views: fstest.MapFS{"views.sql": {Data: []byte("CREATE OR REPLACE VIEW broken AS SELECT FROM nowhere;\n")}}}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &good}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Root: root, Logger: quiet(), spec: &bad})
	if err == nil || !strings.Contains(err.Error(), "create views") {
		t.Fatalf("bad views: %v", err)
	}
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := cells(t, db, "SELECT x FROM ok"); n[0][0] != "1" {
		t.Fatal("old catalog damaged")
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".carelake.duckdb.tmp-*")); len(left) != 0 {
		t.Fatalf("temporary catalog files left: %v", left)
	}
}

func TestCancelledBuildKeepsOldCatalog(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(filepath.Join(root, FileName))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Root: root, Logger: quiet()}); err == nil {
		t.Fatal("cancelled build succeeded")
	}
	after, _ := os.Stat(filepath.Join(root, FileName))
	if !os.SameFile(before, after) {
		t.Fatal("cancelled build replaced the catalog")
	}
}
