package load

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"carelake/internal/testkit/loadtest"
	"carelake/schemas"
	"carelake/schemas/loaded"
	"carelake/schemas/staging"
	"carelake/schemas/warehouse"
)

// eventsTable is an append-only table like CareQ's: partitioned by clinic
// and month, merged by the log segment each row came from.
var eventsTable = schemas.Table{
	Dataset:     "test/events",
	PartitionBy: []string{"clinic_id", "event_month"},
	MergeKey:    "log_segment",
	Doc:         "test events",
	Schema: arrow.NewSchema([]arrow.Field{
		schemas.Field("seq", arrow.PrimitiveTypes.Int64, false, "seq"),
		schemas.Field("log_segment", arrow.BinaryTypes.String, false, "segment"),
	}, nil),
}

// stageEvents commits an output of stage "normalise-test" in which every
// segment contributes n rows to each of the given partitions.
func stageEvents(t *testing.T, root, runID string, segs map[string]int, parts ...string) {
	t.Helper()
	w, err := staging.Begin(root, "normalise-test", runID)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMeta(warehouse.MetaLicence, loadtest.Licence)
	w.SetMeta(warehouse.MetaSource, loadtest.Source)
	names := make([]string, 0, len(segs))
	for s := range segs {
		names = append(names, s)
	}
	sort.Strings(names)
	seq := int64(0)
	for _, part := range parts {
		var rows []loadtest.Row
		for _, s := range names {
			for i := 0; i < segs[s]; i++ {
				seq++
				rows = append(rows, loadtest.Row{"seq": seq, "log_segment": s})
			}
		}
		rec := loadtest.Record(t, eventsTable.Schema, rows)
		if err := w.Write(eventsTable.Dataset, eventsTable.Dataset+"/"+part, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	w.Consumes("test-segments", names...)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// segmentsIn counts the rows of each segment in a partition.
func segmentsIn(t *testing.T, root, part string) map[string]int {
	t.Helper()
	got := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(root, eventsTable.Dataset, part, "*.parquet"))
	for _, f := range files {
		err := warehouse.ReadBatches(context.Background(), f, func(rec arrow.RecordBatch) error {
			col := rec.Column(1).(*array.String)
			for i := 0; i < col.Len(); i++ {
				got[col.Value(i)]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return got
}

func mergeOpts(root string) Options {
	return Options{Root: root, Stages: []string{"normalise-test"}, Tables: []schemas.Table{eventsTable}, Version: "test"}
}

const partA = "clinic_id=clinic_abc/event_month=2026-11"
const partB = "clinic_id=clinic_hillview/event_month=2026-11"

func TestMergeAddsOnlyNewInputsAndCompacts(t *testing.T) {
	root := t.TempDir()
	stageEvents(t, root, "run-1", map[string]int{"s1": 3, "s2": 2}, partA)
	if _, err := Run(context.Background(), mergeOpts(root)); err != nil {
		t.Fatal(err)
	}
	// The next output repeats s2 (staged again after a crash) and brings s3.
	stageEvents(t, root, "run-2", map[string]int{"s2": 2, "s3": 4}, partA)
	sum, err := Run(context.Background(), mergeOpts(root))
	if err != nil {
		t.Fatal(err)
	}
	pr := sum.Stages[0].Partitions[0]
	if pr.Added != 4 || pr.Skipped != 2 || pr.Rows != 9 || len(pr.Files) != 1 || sum.Rows != 4 {
		t.Fatalf("merge result %+v (summary rows %d)", pr, sum.Rows)
	}
	if got := segmentsIn(t, root, partA); got["s1"] != 3 || got["s2"] != 2 || got["s3"] != 4 || len(got) != 3 {
		t.Fatalf("partition holds %v", got)
	}
	loaded, _ := loaded.Inputs(root, "test-segments")
	if !loaded["s1"] || !loaded["s3"] {
		t.Fatalf("inputs not marked loaded: %v", loaded)
	}

	// Nothing new: the partition is left exactly as it is.
	before, _ := os.Stat(onlyFile(t, filepath.Join(root, eventsTable.Dataset, partA)))
	stageEvents(t, root, "run-3", map[string]int{"s1": 3}, partA)
	sum, err = Run(context.Background(), mergeOpts(root))
	if err != nil {
		t.Fatal(err)
	}
	if pr := sum.Stages[0].Partitions[0]; !pr.Unchanged || pr.Skipped != 3 || sum.Rows != 0 {
		t.Fatalf("expected an unchanged partition, got %+v", pr)
	}
	after, _ := os.Stat(onlyFile(t, filepath.Join(root, eventsTable.Dataset, partA)))
	if !os.SameFile(before, after) {
		t.Fatal("an unchanged partition was rewritten")
	}
	wm, _ := ReadWarehouseManifest(root)
	if e := wm.Datasets[eventsTable.Dataset].Partitions[eventsTable.Dataset+"/"+partA]; e == nil || e.Rows != 9 {
		t.Fatalf("manifest lost the partition's files: %+v", e)
	}
}

// A load interrupted between two partitions, then rerun, brings every input
// exactly once into every partition, and marks inputs loaded only at the end.
func TestInterruptedMergeLoadsEveryInputExactlyOnce(t *testing.T) {
	root := t.TempDir()
	stageEvents(t, root, "run-1", map[string]int{"s1": 2, "s2": 5}, partA, partB)
	ctx, cancel := context.WithCancel(context.Background())
	opts := mergeOpts(root)
	opts.Workers = 1                                      // one partition at a time
	opts.OnPartition = func(PartitionResult) { cancel() } // dies after the first partition is in place
	if _, err := Run(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	first := segmentsIn(t, root, partA)
	second := segmentsIn(t, root, partB)
	if len(first)+len(second) != 2 {
		t.Fatalf("expected exactly one partition loaded, got %v and %v", first, second)
	}
	if loaded, _ := loaded.Inputs(root, "test-segments"); len(loaded) != 0 {
		t.Fatalf("inputs marked loaded by an interrupted load: %v", loaded)
	}
	if _, err := Run(context.Background(), mergeOpts(root)); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{partA, partB} {
		if got := segmentsIn(t, root, part); got["s1"] != 2 || got["s2"] != 5 || len(got) != 2 {
			t.Fatalf("%s holds %v after the rerun", part, got)
		}
	}
	if loaded, _ := loaded.Inputs(root, "test-segments"); !loaded["s1"] || !loaded["s2"] {
		t.Fatalf("inputs not marked loaded after the rerun: %v", loaded)
	}
}

func TestMergeKeyMustBeAStringColumn(t *testing.T) {
	bad := eventsTable
	bad.MergeKey = "seq"
	if _, err := newMerge(bad.Schema, bad.MergeKey, ""); err == nil || !strings.Contains(err.Error(), "merge key") {
		t.Fatalf("err = %v", err)
	}
}

// mergeCrashChildEnv, when set to a warehouse root, turns the test binary
// into a child that merges that warehouse's staged events and stops for
// good once the first partition is in place, for its parent to kill -9.
const mergeCrashChildEnv = "CARELAKE_LOAD_MERGE_CRASH_CHILD"

func mergeCrashChild(root string) {
	o := mergeOpts(root)
	o.Workers = 1 // one partition at a time, so the kill falls between the two
	o.OnPartition = func(PartitionResult) {
		_ = os.WriteFile(filepath.Join(root, "first-partition-in-place"), nil, 0o644)
		select {} // wait for SIGKILL
	}
	if _, err := Run(context.Background(), o); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
	}
	os.Exit(1)
}

// A load killed -9 between two partitions of a merge, then run again,
// brings every log segment exactly once into every partition.
func TestKillDuringMergeLoadsEveryInputExactlyOnce(t *testing.T) {
	root := t.TempDir()
	stageEvents(t, root, "run-1", map[string]int{"s1": 3}, partA, partB)
	if _, err := Run(context.Background(), mergeOpts(root)); err != nil {
		t.Fatal(err)
	}
	stageEvents(t, root, "run-2", map[string]int{"s1": 3, "s2": 4}, partA, partB) // s1 again, as after a lost mark

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mergeCrashChildEnv+"="+root)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(root, "first-partition-in-place")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(marker); err == nil {
			break
		}
	}
	if _, err := os.Stat(marker); err != nil {
		cmd.Process.Kill()
		t.Fatal("the child never put its first partition in place")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v", cmd.ProcessState)
	}
	a, b := segmentsIn(t, root, partA), segmentsIn(t, root, partB)
	if (a["s2"] == 4) == (b["s2"] == 4) || a["s1"] != 3 || b["s1"] != 3 {
		t.Fatalf("after the kill: %v and %v, want s2 in exactly one partition and s1 once in both", a, b)
	}
	if loaded, _ := loaded.Inputs(root, "test-segments"); loaded["s2"] {
		t.Fatal("s2 marked loaded by a killed load")
	}

	if _, err := Run(context.Background(), mergeOpts(root)); err != nil {
		t.Fatal(err)
	}
	wm, err := ReadWarehouseManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{partA, partB} {
		if got := segmentsIn(t, root, part); got["s1"] != 3 || got["s2"] != 4 || len(got) != 2 {
			t.Fatalf("%s holds %v after the rerun, want s1 3 and s2 4 rows", part, got)
		}
		// The partition the killed load swapped in is unchanged for the
		// rerun, and the manifest (saved only after the last partition)
		// must still come to list it, as it stands on disk.
		e := wm.Datasets[eventsTable.Dataset].Partitions[eventsTable.Dataset+"/"+part]
		if e == nil || e.Rows != 7 || len(e.Files) != 1 || e.Files[0].Name != filepath.Base(onlyFile(t, filepath.Join(root, eventsTable.Dataset, part))) {
			t.Fatalf("manifest entry of %s after the rerun: %+v", part, e)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
}

// Partitions load several at a time, each reported once, one report at a
// time; a partition that fails stops the load with its error: those under
// way are abandoned, and every partition is either the previous one or the
// new one, reported exactly when it is the new one.
func TestPartitionsLoadConcurrently(t *testing.T) {
	root := t.TempDir()
	var parts []string
	for c := 0; c < 12; c++ {
		parts = append(parts, "clinic_id=c"+string(rune('a'+c))+"/event_month=2026-11")
	}
	stageEvents(t, root, "run-1", map[string]int{"s1": 2000, "s2": 3000}, parts...)
	o := mergeOpts(root)
	o.Workers = 4
	var order []string
	var inDone atomic.Int32
	o.OnPartition = func(pr PartitionResult) {
		if inDone.Add(1) != 1 {
			t.Error("OnPartition called concurrently")
		}
		order = append(order, strings.TrimPrefix(pr.Path, eventsTable.Dataset+"/"))
		inDone.Add(-1)
	}
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(order)
	if !slices.Equal(order, parts) || sum.Rows != int64(len(parts))*5000 {
		t.Fatalf("partitions reported %v (%d rows), want %v", order, sum.Rows, parts)
	}
	for _, part := range parts {
		if got := segmentsIn(t, root, part); got["s1"] != 2000 || got["s2"] != 3000 {
			t.Fatalf("%s holds %v", part, got)
		}
	}

	// Make the seventh partition unwritable (its clinic directory is now a
	// file): the load fails there, after it has started writing.
	stageEvents(t, root, "run-2", map[string]int{"s3": 1000}, parts...)
	badDir := filepath.Join(root, eventsTable.Dataset, strings.Split(parts[6], "/")[0])
	if err := os.RemoveAll(badDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	order = nil
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), parts[6]) {
		t.Fatalf("err = %v, want the broken partition %s named", err, parts[6])
	}
	for i, part := range parts {
		if i == 6 {
			if slices.Contains(order, part) {
				t.Fatalf("the broken partition %s was reported loaded", part)
			}
			continue
		}
		got := segmentsIn(t, root, part)
		if got["s1"] != 2000 || got["s2"] != 3000 || (got["s3"] != 0 && got["s3"] != 1000) {
			t.Fatalf("%s holds %v after the failed load", part, got)
		}
		if reported := slices.Contains(order, part); reported != (got["s3"] == 1000) {
			t.Fatalf("%s: reported %v but holds %v", part, reported, got)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(root, tmpDirName)); len(left) != 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
}

// With a MergeDay, a partition holds an input per segment and UTC day: a
// segment it holds only some days of (as a partition folded from a former
// day layout can) takes the rows of its other days, and only those.
func TestMergeDayTakesTheMissingDaysOfAnInput(t *testing.T) {
	table := schemas.Table{
		Dataset:     "test/calls",
		PartitionBy: []string{"clinic_id", "event_month"},
		MergeKey:    "log_segment",
		MergeDay:    "received_at",
		Doc:         "test calls",
		Schema: arrow.NewSchema([]arrow.Field{
			schemas.Field("seq", arrow.PrimitiveTypes.Int64, false, "seq"),
			schemas.Field("received_at", schemas.TimestampUTC, false, "received"),
			schemas.Field("log_segment", arrow.BinaryTypes.String, false, "segment"),
		}, nil),
	}
	part := table.Dataset + "/clinic_id=a/event_month=2026-11"
	root := t.TempDir()
	write := func(runID string, rows []loadtest.Row) {
		w, err := staging.Begin(root, "normalise-test", runID)
		if err != nil {
			t.Fatal(err)
		}
		w.SetMeta(warehouse.MetaLicence, loadtest.Licence)
		w.SetMeta(warehouse.MetaSource, loadtest.Source)
		rec := loadtest.Record(t, table.Schema, rows)
		defer rec.Release()
		if err := w.Write(table.Dataset, part, rec); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	row := func(seq int64, at string, seg string) loadtest.Row {
		ts, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		return loadtest.Row{"seq": seq, "received_at": ts, "log_segment": seg}
	}
	o := Options{Root: root, Stages: []string{"normalise-test"}, Tables: []schemas.Table{table}, Version: "test"}
	// The partition holds s1's rows of the 20th only.
	write("run-1", []loadtest.Row{row(1, "2026-11-20T23:50:00Z", "s1"), row(2, "2026-11-20T23:59:59Z", "s1")})
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// s1 staged whole: its rows of the 21st are added, those of the 20th skipped.
	write("run-2", []loadtest.Row{row(1, "2026-11-20T23:50:00Z", "s1"), row(2, "2026-11-20T23:59:59Z", "s1"),
		row(3, "2026-11-21T00:00:00Z", "s1"), row(4, "2026-11-21T00:05:00Z", "s1")})
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if pr := sum.Stages[0].Partitions[0]; pr.Added != 2 || pr.Skipped != 2 || pr.Rows != 4 {
		t.Fatalf("merge %+v", pr)
	}
	// Staged again: nothing changes.
	write("run-3", []loadtest.Row{row(3, "2026-11-21T00:00:00Z", "s1"), row(1, "2026-11-20T23:50:00Z", "s1")})
	if sum, err = Run(context.Background(), o); err != nil || !sum.Stages[0].Partitions[0].Unchanged {
		t.Fatalf("rerun %+v %v", sum, err)
	}
	if _, err := newMerge(table.Schema, "log_segment", "seq"); err == nil {
		t.Error("a merge day that is not a timestamp was accepted")
	}
}
