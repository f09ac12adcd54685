package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/internal/testkit/loadtest"
	"carelake/pipeline"
	"carelake/schemas"
)

// stageOneLocation stages every registered CQC table for one snapshot, with
// one location, as normalise does.
func stageOneLocation(t *testing.T, root, runID string) {
	t.Helper()
	loadtest.StageTables(t, root, "normalise-cqc", runID, "2026-11-21", schemas.CQCTables(), map[string][]loadtest.Row{
		"cqc/locations": {{"location_id": "1-101", "name": "Café Ünïcødé", "registration_status": "Registered",
			"overall_rating": "Good", "overall_rating_inherited": false, "unpublished_report_count": 0,
			"fetched_at": time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC), "archive_segment": "raw/cqc/x.jsonl.zst", "archive_seq": 1}},
	})
}

// TestLoadCommand: the CQC tables are stored by change, so one location
// makes one table partition beside a changes partition per table.
func TestLoadCommand(t *testing.T) {
	root := t.TempDir()
	code, _, errOut := run(t, "load", "--out", root)
	if code != 1 || !strings.Contains(errOut, "\ncarelake: load: no staged output") || !strings.Contains(errOut, "run 'carelake normalise' first") {
		t.Fatalf("nothing staged: exit %d, %q", code, errOut)
	}

	stageOneLocation(t, root, "run-1")
	code, out, errOut := run(t, "load", "--out", root, "--log-level", "warn")
	if code != 0 {
		t.Fatalf("load: exit %d\n%s\n%s", code, out, errOut)
	}
	// The one table with a row, and a changes partition per CQC table; the
	// rows are the location and the versions (a mark per table, the
	// location's).
	n := len(schemas.CQCTables())
	for _, want := range []string{"loaded cqc/locations/snapshot_date=2026-11-21", fmt.Sprintf("load: %d partition(s), %d file(s), %d rows", n+1, n+1, n+2),
		"catalog " + filepath.Join(root, "carelake.duckdb") + " rebuilt", "carelake sql --out " + root} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(root, "cqc/locations/snapshot_date=2026-11-21/part-*-00000.parquet")); len(files) != 1 {
		t.Fatalf("locations partition holds %v", files)
	}

	code, out, _ = run(t, "load", "--out", root, "--log-level", "warn")
	if code != 0 || !strings.Contains(out, "skipped normalise-cqc (run run-1): already loaded") || !strings.Contains(out, "load: 0 partition(s)") {
		t.Fatalf("second load: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "load", "--out", root, "--force", "--stages", "normalise-cqc", "--log-level", "warn")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("load: %d partition(s)", n+1)) {
		t.Fatalf("forced load: exit %d\n%s", code, out)
	}

	t.Setenv("CARELAKE_STAGES", "resolve-cqc")
	code, _, errOut = run(t, "load", "--out", root)
	if code != 1 || !strings.Contains(errOut, "run 'carelake resolve' first") {
		t.Fatalf("--stages from the environment: exit %d, %q", code, errOut)
	}
}

// TestLoadCommandHistoryDays: --history-days drops the snapshots before the
// cutoff and says so; a negative number is refused.
func TestLoadCommandHistoryDays(t *testing.T) {
	root := t.TempDir()
	if code, _, errOut := run(t, "load", "--out", root, "--history-days", "-1"); code != exitUsage || !strings.Contains(errOut, "--history-days -1") {
		t.Fatalf("--history-days -1: exit %d, %q", code, errOut)
	}
	stageOneLocation(t, root, "run-1")
	if code, out, errOut := run(t, "load", "--out", root, "--log-level", "warn", "--history-days", "2"); code != 0 || strings.Contains(out, "retention") {
		t.Fatalf("first night: exit %d\n%s\n%s", code, out, errOut)
	}
	loadtest.StageTables(t, root, "normalise-cqc", "run-2", "2026-11-25", schemas.CQCTables(), map[string][]loadtest.Row{
		"cqc/locations": {{"location_id": "1-101", "name": "Café renamed", "registration_status": "Registered",
			"overall_rating": "Good", "overall_rating_inherited": false, "unpublished_report_count": 0,
			"fetched_at": time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), "archive_segment": "raw/cqc/x.jsonl.zst", "archive_seq": 1}},
	})
	t.Setenv("CARELAKE_HISTORY_DAYS", "2")
	code, out, errOut := run(t, "load", "--out", root, "--log-level", "warn")
	if want := "history retention dropped 1 snapshot date(s) 2026-11-21 to 2026-11-21, 1 version(s) and 1 stored row(s)"; code != 0 || !strings.Contains(out, want) {
		t.Fatalf("second night: exit %d, output lacks %q:\n%s\n%s", code, want, out, errOut)
	}
	code, out, errOut = run(t, "sql", "--out", root, "--format", "csv", "SELECT DISTINCT snapshot_date FROM cqc_locations_history")
	if code != 0 || strings.TrimSpace(out) != "snapshot_date\n2026-11-25" {
		t.Errorf("snapshots after retention: exit %d, %q %s", code, out, errOut)
	}
}

func TestLoadCommandHonoursTheRunLock(t *testing.T) {
	root := t.TempDir()
	lock, err := pipeline.AcquireLock(root, "run")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, errOut := run(t, "load", "--out", root)
	if code != 1 || !strings.Contains(errOut, "another carelake run holds the warehouse lock") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "load", "--out", root, "extra"); code != 2 {
		t.Fatalf("stray argument: exit %d", code)
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KB", 5 << 20: "5.0 MB", 3 << 30: "3.0 GB", 5 << 40: "5120.0 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
