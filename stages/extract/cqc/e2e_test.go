package cqc

// End-to-end tests: Extract against the CQC simulator over loopback HTTP,
// checked from the simulator's request log and from the archive on disk.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"carelake/internal/cqcsim"
	"carelake/schemas"
	"carelake/schemas/archive"
	"carelake/schemas/wanted"
)

type simEnv struct {
	sim  *cqcsim.Sim
	srv  *httptest.Server
	root string
	base string
}

// newSimEnv starts a simulator (unlimited rate unless cfg says otherwise)
// and an empty warehouse.
func newSimEnv(t *testing.T, cfg cqcsim.Config) *simEnv {
	t.Helper()
	if cfg.RateLimit == 0 {
		cfg.RateLimit = -1
	}
	sim, err := cqcsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &simEnv{sim: sim, srv: srv, root: t.TempDir(), base: srv.URL + "/public/v1"}
}

// options are fast settings: a generous budget, quick retries, the
// simulator's data clock.
func (e *simEnv) options() Options {
	return Options{
		Root: e.root,
		Client: ClientOptions{
			BaseURL: e.base, APIKey: cqcsim.DefaultAPIKey,
			RateLimit: 5000, RateWindow: time.Second, Concurrency: 8,
			RetryBase: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond, MaxAttempts: 12,
			RequestTimeout: 20 * time.Second,
		},
		Now: e.sim.Clock,
	}
}

func (e *simEnv) extract(t *testing.T, opts Options) Summary {
	t.Helper()
	opts.Logger = testLogger(t)
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("extract: %v\nsummary: %+v", err, sum)
	}
	return sum
}

// testLogger sends warnings and errors to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// detailKey reads a detail call's path (/public/v1/locations/ID).
func detailKey(path string) (key, bool) {
	seg := strings.Split(strings.TrimPrefix(path, "/public/v1/"), "/")
	if len(seg) != 2 {
		return key{}, false
	}
	switch seg[0] {
	case "locations":
		return key{kindLocation, seg[1]}, true
	case "providers":
		return key{kindProvider, seg[1]}, true
	}
	return key{}, false
}

// served counts the detail answers the simulator gave in full (200 not
// throttled, or 404) per organisation: each is a call spent on that item.
func served(reqs []cqcsim.Request) map[key]int {
	out := map[key]int{}
	for _, r := range reqs {
		k, ok := detailKey(r.Path)
		if !ok || r.Throttled || r.Fault != "" || (r.Status != 200 && r.Status != 404) {
			continue
		}
		out[k]++
	}
	return out
}

// archiveView is the archive read without the code under test: an answer
// is good when it is a whole 200 JSON body of the asked ID with no gateway
// error in it.
type archiveView struct {
	good, gone, bad map[key]int
	records         []archive.Record
}

