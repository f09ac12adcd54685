package load

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"carelake/internal/testkit"
	"carelake/schemas"
)

// A fold takes every former partition of a month in one write, deduplicated
// against the month's partition as it was before: the rows of a segment
// that sit in two days of the month are both kept, even for a table
// without a MergeDay (where the month holding a segment's first day would
// otherwise turn away its second).
func TestFoldIsOneWritePerTarget(t *testing.T) {
	root := t.TempDir()
	old, cur := daysToMonths()
	o := mergeOpts(root)
	o.Tables = []schemas.Table{old}
	// s1 spans midnight: it has rows on the 20th and the 21st.
	stageEvents(t, root, "run-1", map[string]int{"s1": 2}, "clinic_id=a/event_date=2026-11-20", "clinic_id=a/event_date=2026-11-21")
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	o.Tables = []schemas.Table{cur}
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := segmentsIn(t, root, "clinic_id=a/event_month=2026-11"); sum.Folded != 2 || got["s1"] != 4 || len(got) != 1 {
		t.Fatalf("folded %d partitions into %v, want s1's 4 rows", sum.Folded, got)
	}
}

func TestCurrentPartition(t *testing.T) {
	tb := schemas.Table{Dataset: "careq/events", PartitionBy: []string{"clinic_id", "event_month"},
		FormerPartitionBy: []string{"clinic_id", "event_date"}, MergeKey: "log_segment"}
	for _, tc := range []struct{ former, want string }{
		{"careq/events/clinic_id=clinic_abc/event_date=2026-11-20", "careq/events/clinic_id=clinic_abc/event_month=2026-11"},
		{"careq/events/clinic_id=unauthenticated/event_date=2027-01-01", "careq/events/clinic_id=unauthenticated/event_month=2027-01"},
	} {
		if !hasKeys(former(tb), tc.former) || hasKeys(tb, tc.former) {
			t.Errorf("%s: keys not told apart", tc.former)
		}
		got, err := currentPartition(tb, tc.former)
		if err != nil || got != tc.want {
			t.Errorf("%s -> %q, %v; want %s", tc.former, got, err, tc.want)
		}
	}
	noMonth := tb
	noMonth.PartitionBy = []string{"clinic_id", "event_week"}
	if _, err := currentPartition(noMonth, "careq/events/clinic_id=a/event_date=2026-11-20"); err == nil {
		t.Error("a column with no former value was derived")
	}
}

// A load killed after a fold swapped its month in but before it removed
// the folded days leaves both; the next load finds every row of those days
// already in the month, leaves it as it is, removes the days and lists the
// month (not the days) in the manifest.
func TestFoldAfterSwapBeforeRemoval(t *testing.T) {
	root := t.TempDir()
	old, cur := daysToMonths()
	o := mergeOpts(root)
	o.Tables = []schemas.Table{old}
	days := []string{"clinic_id=a/event_date=2026-11-20", "clinic_id=a/event_date=2026-11-21"}
	stageEvents(t, root, "run-1", map[string]int{"s1": 2, "s2": 1}, days...)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	keep := t.TempDir()
	testkit.CopyTree(t, filepath.Join(root, old.Dataset, days[1]), filepath.Join(keep, "day"))

	o.Tables = []schemas.Table{cur}
	if sum, err := Run(context.Background(), o); err != nil || sum.Folded != 2 {
		t.Fatalf("fold: %+v %v", sum, err)
	}
	month := filepath.Join(root, cur.Dataset, "clinic_id=a/event_month=2026-11")
	before, _ := os.Stat(onlyFile(t, month))
	// The state a kill between the swap and the removal leaves: the month
	// swapped in, a day not removed, the manifest not saved.
	testkit.CopyTree(t, filepath.Join(keep, "day"), filepath.Join(root, old.Dataset, days[1]))
	if err := os.Remove(filepath.Join(root, ManifestName)); err != nil {
		t.Fatal(err)
	}

	sum, err := Run(context.Background(), o)
	if err != nil || sum.Folded != 1 {
		t.Fatalf("rerun: %+v %v", sum, err)
	}
	after, _ := os.Stat(onlyFile(t, month))
	if !os.SameFile(before, after) {
		t.Error("the month was rewritten, though it held every row of the day")
	}
	if got := segmentsIn(t, root, "clinic_id=a/event_month=2026-11"); got["s1"] != 4 || got["s2"] != 2 || len(got) != 2 {
		t.Errorf("month holds %v", got)
	}
	if _, err := os.Stat(filepath.Join(root, old.Dataset, days[1])); !os.IsNotExist(err) {
		t.Errorf("the folded day is still there: %v", err)
	}
	wm, _ := ReadWarehouseManifest(root)
	ds := wm.Datasets[cur.Dataset]
	if e := ds.Partitions[cur.Dataset+"/clinic_id=a/event_month=2026-11"]; len(ds.Partitions) != 1 || e == nil || e.Rows != 6 ||
		e.Files[0].Name != filepath.Base(onlyFile(t, month)) || e.Stage != "normalise-test" || e.RunID != "run-1" || ds.Rows != 6 {
		t.Errorf("manifest %+v, entry %+v", ds, e)
	}
}

// daysToMonths is the events table partitioned by day (old) and by month
// (cur), which folds the days in.
func daysToMonths() (old, cur schemas.Table) {
	old, cur = eventsTable, eventsTable
	old.PartitionBy = []string{"clinic_id", "event_date"}
	cur.PartitionBy, cur.FormerPartitionBy = []string{"clinic_id", "event_month"}, old.PartitionBy
	return old, cur
}
