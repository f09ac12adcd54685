package load

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
)

// TestAColumnAddedLater: a table stored by change gains a nullable column
// (as cqc/locations gained left_scope_at). The nightly partitions an older
// carelake wrote, without it, are compacted when their month closes and
// read with the column NULL: every snapshot answers as in a warehouse
// whose table always had the column.
func TestAColumnAddedLater(t *testing.T) {
	old := retentionTables()
	added := retentionTables()
	things := added[0].Schema
	added[0].Schema = arrow.NewSchema(append(things.Fields(), schemas.Field("note", arrow.BinaryTypes.String, true, "added later")), nil)

	upgraded, ref := t.TempDir(), t.TempDir()
	for i, day := range retentionDays {
		for _, w := range []struct {
			root   string
			tables []schemas.Table
		}{{upgraded, old}, {ref, added}} {
			if w.root == upgraded && i >= 2 { // the upgrade: from February on
				w.tables = added
			}
			loadtest.StageTables(t, w.root, "normalise-cqc", "run-"+day, day, w.tables, retentionNight(i))
			if _, err := Run(t.Context(), Options{Root: w.root, Tables: w.tables, Version: "test"}); err != nil {
				t.Fatalf("load %s: %v", day, err)
			}
		}
	}
	db := openDuckDB(t)
	createViews(t, db, ref)
	answers(t, db, "ref")
	createViews(t, db, upgraded)
	answers(t, db, "upgraded")
	sameAnswers(t, db, "upgraded", "ref", "", true)
	if got := queryStrings(t, db, "SELECT DISTINCT snapshot_month FROM read_parquet('"+upgraded+"/cqc/things/snapshot_month=*/*.parquet', hive_partitioning = true) ORDER BY 1"); len(got) != 2 {
		t.Fatalf("compacted months of things: %v (January, written before the column, and February)", got)
	}
	if got := queryStrings(t, db, "SELECT count(*)::VARCHAR FROM w.cqc_things WHERE note IS NOT NULL"); len(got) != 1 || got[0] != "0" {
		t.Fatalf("notes: %v", got)
	}
}
