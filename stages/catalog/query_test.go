package catalog

import (
	"carelake/internal/testkit"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// everyType is a query returning each kind of value the formats must print:
// non-ASCII and empty text next to NULL, text needing CSV quotes, booleans,
// integers, exact decimals, NaN, dates, timestamps with and without time
// zone, lists and structs.
const everyType = `SELECT * FROM (VALUES
  (1, 'Café Ünïcødé', true, 12.50::DECIMAL(12,2), 1.5::DOUBLE, DATE '2026-11-21',
   TIMESTAMPTZ '2026-11-21 02:00:00.123456+00', TIMESTAMP '2026-11-21 02:00:00', [1, 2], {'a': 'x'}),
  (2, '', false, -0.05::DECIMAL(12,2), 'NaN'::DOUBLE, DATE '1900-01-01',
   TIMESTAMPTZ '1969-12-31 23:59:59+00', NULL, [], NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'say "hi", then
leave', true, 0::DECIMAL(12,2), -1e300::DOUBLE, DATE '2026-01-31', TIMESTAMPTZ '2026-06-01 12:00:00+02', TIMESTAMP '2026-06-01 12:00:00.5', [3], {'a': NULL})
) t(n, name, ok, fee, score, day, "at", local_at, list, obj) ORDER BY n`

func TestFormatsGolden(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{FormatTable, FormatCSV, FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			var out strings.Builder
			n, err := Query(context.Background(), root, everyType, f, &out)
			if err != nil || n != 4 {
				t.Fatalf("%d rows, %v", n, err)
			}
			testkit.Golden(t, filepath.Join("testdata", "format."+string(f)), []byte(out.String()))
			switch f {
			case FormatCSV: // parses back with a header and empty NULLs
				recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
				if err != nil || len(recs) != 5 || recs[0][1] != "name" || recs[3][1] != "" || recs[4][1] != "say \"hi\", then\nleave" {
					t.Fatalf("csv: %q, %v", recs, err)
				}
			case FormatJSON: // valid JSON, null for NULL, exact decimals
				var rows []map[string]any
				dec := json.NewDecoder(strings.NewReader(out.String()))
				dec.UseNumber()
				if err := dec.Decode(&rows); err != nil || len(rows) != 4 {
					t.Fatalf("json: %v", err)
				}
				if rows[2]["name"] != nil || rows[0]["fee"] != json.Number("12.50") || rows[1]["score"] != "NaN" || rows[0]["ok"] != true {
					t.Fatalf("json values: %v", rows)
				}
			}
		})
	}
}

func TestEmptyResult(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[Format]string{
		FormatCSV:   "location_id,name\n",
		FormatJSON:  "[\n]\n",
		FormatTable: "location_id | name\n------------+-----\n(0 rows)\n",
	} {
		var out strings.Builder
		if _, err := Query(context.Background(), root, "SELECT location_id, name FROM cqc_locations", f, &out); err != nil || out.String() != want {
			t.Errorf("%s: %q, %v", f, out.String(), err)
		}
	}
}

func TestQueryErrors(t *testing.T) {
	root := t.TempDir()
	_, err := Query(context.Background(), root, "SELECT 1", FormatCSV, &strings.Builder{})
	if !errors.Is(err, ErrNoCatalog) || !strings.Contains(err.Error(), "run 'carelake run' or 'carelake demo' first") {
		t.Fatalf("no catalog: %v", err)
	}
	if _, err := ParseFormat("xml"); !errors.Is(err, ErrFormat) {
		t.Fatalf("format: %v", err)
	}
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	if _, err := Query(context.Background(), root, "SELECT * FROM no_such_view", FormatCSV, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "no_such_view") {
		t.Fatalf("bad query: %v", err)
	}
	// The catalog is opened read-only: a query cannot change it.
	if _, err := Query(context.Background(), root, "CREATE VIEW x AS SELECT 1", FormatCSV, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write through sql: %v", err)
	}
}

func TestMultipleStatements(t *testing.T) {
	root := t.TempDir()
	if _, err := Run(context.Background(), Options{Root: root, Logger: quiet()}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := Query(context.Background(), root, "SET VARIABLE x = 'v'; SELECT getvariable('x') AS x", FormatCSV, &out); err != nil || out.String() != "x\nv\n" {
		t.Fatalf("%q, %v", out.String(), err)
	}
}
