package cqcsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carelake/schemas"
)

func TestAuthAndUserAgent(t *testing.T) {
	s, c := testSim(t, Config{Locations: 5, APIKeys: []string{"k1", "k2"}})
	c.key = ""
	r := c.get("/locations")
	var e schemas.APIError
	if r.status != 401 || json.Unmarshal(r.body, &e) != nil || e.StatusCode != 401 || !strings.Contains(e.Message, "missing subscription key") {
		t.Fatalf("no key: %d %s", r.status, r.body)
	}
	c.key = "secret-real-key"
	r = c.get("/locations")
	if r.status != 401 || !bytes.Contains(r.body, []byte("invalid subscription key")) {
		t.Fatalf("wrong key: %d %s", r.status, r.body)
	}
	c.key = "k2"
	if r = c.get("/locations"); r.status != 200 {
		t.Fatalf("second key: %d", r.status)
	}
	c.key = ""
	if r = c.get("/locations?subscription-key=k1&perPage=1"); r.status != 200 {
		t.Fatalf("key as query parameter: %d %s", r.status, r.body)
	}
	c.key, c.ua = "k1", ""
	r = c.get("/locations")
	if r.status != 403 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("no User-Agent: %d %s", r.status, r.body)
	}
	reqs := s.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests logged, want 5", len(reqs))
	}
	for _, r := range reqs {
		if r.Key == "secret-real-key" || strings.Contains(r.Query, "k1") {
			t.Fatalf("a key leaked into the request log: %+v", r)
		}
	}
	if reqs[1].Key != "(invalid)" || reqs[0].Key != "" || reqs[2].Key != "k2" || reqs[3].Key != "k1" || reqs[3].Query != "perPage=1" {
		t.Fatalf("keys logged as %q %q %q %q (query %q)", reqs[0].Key, reqs[1].Key, reqs[2].Key, reqs[3].Key, reqs[3].Query)
	}
	for i, r := range reqs {
		if r.Admitted != (i == 2 || i == 3) {
			t.Fatalf("request %d admitted=%v", i, r.Admitted)
		}
	}
}

