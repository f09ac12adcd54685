package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carelake/data"
	"carelake/internal/cqcsim"
	"carelake/pipeline"
	"carelake/stages/catalog"
)

// From the simulator over loopback through `carelake run` to DuckDB queries
// on the catalog, twice (two snapshots), then a run that fails.
func TestRunEndToEnd(t *testing.T) {
	fixtures, _ := fs.Sub(data.CQCFixtures, "cqc/fixtures")
	sim, err := cqcsim.New(cqcsim.Config{Seed: 7, Locations: 150, Fixtures: fixtures, RateLimit: 1000, RateWindow: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	root := t.TempDir()
	clinics := filepath.Join(root, "..", "clinics.csv")
	if err := os.WriteFile(clinics, []byte("clinic_id,cqc_location_id,name\nclinic_x,1-1500001000,X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(date string, extra ...string) []string {
		return append([]string{"run", "--out", root, "--cqc-base-url", srv.URL + "/public/v1", "--cqc-api-key", cqcsim.DefaultAPIKey,
			"--rate-limit", "1000", "--rate-window", "1s", "--clinics", clinics, "--snapshot-date", date,
			"--log-level", "warn", "--progress", "never"}, extra...)
	}
	for i, date := range []string{"2026-11-20", "2026-11-21"} {
		if code, out, errOut := run(t, args(date)...); code != 0 || !strings.Contains(out, ": succeeded") {
			t.Fatalf("run %s: exit %d\n%s\n%s", date, code, out, errOut)
		}
		// The catalog a run builds shows that run too, the first one included.
		db, err := catalog.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		var runs int
		err = db.QueryRow(`SELECT count(*) FROM pipeline_runs`).Scan(&runs)
		db.Close()
		if err != nil || runs != i+1 {
			t.Fatalf("after run %d pipeline_runs holds %d runs (%v)", i+1, runs, err)
		}
		// Everything staged was loaded, so nothing is left in staging.
		if entries, err := os.ReadDir(filepath.Join(root, "staging")); err != nil || len(entries) != 0 {
			t.Fatalf("after run %d staging holds %v (%v)", i+1, entries, err)
		}
	}
	db, err := catalog.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var locations, snapshots, runs int
	var current, outcome string
	err = db.QueryRow(`SELECT (SELECT count(*) FROM cqc_locations), (SELECT count(DISTINCT snapshot_date) FROM cqc_locations_history),
		(SELECT current_location_id FROM clinic_locations WHERE clinic_id = 'clinic_x'),
		(SELECT count(*) FROM pipeline_runs), (SELECT outcome FROM pipeline_runs LIMIT 1)`).Scan(&locations, &snapshots, &current, &runs, &outcome)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if locations != len(sim.LocationIDs()) || snapshots != 2 || current != "1-1500001003" || runs != 2 || outcome != "succeeded" {
		t.Fatalf("locations %d of %d, snapshots %d, clinic_x at %s, runs %d (%s)", locations, len(sim.LocationIDs()), snapshots, current, runs, outcome)
	}

	// While another process holds the warehouse, a run exits at once.
	lock, err := pipeline.AcquireLock(root, "test")
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, args("2026-11-22")...)
	lock.Release()
	if code == 0 || !strings.Contains(errOut, "another carelake run holds the warehouse lock") {
		t.Fatalf("concurrent run: exit %d, %s", code, errOut)
	}

	// A revoked key: the run fails, says what to do, and is recorded.
	// (In the second the last run's changes window ended it has nothing to
	// ask the API: let that second pass.)
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	code, _, errOut = run(t, append(args("2026-11-22"), "--cqc-api-key", "revoked-key")...)
	if code == 0 || !strings.Contains(errOut, "CQC_API_KEY") || strings.Contains(errOut, "revoked-key") {
		t.Fatalf("run with a bad key: exit %d, %s", code, errOut)
	}
	history, err := pipeline.Runs(root)
	if err != nil || len(history) != 3 || history[0].Outcome != pipeline.OutcomeFailed || history[0].Steps[0].Name != "extract" {
		t.Fatalf("history after the failure: %+v %v", history, err)
	}
	// The last good catalog is still there, and status tells the story.
	if _, err := os.Stat(filepath.Join(root, catalog.FileName)); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "status", "--out", root)
	for _, want := range []string{"scope all: backfill complete", "location changes archived up to", "cqc/locations", "failed"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

func TestRunRefusesBadFlagsBeforeAnyIO(t *testing.T) {
	root := filepath.Join(t.TempDir(), "never-created")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--out", root, "--snapshot-date", "21/11/2026", "--extract=false"}, "--snapshot-date"},
		{[]string{"run", "--out", root, "--clinics", "/no/such/file.csv", "--extract=false"}, "--clinics"},
		{[]string{"run", "--out", root}, "--extract=false"},
		{[]string{"run", "--out", root, "--mode", "sideways", "--cqc-api-key", "k"}, "--mode"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %s", tc.args, code, errOut)
		}
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatal("a refused run created the warehouse")
	}
}

func TestStatusAfterAFailedRun(t *testing.T) {
	root := t.TempDir()
	// Nothing extracted yet: normalise refuses the empty archive.
	if code, _, errOut := run(t, "run", "--out", root, "--extract=false", "--log-level", "warn"); code == 0 || !strings.Contains(errOut, "run 'carelake extract' first") {
		t.Fatalf("run on an empty archive: %d %s", code, errOut)
	}
	code, out, errOut := run(t, "status", "--out", root)
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	for _, want := range []string{"last runs:", " run      failed", "normalise-cqc: the raw CQC archive holds no good",
		"CQC extract:", "nothing extracted yet", "CareQ log", "0 sealed segment(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := run(t, "status", "--out", root, "--format", "json"); code != 0 || !strings.Contains(out, `"outcome": "failed"`) {
		t.Fatalf("status json: %d %s", code, out)
	}
	if code, _, errOut := run(t, "status", "--out", filepath.Join(root, "nope")); code == 0 || !strings.Contains(errOut, "carelake run") {
		t.Fatalf("status of a missing warehouse: %d %s", code, errOut)
	}
}

// Ctrl-C during a run: exit 130, what is kept and how to go on, no
// ERROR log line; the run is recorded as cancelled.
func TestRunInterrupted(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, errOut := runContext(t, ctx, "run", "--out", root, "--extract=false")
	want := "carelake: interrupted during normalise-cqc: the steps before it are kept, and so is everything extract archived; run the same command again to continue\n"
	if code != exitInterrupted || !strings.HasSuffix(errOut, want) || strings.Contains(errOut, "level=ERROR") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 130 and %q", code, errOut, want)
	}
	history, err := pipeline.Runs(root)
	if err != nil || len(history) != 1 || history[0].Outcome != pipeline.OutcomeCancelled {
		t.Fatalf("history %+v, %v", history, err)
	}
}

// run --summary-json -: the run record alone on stdout, the summary on stderr.
func TestRunSummaryJSONOnStdout(t *testing.T) {
	code, out, errOut := run(t, "run", "--out", t.TempDir(), "--extract=false", "--log-level", "warn", "--summary-json", "-")
	var rec pipeline.RunRecord
	if err := json.Unmarshal([]byte(out), &rec); err != nil || rec.Outcome != pipeline.OutcomeFailed {
		t.Fatalf("stdout is not the run record (%v):\n%s", err, out)
	}
	if code != 1 || !strings.Contains(errOut, "normalise-cqc    failed") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

// A run that ends before the backfill does builds the warehouse from what
// it has, and says that this is only part of the register.
func TestRunSaysWhenTheBackfillIsNotComplete(t *testing.T) {
	sim, err := cqcsim.New(cqcsim.Config{Seed: 7, Locations: 150, RateLimit: 1000, RateWindow: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	root := t.TempDir()
	base := []string{"run", "--out", root, "--cqc-base-url", srv.URL + "/public/v1", "--cqc-api-key", cqcsim.DefaultAPIKey,
		"--rate-limit", "1000", "--rate-window", "1s", "--log-level", "warn", "--progress", "never"}
	code, out, errOut := run(t, append(base, "--budget", "20")...)
	if code != 0 || !strings.Contains(out, "note: the CQC backfill (scope all) is not complete") {
		t.Fatalf("a run stopped by its budget: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = run(t, base...); code != 0 || strings.Contains(out, "backfill (scope all) is not complete") {
		t.Fatalf("the run that completes the backfill: exit %d\n%s\n%s", code, out, errOut)
	}
}
