package receiver

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"carelake/data"
	"carelake/internal/careqreplay"
	"carelake/schemas/careqlog"
)

// Test secrets (fake, per clinic).
const (
	tokA1   = "token-clinic-abc-0001-aaaaaaaaaaaaaaaa"
	tokA2   = "token-clinic-abc-0002-bbbbbbbbbbbbbbbb"
	secA1   = "secret-clinic-abc-one-xxxxxxxx"
	secA2   = "secret-clinic-abc-two-yyyyyyyy"
	tokR    = "token-riverside-0001-cccccccccccccccc"
	secR    = "secret-riverside-zzzzzzzzzzzzzz"
	apiKeyR = "api-key-riverside-0001"
	whsR    = "webhook-secret-riverside-01"
	tokH    = "token-hillview-0001-dddddddddddddddddd"
	secH    = "secret-hillview-wwwwwwwwwwwwwwww"
	tokT    = "token-test-clinic-0001-eeeeeeeeeeeeeee"
	secT    = "secret-test-clinic-vvvvvvvvvvvvv"
	tokN    = "token-unsigned-clinic-ffffffffffffffff"
	piiKey  = "pii-key-for-tests-only-0123456789abcdef"
)

func testConfig(t testing.TB) *Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`
clinics:
  - clinic_id: clinic_abc
    tokens: ["` + tokA1 + `", "` + tokA2 + `"]
    signing_secrets: ["` + secA1 + `", "` + secA2 + `"]
  - clinic_id: clinic_riverside
    tokens: ["` + tokR + `"]
    signing_secrets: ["` + secR + `"]
    signed_payload: timestamp.body
    api_key: "` + apiKeyR + `"
    webhook_secret: "` + whsR + `"
  - clinic_id: clinic_hillview
    tokens: ["` + tokH + `"]
    signing_secrets: ["` + secH + `"]
  - clinic_id: test_clinic
    tokens: ["` + tokT + `"]
    signing_secrets: ["` + secT + `"]
  - clinic_id: clinic_unsigned
    tokens: ["` + tokN + `"]
    signed_payload: none
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a receiver under test over loopback HTTP.
type env struct {
	t       testing.TB
	dir     string
	clock   *clock
	opts    ServerOptions
	srv     *Server
	http    *httptest.Server
	metrics *httptest.Server // MetricsHandler, a listener of its own
}

// newEnv starts a receiver on a fresh log directory; tweak adjusts options.
func newEnv(t testing.TB, tweak ...func(*ServerOptions)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: newClock()}
	e.opts = ServerOptions{Config: testConfig(t), PIIKey: []byte(piiKey), LogDir: e.dir, Now: e.clock.Now}
	for _, f := range tweak {
		f(&e.opts)
	}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *env) start() {
	e.t.Helper()
	s, err := New(e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = s
	e.http = httptest.NewServer(s.Handler())
	e.metrics = httptest.NewServer(s.MetricsHandler())
}

// scrape reads the receiver's /metrics.
func (e *env) scrape() string {
	e.t.Helper()
	resp, err := e.metrics.Client().Get(e.metrics.URL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (e *env) stop() {
	if e.http != nil {
		e.http.Close()
		e.metrics.Close()
		e.http = nil
	}
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
}

// restart closes the receiver (sealing its log) and opens a new one on the
// same directory.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

// client returns a signing client for a test clinic.
func (e *env) client(clinicID string) *Client {
	var c *Client
	switch clinicID {
	case "clinic_abc":
		c = NewClient(e.http.URL, tokA1, secA1, SignedBody)
	case "clinic_riverside":
		c = NewClient(e.http.URL, tokR, secR, SignedTimestampBody)
		c.APIKey, c.WebhookSecret = apiKeyR, whsR
	case "clinic_hillview":
		c = NewClient(e.http.URL, tokH, secH, SignedBody)
	case "test_clinic":
		c = NewClient(e.http.URL, tokT, secT, SignedBody)
	case "clinic_unsigned":
		c = NewClient(e.http.URL, tokN, "", SignedNone)
	default:
		e.t.Fatalf("no test client for %s", clinicID)
	}
	c.Now = e.clock.Now
	return c
}

// answer is a decoded receiver answer.
type answer struct {
	Status  int            `json:"-"`
	Header  http.Header    `json:"-"`
	Raw     []byte         `json:"-"`
	Success bool           `json:"success"`
	Message string         `json:"-"`
	Data    map[string]any `json:"data"`
	Error   struct {
		Code    string              `json:"code"`
		Message string              `json:"message"`
		Details map[string][]string `json:"details"`
	} `json:"error"`
}

// do sends a request and decodes the answer.
func (e *env) do(req *http.Request) answer {
	e.t.Helper()
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		e.t.Fatalf("answer is not JSON: %v", err)
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		e.t.Fatal(err)
	}
	var msg struct {
		Message string `json:"message"`
	}
	json.Unmarshal(raw, &msg)
	a.Status, a.Header, a.Raw, a.Message = resp.StatusCode, resp.Header, raw, msg.Message
	return a
}

// send signs and sends body to endpoint as clinicID.
func (e *env) send(clinicID, endpoint, body string) answer {
	e.t.Helper()
	req, err := e.client(clinicID).Request(context.Background(), endpoint, []byte(body))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

// records reads every record of the log directory (sealed and open alike).
func (e *env) records() []*careqlog.LogRecord {
	e.t.Helper()
	return readAll(e.t, e.dir)
}

func readAll(t testing.TB, dir string) []*careqlog.LogRecord {
	t.Helper()
	var out []*careqlog.LogRecord
	paths, err := careqlog.SealedSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	open, _ := careqlog.OpenSegments(dir)
	for _, p := range append(paths, open...) {
		if err := careqlog.ReadSegment(p, func(r *careqlog.LogRecord) error { out = append(out, r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (a answer) want(t testing.TB, status int, code string) answer {
	t.Helper()
	if a.Status != status || a.Error.Code != code {
		t.Fatalf("got %d %s, want %d %s: %s", a.Status, a.Error.Code, status, code, a.Raw)
	}
	return a
}

var (
	specOnce sync.Once
	specAll  []careqreplay.Delivery
	specErr  error
)

// specDeliveries returns the specification's examples from the sample data.
func specDeliveries(t testing.TB) []careqreplay.Delivery {
	t.Helper()
	specOnce.Do(func() {
		sub, err := fs.Sub(data.CareQ, "careq/deliveries")
		if err != nil {
			specErr = err
			return
		}
		all, err := careqreplay.LoadDeliveries(sub)
		for _, d := range all {
			if d.File == "00-specification.json" {
				specAll = append(specAll, d)
			}
		}
		specErr = err
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return append([]careqreplay.Delivery(nil), specAll...)
}

func specBody(t testing.TB, endpoint string) string {
	t.Helper()
	for _, d := range specDeliveries(t) {
		if d.Endpoint == endpoint && d.ClinicID == "clinic_abc" {
			return string(d.Body)
		}
	}
	t.Fatalf("no specification example for %s", endpoint)
	return ""
}