func readArchive(t *testing.T, root string) archiveView {
	t.Helper()
	v := archiveView{good: map[key]int{}, gone: map[key]int{}, bad: map[key]int{}}
	_, err := archive.Scan(root, func(r *archive.Record) error {
		v.records = append(v.records, *r)
		if r.Endpoint != archive.EndpointLocation && r.Endpoint != archive.EndpointProvider {
			return nil
		}
		k := key{kindLocation, r.ID}
		if r.Endpoint == archive.EndpointProvider {
			k.kind = kindProvider
		}
		var body struct {
			LocationID string `json:"locationId"`
			ProviderID string `json:"providerId"`
			StatusCode *int   `json:"statusCode"`
		}
		switch {
		case r.Status == 404:
			v.gone[k]++
		case r.Status == 200 && r.Error == "" && r.Body != nil && json.Unmarshal(r.Body, &body) == nil &&
			body.StatusCode == nil && (body.LocationID == r.ID || body.ProviderID == r.ID):
			v.good[k]++
		default:
			v.bad[k]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func keysOf(kind string, ids []string) []key {
	out := make([]key, len(ids))
	for i, id := range ids {
		out[i] = key{kind, id}
	}
	return out
}

func sortedKeys[V any](m map[key]V) []string {
	var out []string
	for k := range m {
		out = append(out, k.kind+"/"+k.id)
	}
	sort.Strings(out)
	return out
}

func keyStrings(ks []key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.kind + "/" + k.id
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// The main promise: with a compressed window, a backfill of 2,000
// locations never exceeds the budget in any window (the simulator's log
// says so, not our own counters), uses it, spends one call per item and
// archives every ID.
func TestBackfillNeverExceedsTheBudget(t *testing.T) {
	t.Parallel()
	const limit, window = 200, time.Second
	e := newSimEnv(t, cqcsim.Config{Seed: 3, Locations: 2000, RateLimit: limit, RateWindow: window})
	opts := e.options()
	opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.Concurrency = limit, window, 16
	// The simulator shares this process: under -race on a loaded machine it
	// may see a call well after we wrote it (up to ~0.2 s seen), more than
	// the default margin of a 1 s window (17 ms). Quick answers give the
	// margin back, so the budget is still used.
	opts.Client.RateMargin = 500 * time.Millisecond
	sum := e.extract(t, opts)

	reqs := e.sim.Requests()
	if got := cqcsim.MaxInWindow(reqs, window); got > limit {
		t.Errorf("%d calls in one %v window, budget %d", got, window, limit)
	}
	throttled := 0
	for _, r := range reqs {
		if r.Throttled {
			throttled++
		}
	}
	if throttled > 0 || sum.Calls.Throttled > 0 {
		t.Errorf("simulator throttled %d calls (summary says %d)", throttled, sum.Calls.Throttled)
	}
	want := append(keysOf(kindLocation, e.sim.LocationIDs()), keysOf(kindProvider, e.sim.ProviderIDs())...)
	if len(want) < 2000 {
		t.Fatalf("simulator lists only %d organisations", len(want))
	}
	v := readArchive(t, e.root)
	srv := served(reqs)
	for _, k := range want {
		if v.good[k] != 1 {
			t.Fatalf("%v archived good %d times, want once", k, v.good[k])
		}
	}
	for k, n := range srv {
		if n != 1 {
			t.Errorf("%v fetched %d times", k, n)
		}
	}
	if len(srv) != len(want) {
		t.Errorf("fetched %d details, listed %d", len(srv), len(want))
	}
	if sum.Calls.Total != len(reqs) || sum.Items.New != len(want) || sum.Outcome != OutcomeComplete || !sum.Backfill.Complete {
		t.Errorf("summary: calls %d (simulator saw %d), new %d (want %d), outcome %s, backfill %+v",
			sum.Calls.Total, len(reqs), sum.Items.New, len(want), sum.Outcome, sum.Backfill)
	}
	// Utilisation is a performance figure that a busy machine lowers (0.45
	// seen): BenchmarkBudgetUse measures it (docs/benchmarks.md). This test
	// asserts only what must never happen: a window over the budget, an
	// item fetched twice or not at all.
	t.Logf("%d calls in %.1fs, utilisation %.3f, busiest window %d", sum.Calls.Total, sum.Seconds,
		sum.Budget.Utilisation, cqcsim.MaxInWindow(reqs, window))
}

// stopStormAfter turns the faults off once n requests were throttled, so a
// storm is a storm and the test still ends.
func stopStormAfter(ctx context.Context, sim *cqcsim.Sim, n int) {
	for ctx.Err() == nil {
		c := 0
		for _, r := range sim.Requests() {
			if r.Throttled {
				c++
			}
		}
		if c >= n {
			sim.SetFaults(cqcsim.Faults{})
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStormsEndWithEverythingArchived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		throttle cqcsim.ThrottleMode
		faults   cqcsim.Faults
		simLimit int  // the server's own budget, below ours
		storm    bool // throttle storm: stop it after a few 429s
		badWant  func(archive.Record) bool
	}{
		{name: "429 with Retry-After", throttle: cqcsim.Throttle429, faults: cqcsim.Faults{Seed: 1, Throttle: 0.4}, storm: true,
			badWant: func(r archive.Record) bool { return r.Status == 429 && r.Headers["Retry-After"] != "" }},
		{name: "429 without Retry-After", throttle: cqcsim.Throttle429NoRetryAfter, faults: cqcsim.Faults{Seed: 2, Throttle: 0.4}, storm: true,
			badWant: func(r archive.Record) bool { return r.Status == 429 && r.Headers["Retry-After"] == "" }},
		{name: "soft 429", throttle: cqcsim.ThrottleSoft, faults: cqcsim.Faults{Seed: 3, Throttle: 0.4}, storm: true,
			badWant: func(r archive.Record) bool {
				return r.Status == 200 && strings.Contains(string(r.Body), `"statusCode":429`)
			}},
		{name: "server budget below ours", throttle: cqcsim.Throttle429, simLimit: 25,
			badWant: func(r archive.Record) bool { return r.Status == 429 }},
		{name: "5xx", faults: cqcsim.Faults{Seed: 4, Status5xx: 0.25},
			badWant: func(r archive.Record) bool { return r.Status >= 500 }},
		{name: "gateway 403", faults: cqcsim.Faults{Seed: 5, Gateway403: 0.25},
			badWant: func(r archive.Record) bool {
				return r.Status == 403 && strings.Contains(r.BodyText, "Microsoft-Azure-Application-Gateway")
			}},
		{name: "truncated bodies", faults: cqcsim.Faults{Seed: 6, Truncate: 0.25},
			badWant: func(r archive.Record) bool {
				return r.Status == 200 && r.Body == nil && r.BodyText != "" && r.Error != ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := cqcsim.Config{Seed: 7, Locations: 60, Throttle: tt.throttle, Faults: tt.faults}
			if tt.simLimit > 0 {
				cfg.RateLimit, cfg.RateWindow = tt.simLimit, time.Second
			}
			e := newSimEnv(t, cfg)
			opts := e.options()
			opts.Client.RateLimit = 60 // above the simulator's 25 in that case
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.storm {
				go stopStormAfter(ctx, e.sim, 3)
			}
			sum := e.extract(t, opts)
			cancel()

			v := readArchive(t, e.root)
			for _, k := range append(keysOf(kindLocation, e.sim.LocationIDs()), keysOf(kindProvider, e.sim.ProviderIDs())...) {
				if v.good[k] == 0 {
					t.Fatalf("%v not archived", k)
				}
			}
			bad := 0
			for _, r := range v.records {
				if tt.badWant(r) {
					bad++
				}
			}
			if bad == 0 {
				t.Fatalf("no bad answer of this kind archived: the storm did not happen or was not archived")
			}
			if sum.Items.Failed != 0 || sum.Outcome != OutcomeComplete || sum.Calls.Retries == 0 {
				t.Fatalf("summary %+v", sum)
			}
			if tt.throttle != "" && sum.Calls.Throttled == 0 {
				t.Fatalf("summary counts no 429: %+v", sum.Calls)
			}
			// A 429 pauses every worker: after one, nothing but calls
			// already in flight reaches the server for the shortest wait
			// the server names (1 s). Calls in flight may arrive late on a
			// loaded machine: they get half of that second.
			reqs := e.sim.Requests()
			for _, th := range reqs {
				if !th.Throttled {
					continue
				}
				for _, r := range reqs {
					if d := r.Time.Sub(th.Time); d > 500*time.Millisecond && d < time.Second {
						t.Fatalf("a call arrived %v after a 429 (%s): workers did not pause", d, th.Path)
					}
				}
			}
			// An item that got a bad answer was archived good afterwards.
			if tt.name == "truncated bodies" {
				cut := map[key]bool{}
				for _, r := range v.records {
					k, _ := detailKey("/public/v1" + r.URL)
					if tt.badWant(r) {
						cut[k] = true
					} else if cut[k] && r.Status == 200 && r.Body != nil {
						return // truncated, archived as bad, then good
					}
				}
				t.Fatal("no item archived truncated and then whole")
			}
		})
	}
}

// A key revoked mid-run stops the run at once, with a message that says
// what to check; the next run (with a good key) loses nothing.
func TestUnauthorizedMidRunStopsAtOnce(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 9, Locations: 300})
	opts := e.options()
	opts.Client.RateLimit = 300 // slow enough to revoke mid-run
	var revokedAt time.Time
	go func() {
		for len(e.sim.Requests()) < 60 {
			time.Sleep(2 * time.Millisecond)
		}
		revokedAt = time.Now()
		e.sim.SetFaults(cqcsim.Faults{Unauthorized: true}) //nolint:misspell // the simulator's field
	}()
	opts.Logger = testLogger(t)
	sum, err := Run(context.Background(), opts)
	stopped := time.Now()
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "CQC_API_KEY") {
		t.Fatalf("err = %v", err)
	}
	if sum.Outcome != OutcomeFailed || !strings.Contains(sum.Error, "CQC_API_KEY") {
		t.Fatalf("summary %+v", sum)
	}
	// "At once" is proven by the calls count below; the time only catches a hang.
	if d := stopped.Sub(revokedAt); d > 10*time.Second {
		t.Fatalf("took %v to stop after the key was revoked", d)
	}
	reqs := e.sim.Requests()
	first := slices.IndexFunc(reqs, func(r cqcsim.Request) bool { return r.Status == 401 })
	if first < 0 {
		t.Fatal("no 401 seen")
	}
	if after := len(reqs) - first - 1; after > opts.Client.Concurrency {
		t.Fatalf("%d calls after the first 401: the run did not stop", after)
	}

	e.sim.SetFaults(cqcsim.Faults{})
	sum2 := e.extract(t, opts)
	if sum2.Outcome != OutcomeComplete || !sum2.Backfill.Complete {
		t.Fatalf("rerun: %+v", sum2)
	}
	v := readArchive(t, e.root)
	for _, k := range append(keysOf(kindLocation, e.sim.LocationIDs()), keysOf(kindProvider, e.sim.ProviderIDs())...) {
		if v.good[k] == 0 {
			t.Fatalf("%v not archived", k)
		}
	}
	twice := 0
	for _, n := range served(e.sim.Requests()) {
		if n > 1 {
			twice++
		}
	}
	if twice > opts.Client.Concurrency {
		t.Fatalf("%d items fetched twice; only calls cut in flight may be", twice)
	}
}

// --budget N stops cleanly after exactly N calls; the rerun continues and
// no call is spent twice. A time budget stops too.
func TestBudgetStopsAndTheRerunContinues(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 11, Locations: 300})
	opts := e.options()
	opts.PerPage = 100 // several list pages, so the walk is checkpointed mid-way
	opts.MaxCalls = 150
	sum := e.extract(t, opts)
	if sum.Outcome != OutcomeBudgetCalls || sum.Calls.Total != 150 || len(e.sim.Requests()) != 150 {
		t.Fatalf("outcome %s, %d calls (simulator saw %d)", sum.Outcome, sum.Calls.Total, len(e.sim.Requests()))
	}
	if sum.Backfill.Complete || sum.Backfill.RemainingCalls <= 0 || sum.Backfill.RemainingSeconds <= 0 {
		t.Fatalf("backfill %+v: should say how much is left", sum.Backfill)
	}
	st, err := LoadState(e.root)
	if err != nil {
		t.Fatal(err)
	}
	if lp := st.Scopes["all"].Backfill.Lists["locations"]; lp == nil || lp.PagesDone == 0 {
		t.Fatalf("list walk not checkpointed: %+v", st.Scopes["all"].Backfill)
	}

	opts.MaxCalls = 0
	sum2 := e.extract(t, opts)
	if sum2.Outcome != OutcomeComplete || !sum2.Backfill.Complete {
		t.Fatalf("rerun: %+v", sum2)
	}
	reqs := e.sim.Requests()
	for k, n := range served(reqs) {
		if n != 1 {
			t.Fatalf("%v fetched %d times", k, n)
		}
	}
	pages := map[string]int{}
	for _, r := range reqs {
		if r.Path == "/public/v1/locations" || r.Path == "/public/v1/providers" {
			pages[r.Path+"?"+r.Query]++
		}
	}
	for p, n := range pages {
		if n != 1 {
			t.Fatalf("page %s fetched %d times", p, n)
		}
	}
	want := len(e.sim.LocationIDs()) + len(e.sim.ProviderIDs())
	if got := readArchive(t, e.root); len(got.good) != want {
		t.Fatalf("%d archived, want %d", len(got.good), want)
	}

	// A time budget ends the run as cleanly.
	e2 := newSimEnv(t, cqcsim.Config{Seed: 12, Locations: 300, Faults: cqcsim.Faults{LatencyMin: 20 * time.Millisecond, LatencyMax: 40 * time.Millisecond}})
	o2 := e2.options()
	o2.MaxDuration = 300 * time.Millisecond
	s3 := e2.extract(t, o2)
	if s3.Outcome != OutcomeBudgetTime || s3.Calls.Total == 0 {
		t.Fatalf("time budget: outcome %s, %d calls", s3.Outcome, s3.Calls.Total)
	}
	// Once the time is up no call starts: only those already in flight may
	// arrive later, however slow the machine.
	reqs = e2.sim.Requests()
	end := reqs[0].Time.Add(o2.MaxDuration)
	late := 0
	for _, r := range reqs {
		if r.Time.After(end) {
			late++
		}
	}
	if late > o2.Client.Concurrency {
		t.Fatalf("time budget: %d calls arrived after it was up (concurrency %d)", late, o2.Client.Concurrency)
	}
}

// Thirty simulated days, one run a day: each run fetches exactly what the
// changes feed named for its window (gone IDs recorded as such), one call
// per changed item plus one page per kind.
func TestThirtyDaysOfChanges(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 5, Locations: 2000, Days: 30})
	_, end := e.sim.History()
	start := end.AddDate(0, 0, -30)
	e.sim.SetClock(start)
	opts := e.options()
	if sum := e.extract(t, opts); !sum.Backfill.Complete {
		t.Fatalf("backfill: %+v", sum)
	}
	gone := map[string]bool{}
	totalCalls, totalChanged := 0, 0
	prev := start
	for day := 1; day <= 30; day++ {
		cur := start.AddDate(0, 0, day)
		e.sim.SetClock(cur)
		before := len(e.sim.Requests())
		if day == 30 {
			opts.Lookback = 48 * time.Hour // re-reads two days: fetches nothing more
		}
		sum := e.extract(t, opts)
		if day == 30 {
			for _, id := range e.sim.GoneIDs() {
				gone[id] = true
			}
		}
		reqs := e.sim.Requests()[before:]
		got := served(reqs)
		var want []key
		for _, kind := range kinds {
			want = append(want, keysOf(kind, e.sim.ChangedIDs(kind, prev, cur))...)
		}
		if !slices.Equal(sortedKeys(got), keyStrings(want)) {
			t.Fatalf("day %d: fetched %v\nwant %v", day, sortedKeys(got), keyStrings(want))
		}
		for k, n := range got {
			if n != 1 {
				t.Fatalf("day %d: %v fetched %d times", day, k, n)
			}
		}
		pages := 3 // a changes page per kind, and the night's taxonomy
		if day == 30 {
			pages = 7 // the look-back, cut at the last two runs' ends, per kind
		}
		if len(reqs) != len(want)+pages || sum.Calls.Total != len(reqs) {
			t.Fatalf("day %d: %d calls for %d changed items (summary %d)", day, len(reqs), len(want), sum.Calls.Total)
		}
		for _, kind := range kinds {
			if wm := sum.Watermarks[kind]; !wm.Equal(cur) {
				t.Fatalf("day %d: %s watermark %v, want %v", day, kind, wm, cur)
			}
		}
		if sum.Items.Gone+sum.Items.New+sum.Items.Changed != len(want) {
			t.Fatalf("day %d: items %+v for %d changed", day, sum.Items, len(want))
		}
		totalCalls += len(reqs)
		totalChanged += len(want)
		prev = cur
	}
	// Gone IDs named by the feed are archived as 404s.
	v := readArchive(t, e.root)
	recorded := 0
	for k := range v.gone {
		if !gone[k.id] {
			t.Fatalf("%v archived as gone but the simulator serves it", k)
		}
		recorded++
	}
	if recorded == 0 {
		t.Fatal("no gone ID was named by the feed in 30 days: the test proves nothing about 404s")
	}
	t.Logf("30 nightly runs: %d calls for %d changed items = %.3f calls per changed item; %d gone",
		totalCalls, totalChanged, float64(totalCalls)/float64(totalChanged), recorded)
}

