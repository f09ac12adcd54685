package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/stages/catalog"
)

// A filtered scope through `carelake run` to the catalog: a location that
// moves out of the scope's local authority stays in cqc_locations as it
// was, left_scope_at set; once it moves back it is its new body, unmarked.
func TestRunFilteredScopeKeepsALeaverAsItWas(t *testing.T) {
	sim, err := cqcsim.New(cqcsim.Config{Seed: 11, Locations: 400, RateLimit: 1000, RateWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	// The commands run on the wall clock: the simulator follows it, so a
	// move made now is in the next run's changes window.
	nextSecond := func() {
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		sim.SetClock(time.Now())
	}
	nextSecond()
	var leaver, la, region string
	members := 0
	for _, id := range sim.LocationIDs() {
		body, _ := sim.LocationBody(id)
		var loc schemas.Location
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatal(err)
		}
		if loc.LocalAuthority == nil || loc.Region == nil || !strings.HasPrefix(id, "1-") {
			continue
		}
		if leaver == "" {
			leaver, la, region = id, *loc.LocalAuthority, *loc.Region
		}
		if *loc.LocalAuthority == la {
			members++
		}
	}
	if members < 2 {
		t.Fatalf("local authority %q holds %d locations", la, members)
	}
	root := t.TempDir()
	runOn := func(date string) {
		t.Helper()
		code, out, errOut := run(t, "run", "--out", root, "--cqc-base-url", srv.URL+"/public/v1", "--cqc-api-key", cqcsim.DefaultAPIKey,
			"--rate-limit", "1000", "--rate-window", "1s", "--local-authority", la, "--snapshot-date", date,
			"--log-level", "warn", "--progress", "never")
		if code != 0 || !strings.Contains(out, ": succeeded") {
			t.Fatalf("run %s: exit %d\n%s\n%s", date, code, out, errOut)
		}
	}
	type row struct {
		la       string
		fetched  time.Time
		leftAt   *time.Time
		n, total int
	}
	query := func() row {
		t.Helper()
		db, err := catalog.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var r row
		err = db.QueryRow(`SELECT local_authority, fetched_at, left_scope_at,
			(SELECT count(*) FILTER (left_scope_at IS NOT NULL) FROM cqc_locations), (SELECT count(*) FROM cqc_locations)
			FROM cqc_locations WHERE location_id = ?`, leaver).Scan(&r.la, &r.fetched, &r.leftAt, &r.n, &r.total)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	runOn("2026-12-01")
	if r := query(); r.la != la || r.leftAt != nil || r.n != 0 || r.total != members {
		t.Fatalf("after the backfill: %+v, want %d locations of %s, none marked", r, members, la)
	}

	// It moves out of the local authority: kept as it was, marked.
	sim.MoveLocation(leaver, "Epping Forest", "East", time.Now())
	nextSecond()
	runOn("2026-12-02")
	gone := query()
	if gone.la != la || gone.leftAt == nil || !gone.leftAt.After(gone.fetched) || gone.n != 1 || gone.total != members {
		t.Fatalf("after the move out: %+v, want it in %s with left_scope_at after its fetch, the only one marked", gone, la)
	}

	// It moves back: its new body, unmarked.
	sim.MoveLocation(leaver, la, region, time.Now())
	nextSecond()
	runOn("2026-12-03")
	if r := query(); r.la != la || r.leftAt != nil || !r.fetched.After(*gone.leftAt) || r.n != 0 || r.total != members {
		t.Fatalf("after the move back: %+v, want a body fetched after %v, unmarked", r, *gone.leftAt)
	}
}
