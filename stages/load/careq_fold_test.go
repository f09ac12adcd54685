package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"

	"carelake/schemas"
	"carelake/schemas/loaded"
)

// formerFixture is a warehouse an older carelake wrote (formerWarehouse)
// and the calls of its log.
type formerFixture struct {
	// all is every call of the log up to 2026-11-04, each segment whole.
	all []call
	// partial is the segment of 2026-11-01 20:00, which the warehouse holds
	// only up to midnight, as a load killed between its two days leaves it.
	partial []call
	// again is the segment of 2026-10-31 20:00 (across the end of
	// October), which the warehouse holds whole.
	again []call
	// later are calls logged after, in December.
	later []call
	// dirs counts the warehouse's former (event_date) partitions.
	dirs int
}

// formerWarehouse writes at root the fold tests' CareQ tables (foldTables)
// partitioned by clinic and day, as an older carelake did, in three loads: two clinics from
// 2026-10-30 20:00 to 2026-11-04, segments of 8 hours from 20:00, 04:00
// and 12:00 (every 20:00 segment spans midnight, that of 2026-10-31 the end
// of October too), a call per clinic every 2 hours.
func formerWarehouse(tb testing.TB, root string) formerFixture {
	tb.Helper()
	start := time.Date(2026, 10, 30, 20, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	var f formerFixture
	f.all = careqCalls(start, end, 8*time.Hour, 2*time.Hour, "clinic_a", "clinic_b")
	f.later = careqCalls(time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		8*time.Hour, 2*time.Hour, "clinic_a", "clinic_b")
	for i := range f.later {
		f.later[i].seq += int64(len(f.all))
	}
	midnight := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	partialSeg := "careq-20261101T200000.jsonl"
	var loads [3][]call
	load := map[string]int{} // segment -> load: whole segments, as normalise stages them
	for _, c := range f.all {
		if _, ok := load[c.segment]; !ok {
			load[c.segment] = min(len(load)/5, 2)
		}
	}
	for _, c := range f.all {
		switch c.segment {
		case partialSeg:
			f.partial = append(f.partial, c)
			if c.at.Before(midnight) {
				loads[2] = append(loads[2], c)
			}
			continue
		case "careq-20261031T200000.jsonl":
			f.again = append(f.again, c)
		}
		loads[load[c.segment]] = append(loads[load[c.segment]], c)
	}
	if len(f.partial) == 0 || len(f.again) == 0 {
		tb.Fatal("fixture: no partial or repeated segment")
	}
	for i, calls := range loads {
		stageCareQ(tb, root, "run-"+strconv.Itoa(i+1), formerOf(foldTables()), calls)
		if _, err := Run(tb.Context(), careqOpts(root, formerOf(foldTables()))); err != nil {
			tb.Fatal(err)
		}
	}
	for _, t := range foldTables() {
		f.dirs += len(partitionDirs(tb, root, t, "event_date"))
	}
	if want := len(foldTables()) * 2 * 5; f.dirs != want { // 2 clinics, 2026-10-30 to 2026-11-03
		tb.Fatalf("fixture: %d former partitions, want %d", f.dirs, want)
	}
	return f
}

// The next load on a warehouse in the day layout folds it into months with
// nothing lost or doubled, records that in the manifest and says so once;
// then the stage output of the new layout merges into the months as usual,
// completing a segment the day layout held only in part.
func TestFoldFormerLayout(t *testing.T) {
	root := t.TempDir()
	tables := foldTables()
	f := formerWarehouse(t, root)
	db := openDuckDB(t)
	before := snapshot(t, db, tables, root, "event_date", "before")
	wm, _ := ReadWarehouseManifest(root)
	if n := len(wm.Datasets["careq/events"].Partitions); n != 2*5 {
		t.Fatalf("the former manifest lists %d events partitions", n)
	}

	// The stage output on disk was loaded already: this load only folds.
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	o := careqOpts(root, tables)
	o.Logger = logger
	sum, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Folded != f.dirs || !sum.Stages[0].Skipped {
		t.Fatalf("folded %d partitions, want %d; stages %+v", sum.Folded, f.dirs, sum.Stages)
	}
	after := snapshot(t, db, tables, root, "event_month", "after")
	sameRows(t, db, tables, "before", "after")
	for ds, n := range before {
		if after[ds] != n || n == 0 {
			t.Errorf("%s: %d rows before, %d after", ds, n, after[ds])
		}
	}
	checkMonthLayout(t, db, tables, root)
	for _, tb := range tables {
		if got := partitionDirs(t, root, tb, "event_month"); len(got) != 2*2 { // 2 clinics, Oct and Nov
			t.Errorf("%s: %d month partitions: %v", tb.Dataset, len(got), got)
		}
	}
	lines := regexp.MustCompile(`(?m)^.*folded partitions of the former layout.*$`).FindAllString(logs.String(), -1)
	if len(lines) != 1 || !strings.Contains(lines[0], "level=INFO") || !strings.Contains(lines[0], "folded="+strconv.Itoa(f.dirs)) {
		t.Fatalf("want one Info line saying %d partitions were folded, got %q", f.dirs, lines)
	}

	// The new normalise stages the partial segment again, whole (it was not
	// recorded as loaded), a segment already loaded (as after a lost mark),
	// and new calls: every call ends up in the warehouse exactly once.
	stageCareQ(t, root, "run-4", tables, append(append(append([]call{}, f.partial...), f.again...), f.later...))
	sum, err = Run(context.Background(), careqOpts(root, tables))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Folded != 0 {
		t.Fatalf("folded %d partitions again", sum.Folded)
	}
	want := expectedRows(t, db, tables, "want", append(append([]call{}, f.all...), f.later...))
	got := snapshot(t, db, tables, root, "event_month", "got")
	sameRows(t, db, tables, "want", "got")
	if got["careq/events"] != want["careq/events"] || got["careq/events"] != int64(len(f.all)+len(f.later)) {
		t.Errorf("events: %d rows, want %d", got["careq/events"], len(f.all)+len(f.later))
	}
	checkMonthLayout(t, db, tables, root)
}

// A stage output an older carelake staged in the day layout and load has
// not loaded yet is refused with what to do, the warehouse untouched; one
// already loaded does not stop the load (which folds).
func TestFormerLayoutStageOutput(t *testing.T) {
	root := t.TempDir()
	tables := foldTables()
	calls := careqCalls(time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		8*time.Hour, 2*time.Hour, "clinic_a")
	stageCareQ(t, root, "run-1", formerOf(tables), calls)
	_, err := Run(context.Background(), careqOpts(root, tables))
	if !errors.Is(err, ErrBadPartition) || !strings.Contains(err.Error(), "former layout") || !strings.Contains(err.Error(), "carelake normalise") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "careq")); !os.IsNotExist(err) {
		t.Fatal("the refused load wrote partitions")
	}

	if _, err := Run(context.Background(), careqOpts(root, formerOf(tables))); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), careqOpts(root, tables))
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Stages[0].Skipped || sum.Folded != len(tables)*2 {
		t.Fatalf("summary %+v", sum)
	}
	checkMonthLayout(t, openDuckDB(t), tables, root)
}