// TestLimiterPrecision: with 100 calls per 60 s, the 101st call inside the
// window is refused, refused calls consume nothing, and the first call
// after the oldest admitted one leaves the window is admitted.
func TestLimiterPrecision(t *testing.T) {
	clock := newFakeClock()
	s, c := testSim(t, Config{Locations: 5, Now: clock.Now})
	t0 := clock.Now()
	for i := 0; i < 100; i++ {
		if r := c.get("/inspection-areas"); r.status != 200 {
			t.Fatalf("call %d: %d", i+1, r.status)
		}
		clock.Advance(100 * time.Millisecond)
	}
	// Now t0+10s: the 101st call, and 50 more refused ones up to t0+59.9s.
	for i := 0; i < 50; i++ {
		r := c.get("/inspection-areas")
		wait := int(t0.Add(time.Minute).Sub(clock.Now()).Seconds() + 0.999)
		if r.status != 429 || r.header.Get("Retry-After") != strconv.Itoa(max(wait, 1)) {
			t.Fatalf("refused call at +%s: %d Retry-After %q, want 429 and %d", clock.Now().Sub(t0), r.status, r.header.Get("Retry-After"), wait)
		}
		var e schemas.APIError
		if json.Unmarshal(r.body, &e) != nil || e.Message != "Rate limit is exceeded. Try again in "+r.header.Get("Retry-After")+" seconds." {
			t.Fatalf("429 body %s", r.body)
		}
		clock.Set(t0.Add(10*time.Second + time.Duration(i)*998*time.Millisecond))
	}
	clock.Set(t0.Add(time.Minute - time.Nanosecond))
	if r := c.get("/inspection-areas"); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("1 ns before the first call leaves the window: %d Retry-After %s", r.status, r.header.Get("Retry-After"))
	}
	clock.Set(t0.Add(time.Minute)) // the first call (at t0) has left (t0+60s-W, t0+60s]
	if r := c.get("/inspection-areas"); r.status != 200 {
		t.Fatalf("first call after the window: %d", r.status)
	}
	if r := c.get("/inspection-areas"); r.status != 429 {
		t.Fatalf("the second call at t0+60s should wait for the call at t0+0.1s: %d", r.status)
	}
	clock.Set(t0.Add(time.Minute + 100*time.Millisecond))
	if r := c.get("/inspection-areas"); r.status != 200 {
		t.Fatalf("at t0+60.1s: %d", r.status)
	}
	st := s.Stats()
	// Sent in the busiest minute [t0+0.1s, t0+60.1s): 99 + 50 + 1 + 2.
	if st.Requests != 154 || st.Admitted != 102 || st.Throttled != 52 || st.ByKey[DefaultAPIKey].MaxInWindow != 152 {
		t.Fatalf("stats %+v", st)
	}
	admitted := slices.DeleteFunc(s.Requests(), func(r Request) bool { return !r.Admitted })
	if got := MaxInWindow(admitted, time.Minute); got != 100 {
		t.Fatalf("admitted calls in the busiest minute: %d, want 100", got)
	}
	// /_sim/stats over HTTP says the same, and control calls are not logged.
	var hst Stats
	c.getJSON("/_sim/stats", &hst)
	if hst.Requests != st.Requests || hst.ByKey[DefaultAPIKey].Admitted != 102 || hst.RateLimit != 100 || hst.RateWindowSeconds != 60 {
		t.Fatalf("/_sim/stats %+v", hst)
	}
	var reqs []Request
	c.getJSON("/_sim/requests", &reqs)
	if len(reqs) != st.Requests || reqs[100].Status != 429 || !reqs[100].Throttled || reqs[0].Path != "/public/v1/inspection-areas" {
		t.Fatalf("/_sim/requests: %d, [100] %+v", len(reqs), reqs[100])
	}
}

func TestLimiterIsPerKeyAndConfigurable(t *testing.T) {
	clock := newFakeClock()
	_, c := testSim(t, Config{Locations: 5, Now: clock.Now, RateLimit: 3, RateWindow: 10 * time.Second, APIKeys: []string{"a", "b"}})
	for _, key := range []string{"a", "b"} {
		c.key = key
		for i := 0; i < 3; i++ {
			if r := c.get("/inspection-areas"); r.status != 200 {
				t.Fatalf("key %s call %d: %d", key, i, r.status)
			}
		}
		if r := c.get("/inspection-areas"); r.status != 429 || r.header.Get("Retry-After") != "10" {
			t.Fatalf("key %s 4th call: %d %s", key, r.status, r.header.Get("Retry-After"))
		}
	}
	clock.Advance(10 * time.Second)
	if r := c.get("/inspection-areas"); r.status != 200 {
		t.Fatalf("after the window: %d", r.status)
	}
}

