package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/warehouse"
	"carelake/stages/catalog"
	"carelake/stages/extract/cqc"
	"carelake/stages/load"
	"carelake/stages/normalise"
	"carelake/stages/resolve"
)

// TestOnlyWhatChangedMakesTheSameSnapshots is a month of nightly runs
// against the simulator, its data clock moving three days a night (new
// reports, edits, registrations, re-registrations, deregistrations and
// 404s: docs/architecture.md, "CQC history by change"). Warehouse A is the
// nightly job as it runs: after the first night, normalise stages only the
// organisations whose archived body changed. Warehouse B builds every
// night from the same archive (linked from A's) with every organisation
// staged (--whole). Both run the nightly job's stages (extract on A only),
// not its marts. Every
// snapshot of every CQC table must be the same in both (EXCEPT ALL both
// ways, every column), and A's nights after the first must have been
// partial snapshots.
func TestOnlyWhatChangedMakesTheSameSnapshots(t *testing.T) {
	nights := envInt(t, "CARELAKE_TEST_NIGHTS", 30)
	sim, err := cqcsim.New(cqcsim.Config{Seed: 12, Locations: 1500, Days: 3*nights + 10, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	first := cqcsim.DefaultEnd.AddDate(0, 0, -3*nights)
	ctx := context.Background()
	var dates []string
	var goneRecs []*archive.Record
	for n := range nights {
		clock := first.AddDate(0, 0, 3*n)
		sim.SetClock(clock)
		date := time.Date(2026, 11, 1+n, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		dates = append(dates, date)
		// The nightly job's stages, in process and without its marts: the
		// snapshots are what is compared. Extract's data clock is the
		// simulator's, so its changes windows see the simulated events.
		_, err := cqc.Run(ctx, cqc.Options{Root: a, Now: sim.Clock, Client: cqc.ClientOptions{BaseURL: srv.URL + "/public/v1",
			APIKey: cqcsim.DefaultAPIKey, RateLimit: 100000, RateWindow: time.Second}})
		// The simulator's gone IDs never served a body: an organisation
		// that stops being served (a body, then 404) is archived here, and
		// one of them served again later.
		switch n {
		case nights / 3:
			locations, providers := sim.LocationIDs(), sim.ProviderIDs()
			goneRecs = []*archive.Record{detailRecord(archive.EndpointLocation, locations[7], http.StatusNotFound, notFoundBody, clock),
				detailRecord(archive.EndpointLocation, locations[70], http.StatusNotFound, notFoundBody, clock),
				detailRecord(archive.EndpointProvider, providers[7], http.StatusNotFound, notFoundBody, clock)}
			appendArchive(t, a, goneRecs)
		case 2 * nights / 3:
			body, ok := sim.LocationBody(goneRecs[0].ID)
			if !ok {
				t.Fatalf("%s is not served", goneRecs[0].ID)
			}
			appendArchive(t, a, []*archive.Record{detailRecord(archive.EndpointLocation, goneRecs[0].ID, http.StatusOK, body, clock)})
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
			var rs resolve.Summary
			if rs, err = resolve.Run(ctx, resolve.Options{Root: root}); err != nil {
				break
			}
			// A resolves again only what the night's changes reach, from
			// the register it saved the night before; B the whole register.
			if rs.Partial != (root == a && n > 0) {
				t.Errorf("night %s on %s: resolve partial %t", date, filepath.Base(root), rs.Partial)
			}
			if root == a {
				t.Logf("night %s: resolved %d locations again (partial %t), %d inherited ratings", date, rs.Locations, rs.Partial, rs.Inherited)
			}
			_, err = load.Run(ctx, load.Options{Root: root, Version: "test", RemoveLoaded: true})
		}
		if err != nil {
			t.Fatalf("night %s: %v", date, err)
		}
		if partial := partialNight(t, a, date); partial != (n > 0) {
			t.Errorf("night %s on A: partial snapshot %t, want %t", date, partial, n > 0)
		}
		if partialNight(t, b, date) {
			t.Errorf("night %s on B (--whole) is a partial snapshot", date)
		}
	}

	for _, root := range []string{a, b} {
		if _, err := catalog.Run(context.Background(), catalog.Options{Root: root}); err != nil {
			t.Fatal(err)
		}
	}
	var snapshots []string
	for _, tb := range schemas.CQCTables() {
		snapshots = append(snapshots, catalog.DatasetsSchema+"."+tb.Relation())
	}
	compareCatalogs(t, a, b, snapshots, nil)

	db, err := catalog.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The month held what the comparison is about.
	var changed, gone, reregistered int
	err = db.QueryRow(`SELECT
		(SELECT count(*) FROM cqc_changes WHERE table_name = 'locations' AND owner IS NOT NULL AND snapshot_date > ?),
		(SELECT count(*) FROM datasets.cqc_locations_latest WHERE api_gone_at IS NOT NULL),
		(SELECT count(*) FROM datasets.cqc_location_lineage_latest WHERE depth > 0)`, dates[0]).Scan(&changed, &gone, &reregistered)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the first night: %d location versions stored; %d locations gone from the API; %d lineage links", changed, gone, reregistered)
	if changed < nights || gone == 0 || reregistered == 0 {
		t.Errorf("the month changed too little to prove anything: %d location versions, %d gone, %d lineage links", changed, gone, reregistered)
	}
}

// partialNight says whether root's snapshot of date was stored from a
// partial snapshot (warehouse.MetaPartialSnapshot in its files).
func partialNight(t *testing.T, root, date string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(warehouse.ChangesPath(schemas.CQCLocations, date)), "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no versions of cqc/locations on %s in %s (%v)", date, root, err)
	}
	kv, err := warehouse.KeyValues(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return kv[warehouse.MetaPartialSnapshot] == "true"
}