// A segment sealed after midnight on the last day of a month, loaded in
// the month layout, lands in both months' partitions, each with its rows.
func TestSegmentAcrossMonthEnd(t *testing.T) {
	root := t.TempDir()
	calls := careqCalls(time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC),
		8*time.Hour, time.Hour, "clinic_a")
	stageCareQ(t, root, "run-1", schemas.CareQTables(), calls)
	if _, err := Run(context.Background(), careqOpts(root, schemas.CareQTables())); err != nil {
		t.Fatal(err)
	}
	// Staged again (its mark lost): nothing changes.
	stageCareQ(t, root, "run-2", schemas.CareQTables(), calls)
	sum, err := Run(context.Background(), careqOpts(root, schemas.CareQTables()))
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range sum.Stages[0].Partitions {
		if !pr.Unchanged || pr.Added != 0 || pr.Skipped != 4 {
			t.Errorf("%s: %+v", pr.Path, pr)
		}
	}
	for _, month := range []string{"2026-11", "2026-12"} {
		dir := filepath.Join(root, "careq/events/clinic_id=clinic_a/event_month="+month)
		if n, err := readRows(dir); err != nil || n != 4 {
			t.Errorf("%s: %d rows, %v", month, n, err)
		}
	}
	if loaded, _ := loaded.Inputs(root, "careq-segments"); !loaded["careq-20261130T200000.jsonl"] {
		t.Errorf("segment not marked loaded: %v", loaded)
	}
}

