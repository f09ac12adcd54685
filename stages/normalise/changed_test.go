package normalise

import (
	"os"
	"path/filepath"
	"testing"

	"carelake/schemas"
	"carelake/schemas/warehouse"
)

// TestOneNight: the night normalise compares with must be every staged
// table's latest (docs/architecture.md, "CQC history by change"): a table
// whose latest versions are of an earlier night (its swap of the night
// never happened), or that has none, is named; resolve's tables and the
// nights on or after the snapshot date do not count.
func TestOneNight(t *testing.T) {
	root := t.TempDir()
	mkdir := func(tb schemas.Table, date string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(warehouse.ChangesPath(tb, date))), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tb := range normaliseTables() {
		mkdir(tb, "2026-11-20")
		mkdir(tb, "2026-11-21")
	}
	mkdir(schemas.CQCLocations, "2026-11-22") // the night itself, rerun
	mkdir(schemas.CQCRatingSources, "2026-11-19")
	check := func(wantTable, wantOther string, wantOK bool) {
		t.Helper()
		table, other, ok, err := oneNight(root, "2026-11-22", "2026-11-21")
		if err != nil || table != wantTable || other != wantOther || ok != wantOK {
			t.Errorf("oneNight: %q %q %t %v, want %q %q %t", table, other, ok, err, wantTable, wantOther, wantOK)
		}
	}
	check("", "", true)

	history := schemas.CQCLocationRatingHistory
	if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(warehouse.ChangesPath(history, "2026-11-21")))); err != nil {
		t.Fatal(err)
	}
	check(history.Dataset, "2026-11-20", false)

	if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(warehouse.ChangesDir(history)))); err != nil {
		t.Fatal(err)
	}
	check(history.Dataset, "", false)
}
