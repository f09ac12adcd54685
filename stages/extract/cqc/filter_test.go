package cqc

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/leftscope"
)

// filteredEnv is a register of 3,000 locations with a London scope
// backfilled 30 days before the end of its history, one London member
// moved out and one location moved in a day later.
type filteredEnv struct {
	*simEnv
	opts          Options
	start         time.Time
	leaver, comer string
	leaverLA      string // the leaver's local authority before it moved
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
		case *loc.Region == "London" && f.leaver == "" && loc.LocalAuthority != nil:
			f.leaver, f.leaverLA = id, *loc.LocalAuthority
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
	// Normalise learns it from state/cqc-left-scope.json: the leaver, left
	// when its body outside the filters was fetched, after its last body
	// inside them.
	var inside, outside []time.Time
	for _, rec := range readArchive(t, f.root).records {
		if rec.Endpoint != archive.EndpointLocation || rec.ID != f.leaver || rec.Status != 200 {
			continue
		}
		var loc schemas.Location
		if err := json.Unmarshal(rec.Body, &loc); err != nil {
			t.Fatal(err)
		}
		if *loc.Region == "London" {
			inside = append(inside, rec.FetchedAt)
		} else {
			outside = append(outside, rec.FetchedAt)
		}
	}
	left := readLeft(t, f.root)
	if len(inside) != 1 || len(outside) != 1 || len(left) != 1 || !left[f.leaver].Equal(outside[0]) || !inside[0].Before(outside[0]) {
		t.Fatalf("left-scope file %v; the leaver's bodies fetched inside the filters at %v, outside at %v", left, inside, outside)
	}

	// The newcomer is in the scope now: its next change is fetched. The
	// leaver moves back: its change is checked, it joins again and is no
	// longer marked.
	f.sim.MoveLocation(f.leaver, f.leaverLA, "London", end.Add(12*time.Hour))
	f.sim.SetClock(end.Add(24 * time.Hour))
	before = len(f.sim.Requests())
	sum = f.extract(t, f.opts)
	next := f.sim.ChangedIDs("location", end, end.Add(24*time.Hour))
	if !slices.Contains(next, f.leaver) {
		t.Fatal("the move back is not in the changes feed")
	}
	for k := range served(f.sim.Requests()[before:]) {
		if k.kind == kindLocation && !slices.Contains(next, k.id) {
			t.Errorf("%s fetched without a change", k.id)
		}
	}
	if st, err = LoadState(f.root); err != nil {
		t.Fatal(err)
	}
	if sc := st.Scopes[f.opts.ScopeKey()]; sum.Items.LeftScope != 0 || len(sc.Left) != 0 || len(readLeft(t, f.root)) != 0 {
		t.Errorf("the leaver came back but is still marked: state %v, file %v; summary %+v", sc.Left, readLeft(t, f.root), sum.Items)
	}
}

// readLeft reads state/cqc-left-scope.json; nil when there is none.
func readLeft(t *testing.T, root string) map[string]time.Time {
	t.Helper()
	l, err := leftscope.Read(root)
	if err != nil {
		t.Fatal(err)
	}
	return l.Locations
}

// The unfiltered scope keeps every location fresh: a location that moves is
// never marked, and one that left a filtered scope of the same warehouse is
// no longer marked once the unfiltered scope's backfill began.
func TestUnfilteredScopeMarksNothing(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 34, Locations: 400, Days: 30})
	_, end := e.sim.History()
	start := end.AddDate(0, 0, -30)
	e.sim.SetClock(start)
	opts := e.options()
	if sum := e.extract(t, opts); !sum.Backfill.Complete {
		t.Fatalf("backfill %+v", sum.Backfill)
	}
	id := e.sim.LocationIDs()[0]
	if !e.sim.MoveLocation(id, "Epping Forest", "East", start.Add(time.Hour)) {
		t.Fatal("no location to move")
	}
	e.sim.SetClock(start.Add(24 * time.Hour))
	sum := e.extract(t, opts)
	if served(e.sim.Requests())[key{kindLocation, id}] != 2 {
		t.Fatalf("the moved location was not fetched again")
	}
	st, err := LoadState(e.root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftscope.Path(e.root)); !errors.Is(err, os.ErrNotExist) || sum.Items.LeftScope != 0 || len(st.Scopes[opts.ScopeKey()].Left) != 0 {
		t.Fatalf("the unfiltered scope marked a location: %v; %+v", err, sum.Items)
	}

	f := newFilteredEnv(t, 20)
	f.sim.SetClock(f.start.Add(72 * time.Hour))
	f.extract(t, f.opts)
	if left := readLeft(t, f.root); len(left) != 1 {
		t.Fatalf("the filtered scope marked %v", left)
	}
	all := f.opts
	all.Filters, all.MaxCalls = Filters{}, 1 // the unfiltered backfill begins
	f.extract(t, all)
	if left := readLeft(t, f.root); len(left) != 0 {
		t.Fatalf("marked while the unfiltered scope keeps it fresh: %v", left)
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