// closure computes the clinics scope from the simulator's own bodies at its
// current clock: the mapped locations, everything reachable through
// predecessor/successor relationships and inherited ratings, and the
// providers of all of them.
func closure(t *testing.T, sim *cqcsim.Sim, seeds []string) map[key]bool {
	t.Helper()
	out := map[key]bool{}
	queue := append([]string(nil), seeds...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		k := key{kindLocation, id}
		if out[k] {
			continue
		}
		out[k] = true
		body, ok := sim.LocationBody(id)
		if !ok {
			continue
		}
		var loc schemas.Location
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatal(err)
		}
		if loc.ProviderID != nil {
			out[key{kindProvider, *loc.ProviderID}] = true
		}
		for _, r := range loc.Relationships {
			queue = append(queue, r.RelatedLocationID)
		}
		add := func(p *string) {
			if p != nil {
				queue = append(queue, *p)
			}
		}
		if cr := loc.CurrentRatings; cr != nil {
			if cr.Overall != nil {
				add(cr.Overall.OrganisationID)
				for _, kq := range cr.Overall.KeyQuestionRatings {
					add(kq.OrganisationID)
				}
			}
			for _, sr := range cr.ServiceRatings {
				add(sr.OrganisationID)
			}
		}
		for _, h := range loc.HistoricRatings {
			add(h.OrganisationID)
		}
	}
	return out
}