func TestThrottleModes(t *testing.T) {
	for _, mode := range ThrottleModes {
		t.Run(string(mode), func(t *testing.T) {
			clock := newFakeClock()
			_, c := testSim(t, Config{Locations: 5, Now: clock.Now, RateLimit: 1, Throttle: mode})
			c.get("/inspection-areas")
			clock.Advance(15 * time.Second)
			r := c.get("/inspection-areas")
			var e schemas.APIError
			if err := json.Unmarshal(r.body, &e); err != nil || e.StatusCode != 429 || e.Message != "Rate limit is exceeded. Try again in 45 seconds." {
				t.Fatalf("body %s", r.body)
			}
			switch mode {
			case Throttle429:
				if r.status != 429 || r.header.Get("Retry-After") != "45" {
					t.Fatalf("%d Retry-After %q", r.status, r.header.Get("Retry-After"))
				}
			case Throttle429NoRetryAfter:
				if r.status != 429 || r.header.Get("Retry-After") != "" {
					t.Fatalf("%d Retry-After %q", r.status, r.header.Get("Retry-After"))
				}
			case ThrottleSoft:
				if r.status != 200 || r.header.Get("Retry-After") != "" {
					t.Fatalf("%d Retry-After %q", r.status, r.header.Get("Retry-After"))
				}
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Run("5xx", func(t *testing.T) {
		s, c := testSim(t, unlimited(Config{Locations: 5, Faults: Faults{Status5xx: 1}}))
		seen := map[int]bool{}
		for i := 0; i < 40; i++ {
			r := c.get("/locations")
			seen[r.status] = true
			if r.status == 502 && !bytes.Contains(r.body, []byte("Microsoft-Azure-Application-Gateway/v2")) {
				t.Fatalf("502 page: %s", r.body)
			}
		}
		if len(seen) != 4 || !seen[500] || !seen[502] || !seen[503] || !seen[504] {
			t.Fatalf("statuses %v, want a mix of 500, 502, 503 and 504", seen)
		}
		for _, r := range s.Requests() {
			if !r.Admitted || r.Fault != "5xx" {
				t.Fatalf("5xx answers are admitted calls: %+v", r)
			}
		}
	})
	t.Run("gateway 403", func(t *testing.T) {
		_, c := testSim(t, Config{Locations: 5, Faults: Faults{Gateway403: 1}})
		c.key = "" // the gateway answers before the key check
		r := c.get("/locations")
		if r.status != 403 || r.header.Get("Content-Type") != "text/html" || !bytes.Contains(r.body, []byte("Microsoft-Azure-Application-Gateway/v2")) {
			t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
	t.Run("throttle storm", func(t *testing.T) {
		_, c := testSim(t, unlimited(Config{Locations: 5, Faults: Faults{Throttle: 1}}))
		for i := 0; i < 10; i++ {
			r := c.get("/locations")
			n, err := strconv.Atoi(r.header.Get("Retry-After"))
			if r.status != 429 || err != nil || n < 1 || n > 5 {
				t.Fatalf("%d Retry-After %q", r.status, r.header.Get("Retry-After"))
			}
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s, c := testSim(t, unlimited(Config{Locations: 50, Faults: Faults{Truncate: 1}}))
		for _, id := range s.LocationIDs()[:10] {
			full, _ := s.LocationBody(id)
			r := c.get("/locations/" + id) // the client checked Content-Length: a short read would fail
			if r.status != 200 || len(r.body) >= len(full) || !bytes.HasPrefix(full, r.body) || json.Valid(r.body) {
				t.Fatalf("%s: %d, %d of %d bytes", id, r.status, len(r.body), len(full))
			}
			if r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
				t.Fatalf("Content-Length %s for %d bytes", r.header.Get("Content-Length"), len(r.body))
			}
		}
		if r := c.get("/locations/1-999"); r.status != 404 || !json.Valid(r.body) {
			t.Fatalf("only 200 bodies are cut: %d %s", r.status, r.body)
		}
	})
	t.Run("latency", func(t *testing.T) {
		_, c := testSim(t, unlimited(Config{Locations: 5, Faults: Faults{LatencyMin: 40 * time.Millisecond, LatencyMax: 60 * time.Millisecond}}))
		for i := 0; i < 3; i++ {
			began := time.Now()
			c.get("/inspection-areas")
			if d := time.Since(began); d < 40*time.Millisecond {
				t.Fatalf("answered in %s", d)
			}
		}
	})
	t.Run("key revoked mid-run", func(t *testing.T) {
		s, c := testSim(t, unlimited(Config{Locations: 5}))
		if r := c.get("/locations"); r.status != 200 {
			t.Fatal(r.status)
		}
		s.SetFaults(Faults{Unauthorized: true}) //nolint:misspell // API field name
		if r := c.get("/locations"); r.status != 401 || !bytes.Contains(r.body, []byte("invalid subscription key")) {
			t.Fatalf("revoked key: %d %s", r.status, r.body)
		}
		s.SetFaults(Faults{})
		if r := c.get("/locations"); r.status != 200 {
			t.Fatal(r.status)
		}
	})
	t.Run("seeded", func(t *testing.T) {
		run := func(seed int64) []int {
			_, c := testSim(t, unlimited(Config{Locations: 5, Faults: Faults{Seed: seed, Status5xx: 0.3, Gateway403: 0.1, Throttle: 0.1, Truncate: 0.2}}))
			var out []int
			for i := 0; i < 60; i++ {
				r := c.get("/locations")
				out = append(out, r.status, len(r.body))
			}
			return out
		}
		a, b, other := run(3), run(3), run(4)
		if !slices.Equal(a, b) {
			t.Fatal("the same fault seed gave different answers")
		}
		if slices.Equal(a, other) {
			t.Fatal("different fault seeds gave the same answers")
		}
		kinds := map[int]bool{}
		for i := 0; i < len(a); i += 2 {
			kinds[a[i]] = true
		}
		if !kinds[200] || !kinds[403] || !kinds[429] || len(kinds) < 5 {
			t.Fatalf("statuses %v: want a mix", kinds)
		}
	})
}

func TestMaxInWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var reqs []Request
	for i := 0; i < 10; i++ {
		reqs = append(reqs, Request{Time: t0.Add(time.Duration(i) * 10 * time.Second), Key: "a"})
	}
	reqs = append(reqs, Request{Time: t0.Add(5 * time.Second), Key: "b"}, Request{Time: t0.Add(6 * time.Second), Key: "b"})
	tests := []struct {
		window time.Duration
		want   int
	}{{time.Second, 1}, {time.Second + 1, 2}, {10 * time.Second, 2}, {10*time.Second + 1, 2}, {60 * time.Second, 6}, {60*time.Second + 1, 7}, {time.Hour, 10}}
	for _, tc := range tests {
		if got := MaxInWindow(reqs, tc.window); got != tc.want {
			t.Errorf("window %s: %d, want %d", tc.window, got, tc.want)
		}
	}
	if MaxInWindow(nil, time.Minute) != 0 {
		t.Error("empty log")
	}
}

func TestControlEndpoints(t *testing.T) {
	s, c := testSim(t, Config{Locations: 5})
	r := c.do(http.MethodPost, "/_sim/clock?t=2026-11-01T00:00:00Z")
	if r.status != 200 || !s.Clock().Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("POST /_sim/clock: %d %s, clock %s", r.status, r.body, s.Clock())
	}
	if r = c.do(http.MethodPost, "/_sim/clock?t=yesterday"); r.status != 400 {
		t.Fatalf("bad clock: %d", r.status)
	}
	var got map[string]time.Time
	c.getJSON("/_sim/clock", &got)
	if !got["clock"].Equal(s.Clock()) {
		t.Fatalf("GET /_sim/clock %v", got)
	}
	if r = c.get("/_sim/nope"); r.status != 404 {
		t.Fatalf("unknown control path: %d", r.status)
	}
	if len(s.Requests()) != 0 {
		t.Fatalf("control calls were logged: %+v", s.Requests())
	}
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{
		{Days: -1}, {RateWindow: -time.Second}, {End: time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC)}, {Throttle: "sometimes"}, {APIKeys: []string{""}},
		{Faults: Faults{Status5xx: 1.5}}, {Faults: Faults{Truncate: -0.1}},
		{Faults: Faults{LatencyMin: time.Second, LatencyMax: time.Millisecond}},
		{FixturesDir: "/nonexistent"}, {FixturesDir: t.TempDir()},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	s, err := New(Config{Locations: -1})
	if err != nil || len(s.LocationIDs()) != 0 {
		t.Fatalf("Locations -1: %v, %d locations", err, len(s.LocationIDs()))
	}
}