// readRows counts the rows of a partition's files.
func readRows(dir string) (int64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil || len(files) == 0 {
		return 0, errors.Join(err, errors.New("no files in "+dir))
	}
	var n int64
	for _, f := range files {
		pf, err := file.OpenParquetFile(f, false)
		if err != nil {
			return 0, err
		}
		n += pf.NumRows()
		pf.Close()
	}
	return n, nil
}

// A year of loads (730 segments, one sealed every 12 hours, loaded every
// month, for three clinics; the segment of each month's last evening
// lands in the next month, which the next load merges into) leaves one
// Parquet file per table, clinic and month: 3 x 12 = 36 files per table,
// where the day layout had 3 x 365 = 1,095 (for 50 clinics and the 6 CareQ
// tables, 3,600 files instead of 109,500). Two of the tables (foldTables),
// as all six are written alike and every partition written costs much
// under -race.
func TestYearOfLoadsIsOneFilePerMonth(t *testing.T) {
	if testing.Short() {
		t.Skip("a year of loads")
	}
	root := t.TempDir()
	clinics := []string{"clinic_a", "clinic_b", "clinic_c"}
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	// Segments from 08:00 and 20:00 (those span midnight), a call per clinic every 6 hours.
	calls := careqCalls(start, end, 12*time.Hour, 6*time.Hour, clinics...)
	segments := map[string]bool{}
	perPartition := map[string]int64{}
	tables := foldTables()
	for from, load := start, 1; from.Before(end); from, load = from.AddDate(0, 1, 0), load+1 {
		to := from.AddDate(0, 1, 0)
		var batch []call
		for _, c := range calls {
			// A segment belongs to the load of its first call.
			if first, _ := time.Parse("20060102T150405", strings.TrimSuffix(strings.TrimPrefix(c.segment, "careq-"), ".jsonl")); !first.Before(from) && first.Before(to) {
				batch = append(batch, c)
			}
		}
		stageCareQ(t, root, fmt.Sprintf("run-%02d", load), tables, batch)
		if _, err := Run(context.Background(), careqOpts(root, tables)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range calls {
		segments[c.segment] = true
		perPartition[partitionOf(tables[0], c)]++
	}
	wm, err := ReadWarehouseManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, tb := range tables {
		files, _ := filepath.Glob(filepath.Join(root, tb.Dataset, "*", "*", "*"))
		total += len(files)
		dirs := partitionDirs(t, root, tb, "event_month")
		if len(files) != len(clinics)*12 || len(dirs) != len(clinics)*12 || len(wm.Datasets[tb.Dataset].Partitions) != len(dirs) {
			t.Errorf("%s: %d files in %d partitions (%d in the manifest), want one in each of %d", tb.Dataset, len(files), len(dirs),
				len(wm.Datasets[tb.Dataset].Partitions), len(clinics)*12)
		}
		for _, d := range dirs {
			e := wm.Datasets[tb.Dataset].Partitions[d]
			want := perPartition[strings.Replace(d, tb.Dataset, "careq/events", 1)]
			if e == nil || len(e.Files) != 1 || e.Rows != want {
				t.Errorf("%s: manifest %+v, want one file of %d rows", d, e, want)
				continue
			}
			if n, err := readRows(filepath.Join(root, d)); err != nil || n != want {
				t.Errorf("%s: %d rows, want %d (%v)", d, n, want, err)
			}
		}
	}
	if total != len(tables)*len(clinics)*12 {
		t.Errorf("%d files in all, want %d", total, len(tables)*len(clinics)*12)
	}
	loaded, _ := loaded.Inputs(root, "careq-segments")
	if len(loaded) != len(segments) {
		t.Errorf("%d segments recorded as loaded, want %d", len(loaded), len(segments))
	}
	checkMonthLayout(t, openDuckDB(t), tables, root)
}
