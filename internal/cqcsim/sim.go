package cqcsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"
)

// Sim is one simulated CQC API. It is safe for concurrent use; the data is
// immutable after New and only the clock, the faults, the rate limiter and
// the request log change.
type Sim struct {
	cfg     Config
	w       *world
	log     *slog.Logger
	keys    map[string]bool
	handler http.Handler

	clockMu sync.RWMutex
	clock   time.Time

	movesMu sync.RWMutex
	moves   map[int32]move // MoveLocation

	mu       sync.Mutex // faults, limiter windows and the request log
	faults   Faults
	faultSeq uint64
	windows  map[string][]time.Time // admitted call times per key, oldest first
	reqs     []Request
}

// Request is one call received under /public/v1, in arrival order.
type Request struct {
	// Time is the arrival time by Config.Now.
	Time time.Time `json:"time"`
	// Key is the subscription key sent when it is a configured one,
	// "(invalid)" for any other non-empty key (never stored), "" when absent.
	Key    string `json:"key"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Query is the raw query string, without any subscription-key parameter.
	Query string `json:"query"`
	// Status is the HTTP status sent; 0 while in flight or when the client
	// went away before the (delayed) response.
	Status int `json:"status"`
	// Throttled: refused by the rate limit or a throttle storm (a real or
	// soft 429). Admitted: counted against the key's budget.
	Throttled bool `json:"throttled"`
	Admitted  bool `json:"admitted"`
	// Fault names the injected fault that shaped the answer, if any:
	// "gateway-403", "revoked-key", "throttle", "5xx" or "truncate".
	Fault string `json:"fault,omitempty"`
}

// New generates the register described by cfg (and loads its fixtures).
// Generating 120,000 locations takes about a second.
func New(cfg Config) (*Sim, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	fsys := cfg.Fixtures
	if cfg.FixturesDir != "" {
		if st, err := os.Stat(cfg.FixturesDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: fixtures directory %s: not a readable directory", ErrConfig, cfg.FixturesDir)
		}
		fsys = os.DirFS(cfg.FixturesDir)
	}
	var fixLocs []loc
	var fixProvs []prov
	var fixReports map[string]fixtureReport
	reserved := map[string]struct{}{}
	if fsys != nil {
		if fixLocs, fixProvs, fixReports, err = loadFixtures(fsys); err != nil {
			return nil, err
		}
		for _, l := range fixLocs {
			reserved[l.id] = struct{}{}
		}
		for _, p := range fixProvs {
			reserved[p.id] = struct{}{}
		}
	}
	began := time.Now()
	w := generate(cfg, reserved)
	if fsys != nil {
		w.addFixtures(fixLocs, fixProvs, fixReports, cfg.Logger)
	}
	s := &Sim{cfg: cfg, w: w, log: cfg.Logger, keys: map[string]bool{}, clock: cfg.End,
		faults: cfg.Faults, windows: map[string][]time.Time{}}
	for _, k := range cfg.APIKeys {
		s.keys[k] = true
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.log.Info("cqc simulator ready", "seed", cfg.Seed, "locations", len(s.LocationIDs()), "providers", len(s.ProviderIDs()),
		"fixtures", len(fixLocs)+len(fixProvs), "history_start", time.Unix(w.start, 0).UTC(), "history_end", cfg.End,
		"changes", len(w.feed), "took", time.Since(began).Round(time.Millisecond))
	return s, nil
}

// Handler serves the API under /public/v1/... and the simulator's control
// endpoints under /_sim/... (no key, never rate limited, not logged).
func (s *Sim) Handler() http.Handler { return s.handler }

// SetFaults replaces the injected faults at run time and restarts the
// fault sequence, so decisions after the change reproduce. Out-of-range
// values are clamped (fractions to [0, 1], LatencyMax up to LatencyMin).
func (s *Sim) SetFaults(f Faults) {
	clamp := func(v float64) float64 {
		if math.IsNaN(v) || v < 0 {
			return 0
		}
		return math.Min(v, 1)
	}
	f.Status5xx, f.Gateway403, f.Throttle, f.Truncate = clamp(f.Status5xx), clamp(f.Gateway403), clamp(f.Throttle), clamp(f.Truncate)
	f.LatencyMin = max(f.LatencyMin, 0)
	f.LatencyMax = max(f.LatencyMax, f.LatencyMin)
	s.mu.Lock()
	s.faults, s.faultSeq = f, 0
	s.mu.Unlock()
	s.log.Info("cqc simulator faults changed", "status_5xx", f.Status5xx, "gateway_403", f.Gateway403,
		"throttle", f.Throttle, "truncate", f.Truncate, "latency_min", f.LatencyMin, "latency_max", f.LatencyMax,
		"revoked_key", f.Unauthorized) //nolint:misspell // API field name
}

// SetClock moves the data clock: the API then shows exactly the events
// before t. Config.End (the default) shows all history;
// End.AddDate(0, 0, -Days) shows the state before it.
func (s *Sim) SetClock(t time.Time) {
	s.clockMu.Lock()
	s.clock = t.UTC()
	s.clockMu.Unlock()
	s.log.Info("cqc simulator clock set", "clock", t.UTC())
}

// Clock returns the data clock.
func (s *Sim) Clock() time.Time {
	s.clockMu.RLock()
	defer s.clockMu.RUnlock()
	return s.clock
}

// History returns the span [start, end) of the changes feed.
func (s *Sim) History() (start, end time.Time) {
	return time.Unix(s.w.start, 0).UTC(), time.Unix(s.w.end, 0).UTC()
}

// LocationIDs lists every location a paging walk of /locations returns at
// the current clock, deregistered included, in the API's (lexicographic) order.
func (s *Sim) LocationIDs() []string {
	c := clockSec(s.Clock())
	var ids []string
	for k, i := range s.w.locSorted {
		if s.w.locFrom[k] <= c {
			ids = append(ids, s.w.locs[i].id)
		}
	}
	return ids
}

// ProviderIDs lists every provider /providers returns at the current clock.
func (s *Sim) ProviderIDs() []string { return s.providerIDs(false) }

// UnlistedProviderIDs lists the providers /providers omits at the current
// clock although they are served (Config.UnlistedProviders).
func (s *Sim) UnlistedProviderIDs() []string { return s.providerIDs(true) }

func (s *Sim) providerIDs(unlisted bool) []string {
	c := clockSec(s.Clock())
	var ids []string
	for k, i := range s.w.provSorted {
		if s.w.provFrom[k] <= c && s.unlisted(i) == unlisted {
			ids = append(ids, s.w.provs[i].id)
		}
	}
	return ids
}

// unlisted says whether the /providers list omits generated provider p.
func (s *Sim) unlisted(p int32) bool {
	f := s.cfg.UnlistedProviders
	return f > 0 && s.w.provs[p].fix == nil && unit(hash2(seedBits(s.cfg.Seed)^0x0e1157ed, s.w.provs[p].seed)) < f
}

// ChangedIDs returns exactly what /changes/{kind} returns for [start, end)
// at the current clock (end capped at the clock): sorted, deduplicated.
// kind is "location" or "provider"; any other kind returns nil.
func (s *Sim) ChangedIDs(kind string, start, end time.Time) []string {
	var isP bool
	switch kind {
	case "location":
	case "provider":
		isP = true
	default:
		return nil
	}
	from, to := clockSec(start), min(clockSec(end), clockSec(s.Clock()))
	if isP {
		return s.w.changed(true, from, to)
	}
	return mergeIDs(s.w.changed(false, from, to), s.movedIDs(from, to))
}

// mergeIDs merges two sorted ID lists without repeats.
func mergeIDs(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// changed lists the IDs of one kind with an event in [from, to).
func (w *world) changed(isP bool, from, to int64) []string {
	i := sort.Search(len(w.feed), func(i int) bool { return w.feed[i].at >= from })
	var ids []string
	for ; i < len(w.feed) && w.feed[i].at < to; i++ {
		if ch := w.feed[i]; ch.isP == isP {
			if isP {
				ids = append(ids, w.provs[ch.idx].id)
			} else {
				ids = append(ids, w.locs[ch.idx].id)
			}
		}
	}
	sort.Strings(ids)
	out := ids[:0]
	for k, id := range ids {
		if k == 0 || id != ids[k-1] {
			out = append(out, id)
		}
	}
	return out
}

// GoneIDs lists the IDs (locations and providers) that the changes feed has
// shown by the current clock but that answer 404 on detail, sorted.
func (s *Sim) GoneIDs() []string {
	c := clockSec(s.Clock())
	var ids []string
	for i := range s.w.locs {
		if l := &s.w.locs[i]; l.gone && l.regAt < c {
			ids = append(ids, l.id)
		}
	}
	for i := range s.w.provs {
		if p := &s.w.provs[i]; p.gone && p.regAt < c {
			ids = append(ids, p.id)
		}
	}
	sort.Strings(ids)
	return ids
}

// LocationBody returns the body GET /locations/{id} serves at the current
// clock; ok is false when that call answers 404 (or 400).
func (s *Sim) LocationBody(id string) (body []byte, ok bool) {
	resp := s.locationDetail(id, clockSec(s.Clock()))
	return resp.body, resp.status == http.StatusOK
}

// ProviderBody returns the body GET /providers/{id} serves at the current clock.
func (s *Sim) ProviderBody(id string) (body []byte, ok bool) {
	resp := s.providerDetail(id, clockSec(s.Clock()))
	return resp.body, resp.status == http.StatusOK
}

// TaxonomyBody returns the body GET /inspection-areas serves.
func (s *Sim) TaxonomyBody() []byte { return s.taxonomy().body }

func (s *Sim) taxonomy() response { return jsonResponse(http.StatusOK, globalAreas(nil)) }

// Requests returns every request received so far, in arrival order.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// MaxInWindow returns the most requests made with one key inside any window
// [t, t+window): every request in reqs counts (admitted or not), so a value
// at or under the budget proves the client never sent more than that.
func MaxInWindow(reqs []Request, window time.Duration) int {
	byKey := map[string][]time.Time{}
	for _, r := range reqs {
		byKey[r.Key] = append(byKey[r.Key], r.Time)
	}
	best := 0
	for _, ts := range byKey {
		sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
		lo := 0
		for hi := range ts {
			for ts[hi].Sub(ts[lo]) >= window {
				lo++
			}
			best = max(best, hi-lo+1)
		}
	}
	return best
}

// Stats summarises the request log (GET /_sim/stats serves the same).
type Stats struct {
	Requests          int                 `json:"requests"`
	Admitted          int                 `json:"admitted"`
	Throttled         int                 `json:"throttled"`
	ByStatus          map[string]int      `json:"byStatus"`
	ByKey             map[string]KeyStats `json:"byKey"`
	RateLimit         int                 `json:"rateLimit"`
	RateWindowSeconds float64             `json:"rateWindowSeconds"`
	Clock             time.Time           `json:"clock"`
}

// KeyStats are one key's counts; MaxInWindow is over every request it sent.
type KeyStats struct {
	Requests    int `json:"requests"`
	Admitted    int `json:"admitted"`
	Throttled   int `json:"throttled"`
	MaxInWindow int `json:"maxInWindow"`
}

// Stats returns counts by status and per key, with each key's busiest window.
func (s *Sim) Stats() Stats {
	reqs := s.Requests()
	st := Stats{Requests: len(reqs), ByStatus: map[string]int{}, ByKey: map[string]KeyStats{},
		RateLimit: s.cfg.RateLimit, RateWindowSeconds: s.cfg.RateWindow.Seconds(), Clock: s.Clock()}
	perKey := map[string][]Request{}
	for _, r := range reqs {
		st.ByStatus[fmt.Sprint(r.Status)]++
		if r.Admitted {
			st.Admitted++
		}
		if r.Throttled {
			st.Throttled++
		}
		perKey[r.Key] = append(perKey[r.Key], r)
	}
	for k, rs := range perKey {
		ks := KeyStats{Requests: len(rs), MaxInWindow: MaxInWindow(rs, s.cfg.RateWindow)}
		for _, r := range rs {
			if r.Admitted {
				ks.Admitted++
			}
			if r.Throttled {
				ks.Throttled++
			}
		}
		st.ByKey[k] = ks
	}
	return st
}

// marshal encodes v compactly without HTML escaping ("Yorkshire & Humberside").
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded here; failing is a bug.
		panic(fmt.Sprintf("cqcsim: encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