// pickClinics finds mapped locations that exercise the closure: some with
// predecessors (re-registrations, inherited ratings), one old location with a
// successor, and plain ones.
func pickClinics(t *testing.T, sim *cqcsim.Sim) []string {
	t.Helper()
	var withPred, withSucc, plain []string
	for _, id := range sim.LocationIDs() {
		body, _ := sim.LocationBody(id)
		var loc schemas.Location
		if json.Unmarshal(body, &loc) != nil {
			continue
		}
		switch {
		case slices.ContainsFunc(loc.Relationships, func(r schemas.LocationRelationship) bool { return r.Type == "HSCA Successor" }):
			withSucc = append(withSucc, id)
		case len(loc.Relationships) > 0:
			withPred = append(withPred, id)
		default:
			plain = append(plain, id)
		}
	}
	if len(withPred) < 3 || len(withSucc) < 1 || len(plain) < 2 {
		t.Fatalf("simulator has too little lineage: %d with predecessors, %d with successors", len(withPred), len(withSucc))
	}
	return []string{withPred[0], withPred[len(withPred)/2], withPred[len(withPred)-1], withSucc[0], plain[0], plain[1]}
}

func writeClinics(t *testing.T, dir string, ids []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("clinic_id,cqc_location_id,name\n")
	for i, id := range ids {
		fmt.Fprintf(&b, "c%d,%s,Clinic %d\n", i, id, i)
	}
	p := filepath.Join(dir, "clinics.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The clinics scope fetches exactly the closure, each item once; later runs
// fetch only what the changes feed names in it (and new members).
func TestClinicsScopeFetchesExactlyTheClosure(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 21, Locations: 3000, Days: 30})
	_, end := e.sim.History()
	start := end.AddDate(0, 0, -30)
	e.sim.SetClock(start)
	seeds := pickClinics(t, e.sim)
	opts := e.options()
	opts.Scope, opts.ClinicsFile = ScopeClinics, writeClinics(t, t.TempDir(), seeds)

	sum := e.extract(t, opts)
	want := closure(t, e.sim, seeds)
	got := served(e.sim.Requests())
	if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Fatalf("fetched %v\nwant the closure %v", sortedKeys(got), sortedKeys(want))
	}
	for k, n := range got {
		if n != 1 {
			t.Fatalf("%v fetched %d times", k, n)
		}
	}
	// One call more: the inspection-area taxonomy.
	if len(want) <= len(seeds)+2 || !sum.Backfill.Complete || sum.Calls.Total != len(want)+1 {
		t.Fatalf("closure of %d items, %d calls, backfill %+v", len(want), sum.Calls.Total, sum.Backfill)
	}

	// Same clock: nothing to do, no call.
	before := len(e.sim.Requests())
	if sum := e.extract(t, opts); sum.Calls.Total != 0 || len(e.sim.Requests()) != before {
		t.Fatalf("a run with nothing to do made %d calls", sum.Calls.Total)
	}

	// Thirty days on: the changed members of the (new) closure, and members
	// never archived; nothing else.
	archivedBefore := readArchive(t, e.root)
	e.sim.SetClock(end)
	before = len(e.sim.Requests())
	e.extract(t, opts)
	got = served(e.sim.Requests()[before:])
	changed := map[key]bool{}
	for _, kind := range kinds {
		for _, id := range e.sim.ChangedIDs(kind, start, end) {
			changed[key{kind, id}] = true
		}
	}
	want = map[key]bool{}
	for k := range closure(t, e.sim, seeds) {
		if changed[k] || (archivedBefore.good[k] == 0 && archivedBefore.gone[k] == 0) {
			want[k] = true
		}
	}
	if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Fatalf("changes run fetched %v\nwant %v", sortedKeys(got), sortedKeys(want))
	}
}

