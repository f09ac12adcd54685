package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/loaded"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/load"
	"carelake/stages/normalise"
	"carelake/stages/resolve"
)

// TestLaterNightAfterAnInterruptedLoad: load swaps each table's partitions
// in alone (docs/architecture.md, "CQC history by change"), so a load
// killed at night D can leave cqc/locations, cqc/providers and cqc/rejects
// with D stored and the other tables without it. The next run is the next
// night, D+1, by change. Normalise reads what organisations' rows came from
// in cqc/locations, where the organisations that changed at D look
// unchanged: staging only them would lose D's change for good in the tables
// that missed it. At D one location gains a specialism (changeSpecialisms:
// the simulator changes too few organisations a night to count on one).
// Warehouse A runs the nights by change and has its load of D cut short
// (D's partitions of the other tables removed, its manifest and load state
// as before that load); warehouse B stages every night whole from the same
// archive. D+1's snapshot of every CQC table must be the
// same in both (EXCEPT ALL both ways, every column); the night after is
// again a partial snapshot on A.
func TestLaterNightAfterAnInterruptedLoad(t *testing.T) {
	const nights, interrupted = 6, 3 // night 4 is D+1, night 5 shows partial snapshots coming back
	sim, err := cqcsim.New(cqcsim.Config{Seed: 7, Locations: 400, Days: 3*nights + 10, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	first := cqcsim.DefaultEnd.AddDate(0, 0, -3*nights)
	ctx := context.Background()
	var changed string // the location given a specialism at D
	kept := map[string]bool{schemas.CQCLocations.Dataset: true, schemas.CQCProviders.Dataset: true, schemas.CQCRejects.Dataset: true}
	for n := range nights {
		clock := first.AddDate(0, 0, 3*n)
		sim.SetClock(clock)
		date := time.Date(2026, 11, 1+n, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		_, err := cqc.Run(ctx, cqc.Options{Root: a, Now: sim.Clock, Client: cqc.ClientOptions{BaseURL: srv.URL + "/public/v1",
			APIKey: cqcsim.DefaultAPIKey, RateLimit: 100000, RateWindow: time.Second}})
		if err == nil && n == interrupted {
			changed = changeSpecialisms(t, sim, a, clock)
		}
		if err == nil {
			err = linkTree(filepath.Join(a, "raw", "cqc"), filepath.Join(b, "raw", "cqc"))
		}
		for _, root := range []string{a, b} {
			if err != nil {
				break
			}
			if _, err = normalise.Run(ctx, normalise.Options{Root: root, SnapshotDate: date, Whole: root == b}); err != nil {
				break
			}
			if _, err = resolve.Run(ctx, resolve.Options{Root: root}); err != nil {
				break
			}
			if root == a && n == interrupted {
				err = interruptedLoad(t, a, date, kept)
				continue
			}
			_, err = load.Run(ctx, load.Options{Root: root, Version: "test", RemoveLoaded: true})
		}
		if err != nil {
			t.Fatalf("night %s: %v", date, err)
		}
		if n == nights-1 && !partialNight(t, a, date) {
			t.Errorf("night %s on A, after the night that made up for the interrupted load, is not a partial snapshot", date)
		}
		if n != interrupted+1 {
			continue
		}
		// D+1 is the latest snapshot on both: compare them.
		for _, root := range []string{a, b} {
			if _, err := catalog.Run(ctx, catalog.Options{Root: root}); err != nil {
				t.Fatal(err)
			}
		}
		var latest []string
		for _, tb := range schemas.CQCTables() {
			latest = append(latest, catalog.DatasetsSchema+"."+tb.Relation()+"_latest")
		}
		compareCatalogs(t, a, b, latest, nil)
		db, err := catalog.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		var found int
		err = db.QueryRow(`SELECT count(*) FROM datasets.cqc_specialisms_latest WHERE location_id = ? AND name = ?`,
			changed, addedSpecialism).Scan(&found)
		db.Close()
		if err != nil || found != 1 {
			t.Fatalf("%s has %d specialisms %q at D+1 (%v): D's change is not what the snapshots compared hold", changed, found, addedSpecialism, err)
		}
	}
}

// addedSpecialism is the specialism changeSpecialisms adds.
const addedSpecialism = "Interrupted load"

// changeSpecialisms archives under root, fetched at at, the body the
// simulator serves for one of its locations with addedSpecialism added to
// its specialisms: a change of that night to cqc/specialisms. It returns
// the location's ID.
func changeSpecialisms(t *testing.T, sim *cqcsim.Sim, root string, at time.Time) string {
	t.Helper()
	id := sim.LocationIDs()[11]
	b, ok := sim.LocationBody(id)
	if !ok {
		t.Fatalf("%s is not served", id)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	specialisms, _ := body["specialisms"].([]any)
	body["specialisms"] = append(specialisms, map[string]any{"name": addedSpecialism})
	if b, err := json.Marshal(body); err != nil {
		t.Fatal(err)
	} else {
		appendArchive(t, root, []*archive.Record{detailRecord(archive.EndpointLocation, id, http.StatusOK, b, at)})
	}
	return id
}

// interruptedLoad loads night date into root and then takes back what a
// load killed after swapping in only the tables in kept would not have
// stored: the night's partitions of every other CQC table and their
// versions in cqc/changes, and the manifest and load state, which load
// saves once a stage output is whole. It fails the test unless a table
// taken back had stored rows that night (an owner that changed).
func interruptedLoad(t *testing.T, root, date string, kept map[string]bool) error {
	t.Helper()
	saved := map[string][]byte{}
	for _, f := range []string{filepath.Join(root, load.ManifestName), loaded.StateFile(root)} {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		saved[f] = b
	}
	if _, err := load.Run(context.Background(), load.Options{Root: root, Version: "test", RemoveLoaded: true}); err != nil {
		return err
	}
	man, err := load.ReadWarehouseManifest(root)
	if err != nil {
		return err
	}
	// Resolve stages whole outputs, so only normalise's tables can lose a change.
	resolved := map[string]bool{schemas.CQCLocationLineage.Dataset: true, schemas.CQCRatingSources.Dataset: true,
		schemas.CQCClinicLocations.Dataset: true}
	var changed int64 // rows of the owners that changed, in normalise's tables taken back
	for _, tb := range schemas.CQCTables() {
		if kept[tb.Dataset] {
			continue
		}
		part := tb.Dataset + "/snapshot_date=" + date
		if ds, ok := man.Datasets[tb.Dataset]; ok && ds.Partitions[part] != nil && !resolved[tb.Dataset] {
			changed += ds.Partitions[part].Rows
		}
		for _, dir := range []string{part, warehouse.ChangesPath(tb, date)} {
			dir = filepath.Join(root, filepath.FromSlash(dir))
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	if changed == 0 {
		t.Fatalf("night %s stored no row in the tables taken back: nothing could be lost", date)
	}
	for f, b := range saved {
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
