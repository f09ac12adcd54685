package cqc

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
)

// Providers that locations name but /providers does not list are fetched,
// once each, within the budget, and counted; a rerun fetches none again.
func TestUnlistedProvidersFetchedOnce(t *testing.T) {
	t.Parallel()
	const limit, window = 200, time.Second
	e := newSimEnv(t, cqcsim.Config{Seed: 61, Locations: 1500, UnlistedProviders: 0.05, RateLimit: limit, RateWindow: window})
	opts := e.options()
	opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.RateMargin = limit, window, 500*time.Millisecond
	sum := e.extract(t, opts)

	named := map[string]bool{}
	for _, id := range e.sim.LocationIDs() {
		body, _ := e.sim.LocationBody(id)
		var loc schemas.Location
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatal(err)
		}
		if loc.ProviderID != nil {
			named[*loc.ProviderID] = true
		}
	}
	var unlisted []string
	for _, id := range e.sim.UnlistedProviderIDs() {
		if named[id] {
			unlisted = append(unlisted, id)
		}
	}
	if len(unlisted) < 5 {
		t.Fatalf("only %d unlisted providers named by locations", len(unlisted))
	}
	reqs := e.sim.Requests()
	if got := cqcsim.MaxInWindow(reqs, window); got > limit {
		t.Errorf("%d calls in one %v window, budget %d", got, window, limit)
	}
	srv := served(reqs)
	for _, id := range unlisted {
		if n := srv[key{kindProvider, id}]; n != 1 {
			t.Errorf("unlisted provider %s fetched %d times", id, n)
		}
	}
	want := append(keysOf(kindLocation, e.sim.LocationIDs()), keysOf(kindProvider, e.sim.ProviderIDs())...)
	want = append(want, keysOf(kindProvider, unlisted)...)
	if !slices.Equal(sortedKeys(srv), keyStrings(want)) {
		t.Errorf("fetched %d items, want the %d listed and named", len(srv), len(want))
	}
	if sum.Items.UnlistedProviders != len(unlisted) || !sum.Backfill.Complete {
		t.Errorf("summary counts %d unlisted providers, want %d (backfill %+v)", sum.Items.UnlistedProviders, len(unlisted), sum.Backfill)
	}

	// A new backfill (a full refresh) refetches what the lists hold, and
	// no unlisted provider: each was fetched once, ever.
	opts.Mode = ModeBackfill
	before := len(e.sim.Requests())
	sum = e.extract(t, opts)
	srv = served(e.sim.Requests()[before:])
	for _, id := range unlisted {
		if n := srv[key{kindProvider, id}]; n != 0 {
			t.Errorf("unlisted provider %s fetched again", id)
		}
	}
	if sum.Items.UnlistedProviders != 0 {
		t.Errorf("rerun counts %d unlisted providers", sum.Items.UnlistedProviders)
	}
}