// A filtered scope is the locations the list returns for the filters, and
// their providers.
func TestFilteredScope(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 31, Locations: 800})
	opts := e.options()
	opts.Filters = Filters{Region: []string{"London"}, CareHome: []string{"Y"}}
	e.extract(t, opts)
	want := map[key]bool{}
	for _, id := range e.sim.LocationIDs() {
		body, _ := e.sim.LocationBody(id)
		var loc schemas.Location
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatal(err)
		}
		if loc.Region != nil && *loc.Region == "London" && loc.CareHome != nil && *loc.CareHome == "Y" {
			want[key{kindLocation, id}] = true
			if loc.ProviderID != nil {
				want[key{kindProvider, *loc.ProviderID}] = true
			}
		}
	}
	got := served(e.sim.Requests())
	if len(want) < 5 || !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Fatalf("fetched %v\nwant %v", sortedKeys(got), sortedKeys(want))
	}
	var listQueries []string
	for _, r := range e.sim.Requests() {
		if r.Path == "/public/v1/locations" {
			listQueries = append(listQueries, r.Query)
		}
	}
	if len(listQueries) == 0 || !strings.Contains(listQueries[0], "region=London") || !strings.Contains(listQueries[0], "careHome=Y") {
		t.Fatalf("filters not passed to the list: %v", listQueries)
	}
}

