package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSQLCommand(t *testing.T) {
	root := t.TempDir()
	code, _, errOut := run(t, "sql", "--out", root, "SELECT 1")
	if want := "carelake: no catalog at " + filepath.Join(root, "carelake.duckdb") + ": run 'carelake run' or 'carelake load' first, or give the right --out\n"; code != 1 || errOut != want {
		t.Fatalf("no catalog: exit %d, %q; want %q", code, errOut, want)
	}
	// --out naming a file, not a warehouse: the same, not DuckDB's IO error.
	afile := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(afile, []byte("x"), 0o644)
	code, _, errOut = run(t, "sql", "--out", afile, "SELECT 1")
	if code != 1 || !strings.HasPrefix(errOut, "carelake: no catalog at "+filepath.Join(afile, "carelake.duckdb")+": ") {
		t.Fatalf("--out a file: exit %d, %q", code, errOut)
	}
	stageOneLocation(t, root, "run-1")
	if code, out, errOut := run(t, "load", "--out", root); code != 0 {
		t.Fatalf("load: %d\n%s\n%s", code, out, errOut)
	}
	q := "SELECT location_id, name, overall_rating_inherited AS inherited, number_of_beds, snapshot_date FROM cqc_locations"
	tests := []struct {
		format, want string
	}{
		{"csv", "location_id,name,inherited,number_of_beds,snapshot_date\n1-101,Café Ünïcødé,false,,2026-11-21\n"},
		{"json", "[\n{\"location_id\": \"1-101\", \"name\": \"Café Ünïcødé\", \"inherited\": false, \"number_of_beds\": null, \"snapshot_date\": \"2026-11-21\"}\n]\n"},
		{"table", "location_id | name         | inherited | number_of_beds | snapshot_date\n" +
			"------------+--------------+-----------+----------------+--------------\n" +
			"1-101       | Café Ünïcødé | false     |           NULL | 2026-11-21\n(1 row)\n"},
	}
	for _, tc := range tests {
		code, out, errOut := run(t, "sql", "--out", root, "--format", tc.format, q)
		if code != 0 || out != tc.want {
			t.Errorf("--format %s: exit %d, stderr %q\n got %q\nwant %q", tc.format, code, errOut, out, tc.want)
		}
	}

	// A query that starts with a comment (as the examples in sql/ do) or
	// spans lines is the query, not a flag.
	for _, query := range []string{"-- how many\nSELECT count(*) AS n FROM cqc_locations", "--\tcount\nSELECT count(*) AS n FROM cqc_locations",
		"SELECT count(*) AS n\nFROM cqc_locations"} {
		code, out, errOut := run(t, "sql", "--out", root, "--format", "csv", query)
		if code != 0 || out != "n\n1\n" {
			t.Errorf("%q: exit %d, %q, stderr %q", query, code, out, errOut)
		}
	}

	// The query from standard input, the format from the environment.
	t.Setenv("CARELAKE_SQL_FORMAT", "csv")
	var stdout, stderr bytes.Buffer
	app := newApp(&stdout, &stderr)
	app.Reader = strings.NewReader("SELECT count(*) AS n FROM cqc_locations;\n")
	if err := app.RunContext(context.Background(), []string{"carelake", "sql", "--out", root, "-"}); err != nil || stdout.String() != "n\n1\n" {
		t.Fatalf("stdin: %q, %v", stdout.String(), err)
	}
}

func TestSQLCommandUsage(t *testing.T) {
	root := t.TempDir()
	for _, args := range [][]string{
		{"sql", "--out", root},
		{"sql", "--out", root, "SELECT 1", "--format", "csv"},
		{"sql", "--out", root, "--format", "xml", "SELECT 1"},
		{"sql", "--out", root, "  "},
	} {
		if code, _, errOut := run(t, args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, %q", args, code, errOut)
		}
	}
}

// The help says what read-only means here: the catalog file, not the files
// a query may write.
func TestSQLHelpSaysQueriesCanWriteFiles(t *testing.T) {
	_, out, _ := run(t, "sql", "--help")
	if !strings.Contains(out, "The catalog file is opened read-only") || !strings.Contains(out, "COPY ... TO 'file.csv' writes") {
		t.Errorf("sql --help:\n%s", out)
	}
}
