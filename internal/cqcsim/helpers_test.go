package cqcsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable wall clock for the limiter and request log.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testSim starts a simulator behind a real loopback HTTP server.
func testSim(t testing.TB, cfg Config) (*Sim, *apiClient) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, &apiClient{t: t, base: srv.URL, key: DefaultAPIKey, ua: "carelake-test/1"}
}

type apiClient struct {
	t       testing.TB
	base    string
	key, ua string
	accept  string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// get calls the API at path (relative to /public/v1 unless it starts with /_sim).
func (c *apiClient) get(path string) reply {
	c.t.Helper()
	return c.do(http.MethodGet, path)
}

func (c *apiClient) do(method, path string) reply {
	c.t.Helper()
	url := c.base + path
	if !strings.HasPrefix(path, "/_sim") && !strings.HasPrefix(path, apiPrefix) {
		url = c.base + apiPrefix + path
	}
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Ocp-Apim-Subscription-Key", c.key)
	}
	req.Header.Set("User-Agent", c.ua) // "" sends no User-Agent at all
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s: %v", path, err)
	}
	return reply{resp.StatusCode, resp.Header, body}
}

// getJSON calls path, requires 200 and decodes the body into v.
func (c *apiClient) getJSON(path string, v any) {
	c.t.Helper()
	r := c.get(path)
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		c.t.Fatalf("GET %s: %v in %s", path, err, r.body)
	}
}

func unlimited(cfg Config) Config {
	cfg.RateLimit = -1
	return cfg
}