// What resolve asks for is fetched once, whatever the scope; an ID with
// lower-case letters is retried upper-cased after the API's 400.
func TestWantedIDsAndUpperCaseRetry(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 41, Locations: 2000})
	var ods string
	for _, id := range e.sim.LocationIDs() {
		if !strings.HasPrefix(id, "1-") {
			ods = id
			break
		}
	}
	if ods == "" {
		t.Fatal("simulator has no ODS-coded location")
	}
	plain := e.sim.LocationIDs()[0]
	prov := e.sim.ProviderIDs()[0]
	w := wanted.List{GeneratedAt: "2026-11-21T02:00:00Z", Locations: []string{strings.ToLower(ods)}, Providers: []string{prov}}
	b, _ := json.Marshal(w)
	if err := os.MkdirAll(filepath.Dir(wanted.Path(e.root)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wanted.Path(e.root), b, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := e.options()
	opts.Scope, opts.ClinicsFile = ScopeClinics, writeClinics(t, t.TempDir(), []string{plain})
	e.extract(t, opts)
	var saw400, saw200 bool
	for _, r := range e.sim.Requests() {
		switch r.Path {
		case "/public/v1/locations/" + strings.ToLower(ods):
			saw400 = r.Status == 400
		case "/public/v1/locations/" + ods:
			saw200 = r.Status == 200
		}
	}
	v := readArchive(t, e.root)
	if !saw400 || !saw200 || v.good[key{kindLocation, ods}] != 1 || v.good[key{kindProvider, prov}] != 1 {
		t.Fatalf("400 then upper-cased 200: %v %v; archived %d, provider %d", saw400, saw200,
			v.good[key{kindLocation, ods}], v.good[key{kindProvider, prov}])
	}
	before := len(e.sim.Requests())
	e.extract(t, opts)
	if n := len(e.sim.Requests()) - before; n != 0 {
		t.Fatalf("wanted IDs fetched again: %d calls", n)
	}
}

// The subscription key goes to the API and nowhere else: not the archive,
// the state, the summary, the logs (even at Debug) or the errors.
func TestKeyNeverWrittenOrLogged(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-5f0c2a9e71d84b3c"
	e := newSimEnv(t, cqcsim.Config{Seed: 51, Locations: 40, APIKeys: []string{secret},
		Faults: cqcsim.Faults{Seed: 1, Status5xx: 0.2, Truncate: 0.2, Gateway403: 0.1}})
	opts := e.options()
	opts.Client.APIKey = secret
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Logger = log
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.SetFaults(cqcsim.Faults{Unauthorized: true}) //nolint:misspell // the simulator's field
	e.sim.SetClock(e.sim.Clock().Add(time.Hour))       // a later full refresh
	opts.Mode = ModeBackfill
	opts.Logger = log
	sum2, err2 := Run(context.Background(), opts)
	if !errors.Is(err2, ErrUnauthorized) {
		t.Fatalf("err = %v, summary %+v", err2, sum2)
	}
	sent := false
	for _, r := range e.sim.Requests() {
		sent = sent || r.Key == secret
	}
	if !sent {
		t.Fatal("the key was not sent")
	}
	var everything bytes.Buffer
	everything.Write(logs.Bytes())
	everything.WriteString(err2.Error())
	for _, s := range []Summary{sum, sum2} {
		j, _ := json.Marshal(s)
		everything.Write(j)
		s.WriteText(&everything)
	}
	filepath.WalkDir(e.root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			everything.Write(b)
		}
		return nil
	})
	for _, r := range readArchive(t, e.root).records { // decompressed
		j, _ := json.Marshal(r)
		everything.Write(j)
	}
	if bytes.Contains(everything.Bytes(), []byte(secret)) {
		t.Fatal("the API key leaked into logs, errors, summary, state or archive")
	}
	if !strings.Contains(logs.String(), "cqc call") {
		t.Fatal("debug logging was not exercised")
	}
}

// Cancelling the context drains: calls in flight finish and are archived,
// progress is saved, and the next run loses nothing.
func TestCancelDrainsAndResumes(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 61, Locations: 300, Faults: cqcsim.Faults{LatencyMin: 5 * time.Millisecond, LatencyMax: 20 * time.Millisecond}})
	opts := e.options()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(e.sim.Requests()) < 80 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	opts.Logger = testLogger(t)
	sum, err := Run(ctx, opts)
	if !errors.Is(err, context.Canceled) || sum.Outcome != OutcomeCancelled {
		t.Fatalf("err %v, outcome %s", err, sum.Outcome)
	}
	// Every answer the server gave before the stop is in the archive.
	v := readArchive(t, e.root)
	for _, r := range e.sim.Requests() {
		if k, ok := detailKey(r.Path); ok && r.Status == 200 && v.good[k] == 0 {
			t.Fatalf("%v answered but not archived: the drain cut it", k)
		}
	}
	e.extract(t, opts)
	for k, n := range served(e.sim.Requests()) {
		if n != 1 {
			t.Fatalf("%v fetched %d times", k, n)
		}
	}
}

// childEnv passes the kill test's settings to the child process.
const childEnv = "CARELAKE_CQC_EXTRACT_CHILD"

type childSettings struct {
	Root, BaseURL  string
	RateLimit      int
	Window, Margin time.Duration // default 1 s and the default margin
	Clock          time.Time     // the simulator's data clock
	ClinicsFile    string        // set: --scope clinics
	Reports        ReportsMode
}

// TestExtractChildProcess is the extract process TestKill9MidBackfill
// starts and kills; on its own it does nothing.
func TestExtractChildProcess(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		t.Skip("helper process of TestKill9MidBackfillThenResume")
	}
	var s childSettings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: s.Root, Client: ClientOptions{BaseURL: s.BaseURL, APIKey: cqcsim.DefaultAPIKey,
		RateLimit: s.RateLimit, RateWindow: cmp.Or(s.Window, time.Second), RateMargin: s.Margin, Concurrency: 8}, PerPage: 100,
		Now: func() time.Time { return s.Clock }, Reports: s.Reports}
	if s.ClinicsFile != "" {
		opts.Scope, opts.ClinicsFile = ScopeClinics, s.ClinicsFile
	}
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	if _, err := Run(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// killChild runs an extract process with settings s against e's simulator
// and kills it with SIGKILL once until() is true.
func killChild(t *testing.T, s childSettings, until func() bool) {
	t.Helper()
	settings, _ := json.Marshal(s)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestExtractChildProcess$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(settings))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !until() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("child made too few calls; stderr:\n%s", stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// kill -9 of a real process mid-backfill, then a rerun: no item is fetched
// twice except those whose answer was in flight at the kill, none is missed.
func TestKill9MidBackfillThenResume(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 71, Locations: 600})
	killChild(t, childSettings{Root: e.root, BaseURL: e.base, RateLimit: 300, Clock: e.sim.Clock()},
		func() bool { return len(served(e.sim.Requests())) >= 250 })
	time.Sleep(50 * time.Millisecond) // let the server finish answering the cut calls
	firstRun := e.sim.Requests()
	if len(served(firstRun)) >= len(e.sim.LocationIDs())+len(e.sim.ProviderIDs()) {
		t.Fatal("the child finished before the kill: the test proves nothing")
	}
	// In flight at the kill: answered by the server, not in the archive.
	afterKill := readArchive(t, e.root)
	inFlight := map[key]bool{}
	for k := range served(firstRun) {
		if afterKill.good[k] == 0 && afterKill.gone[k] == 0 {
			inFlight[k] = true
		}
	}
	if len(inFlight) > 8 {
		t.Fatalf("%d answers lost at the kill, concurrency is 8: %v", len(inFlight), sortedKeys(inFlight))
	}

	opts := e.options()
	opts.PerPage = 100
	sum := e.extract(t, opts)
	if !sum.Backfill.Complete {
		t.Fatalf("rerun: %+v", sum)
	}
	for k, n := range served(e.sim.Requests()) {
		if n > 1 && !inFlight[k] {
			t.Fatalf("%v fetched %d times but was archived before the kill", k, n)
		}
	}
	v := readArchive(t, e.root)
	for _, k := range append(keysOf(kindLocation, e.sim.LocationIDs()), keysOf(kindProvider, e.sim.ProviderIDs())...) {
		if v.good[k] == 0 {
			t.Fatalf("%v missed", k)
		}
	}
	t.Logf("killed after %d answers; %d in flight; rerun made %d calls", len(served(firstRun)), len(inFlight), sum.Calls.Total)
}

