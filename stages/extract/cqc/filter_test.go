package cqc

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
)

// filteredEnv is a register of 3,000 locations with a London scope
// backfilled 30 days before the end of its history, one London member
// moved out and one location moved in a day later.
type filteredEnv struct {
	*simEnv
	opts          Options
	start         time.Time
	leaver, comer string
}

func newFilteredEnv(t *testing.T, perPage int) filteredEnv {
	t.Helper()
	const limit, window = 300, time.Second
	e := newSimEnv(t, cqcsim.Config{Seed: 33, Locations: 3000, Days: 30, RateLimit: limit, RateWindow: window})
	_, end := e.sim.History()
	start := end.AddDate(0, 0, -30)
	e.sim.SetClock(start)
	opts := e.options()
	opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.RateMargin = limit, window, 500*time.Millisecond
	opts.Filters, opts.PerPage = Filters{Region: []string{"London"}}, perPage
	if sum := e.extract(t, opts); !sum.Backfill.Complete {
		t.Fatalf("backfill %+v", sum.Backfill)
	}
	f := filteredEnv{simEnv: e, opts: opts, start: start}
	for _, id := range e.sim.LocationIDs() {
		body, _ := e.sim.LocationBody(id)
		var loc schemas.Location
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatal(err)
		}
		if loc.Region == nil || !strings.HasPrefix(id, "1-") {
			continue
		}
		switch {
		case *loc.Region == "London" && f.leaver == "":
			f.leaver = id
		case *loc.Region != "London" && f.comer == "":
			f.comer = id
		}
	}
	moved := start.Add(24 * time.Hour)
	if !e.sim.MoveLocation(f.leaver, "Epping Forest", "East", moved) || !e.sim.MoveLocation(f.comer, "Camden", "London", moved) {
		t.Fatal("no location to move")
	}
	return f
}

// After its backfill a filtered scope reads the changes feed and, when that
// is cheaper than the filtered list, fetches each changed location and
// checks its body against the filters: one that moved in joins the scope,
// a member that moved out leaves it, marked; nothing is read twice, and the
// budget is kept.
func TestFilteredScopeChecksChangedBodies(t *testing.T) {
	t.Parallel()
	f := newFilteredEnv(t, 20) // a list of many pages: checking bodies is cheaper
	end := f.start.Add(72 * time.Hour)
	f.sim.SetClock(end)
	before := len(f.sim.Requests())
	sum := f.extract(t, f.opts)
	reqs := f.sim.Requests()[before:]
	budgetKept(t, f.sim, 300, time.Second)

	for _, r := range reqs {
		if r.Path == "/public/v1/locations" {
			t.Fatalf("the filtered list was read: %s", r.Query)
		}
	}
	changed := f.sim.ChangedIDs("location", f.start, end)
	if !slices.Contains(changed, f.leaver) || !slices.Contains(changed, f.comer) {
		t.Fatalf("the moves are not in the changes feed")
	}
	var got []string
	for k, n := range served(reqs) {
		if k.kind == kindLocation {
			got = append(got, k.id)
			if n != 1 {
				t.Errorf("%s fetched %d times", k.id, n)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, changed) {
		t.Fatalf("fetched locations %v\nwant every changed one %v", got, changed)
	}
	st, err := LoadState(f.root)
	if err != nil {
		t.Fatal(err)
	}
	sc := st.Scopes[f.opts.ScopeKey()]
	if _, ok := sc.Left[f.leaver]; !ok || len(sc.Left) != 1 || sum.Items.LeftScope != 1 || sum.Items.FilterCheck != "bodies" {
		t.Fatalf("left %v; summary %+v", sc.Left, sum.Items)
	}
	if wm := sum.Watermarks[kindLocation]; !wm.Equal(end) {
		t.Fatalf("location watermark %v, want %v", wm, end)
	}

	// The newcomer is in the scope now: its next change is fetched, the
	// leaver's is not (the archive keeps what it was).
	f.sim.SetClock(end.Add(24 * time.Hour))
	before = len(f.sim.Requests())
	sum = f.extract(t, f.opts)
	next := f.sim.ChangedIDs("location", end, end.Add(24*time.Hour))
	for k := range served(f.sim.Requests()[before:]) {
		if k.kind == kindLocation && !slices.Contains(next, k.id) {
			t.Errorf("%s fetched without a change", k.id)
		}
	}
	if sum.Items.LeftScope != 0 {
		t.Errorf("the leaver left again: %+v", sum.Items)
	}
}

// When the filtered list has fewer pages than there are changed locations
// outside the scope, the run reads the list instead; a member that moved
// out still leaves, marked.
func TestFilteredScopeReadsTheListWhenCheaper(t *testing.T) {
	t.Parallel()
	f := newFilteredEnv(t, 1000) // one page
	end := f.start.Add(72 * time.Hour)
	f.sim.SetClock(end)
	before := len(f.sim.Requests())
	sum := f.extract(t, f.opts)
	lists := 0
	for _, r := range f.sim.Requests()[before:] {
		if r.Path == "/public/v1/locations" {
			lists++
		}
	}
	if lists != 1 || sum.Items.FilterCheck != "list" || sum.Items.LeftScope != 1 {
		t.Fatalf("%d list pages read; summary %+v", lists, sum.Items)
	}
	v := readArchive(t, f.root)
	if v.good[key{kindLocation, f.comer}] != 1 {
		t.Fatalf("the newcomer is not archived")
	}
}