// budgetKept fails t if the simulator saw more than limit calls in any
// window or throttled any call.
func budgetKept(t *testing.T, sim *cqcsim.Sim, limit int, window time.Duration) {
	t.Helper()
	reqs := sim.Requests()
	throttled := 0
	for _, r := range reqs {
		if r.Throttled {
			throttled++
		}
	}
	if got := cqcsim.MaxInWindow(reqs, window); got > limit || throttled > 0 {
		t.Fatalf("the simulator saw %d calls in one %v window (budget %d) and throttled %d of %d",
			got, window, limit, throttled, len(reqs))
	}
}

// A rerun started at once after a run was stopped counts the stopped run's
// calls still inside the window: together they never exceed the budget in
// any window the simulator sees, and nothing is throttled.
func TestRerunAfterStopKeepsTheBudget(t *testing.T) {
	t.Parallel()
	const limit, window = 30, 2 * time.Second
	e := newSimEnv(t, cqcsim.Config{Seed: 15, Locations: 300, RateLimit: limit, RateWindow: window})
	opts := e.options()
	opts.Client.RateLimit, opts.Client.RateWindow = limit, window
	opts.Client.RateMargin = 500 * time.Millisecond // see TestBackfillNeverExceedsTheBudget
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(e.sim.Requests()) < limit*3/4 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	opts.Logger = testLogger(t)
	if sum, err := Run(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v, outcome %s", err, sum.Outcome)
	}
	first := len(e.sim.Requests())
	opts.MaxCalls = limit // a whole window's worth: it must wait for the first run's calls
	sum := e.extract(t, opts)
	if sum.Calls.Total != limit || sum.Budget.BusiestWindowCalls > limit {
		t.Fatalf("rerun: %d calls, busiest window %d", sum.Calls.Total, sum.Budget.BusiestWindowCalls)
	}
	budgetKept(t, e.sim, limit, window)
	t.Logf("first run %d calls, rerun %d", first, sum.Calls.Total)
}

// The same after a kill -9: the calls the killed process had in flight were
// never archived, and the rerun counts them too.
func TestRerunAfterKill9KeepsTheBudget(t *testing.T) {
	t.Parallel()
	const limit, window, margin = 40, 2 * time.Second, 500 * time.Millisecond
	e := newSimEnv(t, cqcsim.Config{Seed: 75, Locations: 300, RateLimit: limit, RateWindow: window,
		Faults: cqcsim.Faults{LatencyMin: 20 * time.Millisecond, LatencyMax: 60 * time.Millisecond}})
	killChild(t, childSettings{Root: e.root, BaseURL: e.base, RateLimit: limit, Window: window, Margin: margin, Clock: e.sim.Clock()},
		func() bool { return len(e.sim.Requests()) >= limit*3/4 })
	first := len(e.sim.Requests())
	opts := e.options()
	opts.PerPage = 100
	opts.Client.RateLimit, opts.Client.RateWindow, opts.Client.RateMargin = limit, window, margin
	opts.MaxCalls = limit
	sum := e.extract(t, opts)
	if sum.Calls.Total != limit {
		t.Fatalf("rerun: %d calls", sum.Calls.Total)
	}
	budgetKept(t, e.sim, limit, window)
	t.Logf("killed after %d calls, rerun %d", first, sum.Calls.Total)
}

// The archive URL of a call is relative to the base and carries no key.
func TestArchivedURLsAreRelative(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 81, Locations: 20})
	e.extract(t, e.options())
	for _, r := range readArchive(t, e.root).records {
		u, err := url.Parse(r.URL)
		if err != nil || u.Host != "" || !strings.HasPrefix(r.URL, "/") || strings.Contains(r.URL, "public/v1") {
			t.Fatalf("archived URL %q", r.URL)
		}
		if r.Endpoint == archive.EndpointLocation && (r.ID == "" || r.URL != "/locations/"+r.ID) {
			t.Fatalf("record %+v", r)
		}
		if r.Headers["Content-Type"] == "" || r.DurationMS <= 0 || r.Attempt < 1 || r.FetchedAt.IsZero() {
			t.Fatalf("record not filled: %+v", r)
		}
	}
}

// An item whose every try fails is recorded, reported and retried first by
// the next run; never silently skipped.
func TestFailedItemsAreRetriedNextRun(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 91, Locations: 100})
	opts := e.options()
	// First the taxonomy and the two list pages alone (pages go before
	// details), so that the faults below hit only detail calls.
	opts.MaxCalls = 3
	if sum := e.extract(t, opts); sum.Outcome != OutcomeBudgetCalls || sum.Calls.ListPages != 2 {
		t.Fatalf("list walk: %+v", sum)
	}
	e.sim.SetFaults(cqcsim.Faults{Seed: 3, Status5xx: 0.5})
	opts.MaxCalls, opts.Client.MaxAttempts = 0, 2
	sum := e.extract(t, opts)
	st, err := LoadState(e.root)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, kind := range kinds {
		for id, f := range st.Scopes["all"].Kinds[kind].Failed {
			if f.Runs != 1 || f.LastStatus < 500 || !strings.Contains(f.LastError, "after 2 tries") {
				t.Fatalf("failed item %s recorded as %+v", id, f)
			}
			failed = append(failed, kind+"/"+id)
		}
	}
	sort.Strings(failed)
	if len(failed) == 0 || sum.Items.Failed != len(failed) || sum.Outcome != OutcomePartial ||
		!slices.Equal(sum.Items.FailedIDs, failed) {
		t.Fatalf("failed %v; summary %+v", failed, sum.Items)
	}

	e.sim.SetFaults(cqcsim.Faults{})
	before := len(e.sim.Requests())
	sum2 := e.extract(t, opts)
	got := served(e.sim.Requests()[before:])
	if !slices.Equal(sortedKeys(got), failed) || sum2.Outcome != OutcomeComplete {
		t.Fatalf("rerun fetched %v, want the failed %v (outcome %s)", sortedKeys(got), failed, sum2.Outcome)
	}
	if st, _ := LoadState(e.root); len(st.Scopes["all"].Kinds[kindLocation].Failed)+len(st.Scopes["all"].Kinds[kindProvider].Failed) != 0 {
		t.Fatal("failed items still recorded after they were archived")
	}
}

// A base URL without /public/v1 gets 404 for every list call: the error
// says so and what to fix, and the summary claims no progress it did not
// make.
func TestWrongBaseURLSaysWhatTheAPIAnswered(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, cqcsim.Config{Seed: 93, Locations: 20})
	opts := e.options()
	opts.Client.BaseURL = e.srv.URL // no /public/v1
	opts.Logger = testLogger(t)
	sum, err := Run(context.Background(), opts)
	want := "the CQC API answered 404 Not Found for /inspection-areas (every list call): check --cqc-base-url; it should end in /public/v1"
	if !errors.Is(err, ErrRefused) || err.Error() != want || sum.Outcome != OutcomeFailed || sum.Error != want {
		t.Fatalf("err %v, outcome %s", err, sum.Outcome)
	}
	var text bytes.Buffer
	sum.WriteText(&text)
	if sum.Backfill.RemainingCalls != 0 || len(sum.Watermarks) != 0 ||
		strings.Contains(text.String(), "calls to go") || strings.Contains(text.String(), "archived up to") {
		t.Fatalf("a failed run claims progress:\n%s", text.String())
	}
}

// A key whose every call is throttled: the error says the API refused the
// calls with 429, not that it could not be reached.
func TestEveryCallThrottledSaysSo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	opts := Options{Root: t.TempDir(), Client: ClientOptions{BaseURL: srv.URL + "/public/v1", APIKey: "test-key-123",
		RetryBase: time.Millisecond, RetryMax: 2 * time.Millisecond}}
	opts.Logger = slog.New(slog.DiscardHandler)
	sum, err := Run(context.Background(), opts)
	want := "the CQC API refused every call with 429 (rate limited): another client may be using this key, or wait a minute and run again"
	if !errors.Is(err, ErrRefused) || err.Error() != want || sum.Outcome != OutcomeFailed || sum.Calls.Throttled == 0 {
		t.Fatalf("err %v, outcome %s, %d throttled", err, sum.Outcome, sum.Calls.Throttled)
	}
}

// Nothing listens at the address: the run fails within a few seconds with
// the default retry settings (which back off for half a minute otherwise).
func TestConnectionRefusedFailsFast(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(nil)
	base := srv.URL + "/public/v1"
	srv.Close() // connection refused from now on
	opts := Options{Root: t.TempDir(), Client: ClientOptions{BaseURL: base, APIKey: "test-key-123"}}
	opts.Logger = testLogger(t)
	sum, err := Run(context.Background(), opts)
	if !errors.Is(err, ErrUnreachable) || sum.Outcome != OutcomeFailed || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err %v, outcome %s", err, sum.Outcome)
	}
	// At most refusedAttempts tries per worker: the short backoff between
	// them, not the default schedule of half a minute (no wall-clock check:
	// the attempts are what decides the time).
	if sum.Calls.Total > 3*DefaultConcurrency(DefaultRateLimit, DefaultRateWindow) {
		t.Fatalf("%d calls", sum.Calls.Total)
	}
}

// A run in which no call is answered is an error, not a quiet success.
func TestUnreachableIsAnError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(nil)
	base := srv.URL + "/public/v1"
	srv.Close() // connection refused from now on
	opts := Options{Root: t.TempDir(), Client: ClientOptions{BaseURL: base, APIKey: "test-key-123",
		RetryBase: time.Millisecond, RetryMax: 2 * time.Millisecond, MaxAttempts: 2}}
	opts.Logger = testLogger(t)
	sum, err := Run(context.Background(), opts)
	if !errors.Is(err, ErrUnreachable) || sum.Outcome != OutcomeFailed || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err %v, outcome %s", err, sum.Outcome)
	}
}
