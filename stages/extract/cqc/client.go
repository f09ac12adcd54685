package cqc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"carelake/schemas/archive"
)

// DefaultBaseURL is the CQC Syndication API v1.
const DefaultBaseURL = "https://api.service.cqc.org.uk/public/v1"

// Client defaults.
const (
	DefaultRateLimit      = 100
	DefaultRateWindow     = time.Minute
	DefaultRequestTimeout = 60 * time.Second
	DefaultMaxAttempts    = 6
	DefaultRetryBase      = time.Second
	DefaultRetryMax       = time.Minute
	// maxThrottles is how many 429s one call takes before its item is
	// recorded as failed for this run.
	maxThrottles = 20
	// maxBodyBytes bounds one response body (the largest real ones are ~200 KB).
	maxBodyBytes = 64 << 20
	// refusedAttempts is how many tries a call gets while nothing has ever
	// answered and the address refuses connections (or its host does not
	// exist): then the run stops with ErrUnreachable within a few seconds
	// rather than backing off for half a minute.
	refusedAttempts = 3
)

// ClientOptions configure the CQC API client. The command sets the first five
// from --cqc-base-url, --cqc-api-key, --rate-limit, --rate-window and
// --concurrency; the rest have defaults that suit the real API.
type ClientOptions struct {
	BaseURL string // default DefaultBaseURL
	// APIKey is sent as Ocp-Apim-Subscription-Key. It never appears in logs,
	// errors, the archive, the state or the summary.
	APIKey string
	// RateLimit calls at most in any sliding RateWindow, retries included
	// (defaults 100 per 60 s).
	RateLimit  int
	RateWindow time.Duration
	// Concurrency is the number of calls in flight; 0 picks
	// DefaultConcurrency(RateLimit, RateWindow).
	Concurrency int
	// UserAgent names the client (default "carelake/dev").
	UserAgent string
	// RequestTimeout bounds one attempt, body included (default 60 s).
	RequestTimeout time.Duration
	// MaxAttempts is how many tries a call gets against 5xx, 403, transport
	// failures and bad bodies before its item is recorded as failed (default 6).
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff between those tries:
	// RetryBase·2^(n-1), jittered to 50-100%, at most RetryMax (defaults 1 s,
	// 60 s). RetryBase also starts the pause after a 429 that names no wait.
	RetryBase, RetryMax time.Duration
	// RateMargin is how much later than we wrote it the server may count a
	// call (network and scheduling delays). A call's slot is held that much
	// longer unless its answer comes sooner (default: window/60, between
	// 1 ms and 1 s).
	RateMargin time.Duration
}

// DefaultConcurrency is enough calls in flight to use the whole budget while
// responses take up to 4 s (twice the slowest the API has been seen to be),
// at least 4 and at most 64: 7 for 100 calls a minute.
func DefaultConcurrency(limit int, window time.Duration) int {
	if limit <= 0 || window <= 0 {
		return 4
	}
	need := int(float64(limit)*(4*time.Second).Seconds()/window.Seconds() + 0.999)
	return min(max(need, 4), 64)
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.RateWindow == 0 {
		o.RateWindow = DefaultRateWindow
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency(o.RateLimit, o.RateWindow)
	}
	if o.UserAgent == "" {
		o.UserAgent = "carelake/dev"
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.RetryBase == 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryMax == 0 {
		o.RetryMax = DefaultRetryMax
	}
	if o.RateMargin == 0 {
		o.RateMargin = defaultMargin(o.RateWindow)
	}
	return o
}

// validate names the flag of every bad value.
func (o *ClientOptions) validate() error {
	var errs []string
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Sprintf("--cqc-base-url %q: want an http(s) URL like %s", o.BaseURL, DefaultBaseURL))
	} else if u.RawQuery != "" || u.User != nil {
		errs = append(errs, "--cqc-base-url must not carry a query or credentials: give the key with --cqc-api-key or CQC_API_KEY")
	}
	if strings.TrimSpace(o.APIKey) == "" {
		errs = append(errs, "no CQC API key: set CQC_API_KEY or --cqc-api-key (get one at https://api-portal.service.cqc.org.uk)")
	}
	if o.RateLimit < 1 {
		errs = append(errs, fmt.Sprintf("--rate-limit %d: want at least 1 call per window", o.RateLimit))
	}
	if o.RateWindow < time.Millisecond {
		errs = append(errs, fmt.Sprintf("--rate-window %v: want a duration like 60s", o.RateWindow))
	}
	if o.Concurrency < 1 || o.Concurrency > 1024 {
		errs = append(errs, fmt.Sprintf("--concurrency %d: want 1 to 1024", o.Concurrency))
	}
	if o.RequestTimeout < 0 || o.MaxAttempts < 1 || o.RetryBase < 0 || o.RetryMax < o.RetryBase || o.RateMargin < 0 {
		errs = append(errs, "retry settings: timeouts and backoffs must be positive, MaxAttempts at least 1, RetryMax at least RetryBase")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// request is one API call, relative to the base URL.
type request struct {
	endpoint string // archive.Endpoint*
	id       string // detail calls
	path     string // "/locations/1-101"
	query    url.Values
	accept   string // Accept header when not JSON (reports)
}

// rel is the path and query relative to the base URL, as archived.
func (r request) rel() string {
	if len(r.query) == 0 {
		return r.path
	}
	return r.path + "?" + r.query.Encode()
}

func detailRequest(kind, id string) request {
	ep, path := archive.EndpointLocation, "/locations/"
	if kind == kindProvider {
		ep, path = archive.EndpointProvider, "/providers/"
	}
	return request{endpoint: ep, id: id, path: path + url.PathEscape(id)}
}

// response is how a call ended for its item.
type response struct {
	body      []byte
	fetchedAt time.Time
	gone      bool
	// failed says why the item failed for this run ("" when it did not).
	failed string
	status int
}

// client makes calls within the budget, archives every answer and decides
// what each one means. It is shared by all workers of a run.
type client struct {
	opts   ClientOptions
	base   string
	hc     *http.Client
	budget *budget
	arch   *archive.Writer
	now    func() time.Time // the data clock that stamps records
	log    *slog.Logger
	stats  *callStats
	redact *strings.Replacer
}

func newClient(opts ClientOptions, b *budget, arch *archive.Writer, now func() time.Time, log *slog.Logger) *client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2 * opts.Concurrency,
		MaxIdleConnsPerHost:   opts.Concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: opts.RequestTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &client{
		opts: opts,
		base: strings.TrimRight(opts.BaseURL, "/"),
		hc: &http.Client{
			Transport: tr,
			// A redirect could carry the key header to another host: never follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		budget: b,
		arch:   arch,
		now:    now,
		log:    log,
		stats:  &callStats{byStatus: map[int]int{}},
		redact: newRedactor(opts.APIKey),
	}
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// do makes the call, repeating it as its answers say, until the item is done,
// gone or failed. Waits for the budget and backoffs end with ctx (the
// returned error is then ctx's, or errBudgetSpent: the item is unfinished,
// not failed); the HTTP exchange itself runs under reqCtx so that a stop can
// let calls in flight finish. Any other error is fatal for the run
// (ErrUnauthorized, a broken archive).
func (c *client) do(ctx, reqCtx context.Context, rq request) (response, error) {
	failures, throttles, unhinted := 0, 0, 0
	for attempt := 1; ; attempt++ {
		res, err := c.budget.reserve(ctx)
		if err != nil {
			return response{}, err
		}
		rec, body, hdr, terr := c.send(reqCtx, rq, res, attempt)
		o := classify(rq.endpoint, rq.id, rec.Status, hdr, body, rec.Error, time.Now())
		if rec.Status == http.StatusOK && rec.Error == "" && o.verdict != vOK {
			// A 200 that is no good body says why, so readers of the
			// archive need only "status 200 and no error".
			rec.Error = o.reason
		}
		if o.verdict == vOK && isPDF(body) {
			// A binary body is kept beside the archive, whole, before
			// the record that names it.
			if rec.File, err = c.arch.PutFile(rq.id+".pdf", body); err != nil {
				return response{}, fmt.Errorf("keep the PDF of %s: %w (check free space and permissions under --out)", rq.rel(), err)
			}
			rec.BodyText = ""
		}
		if err := c.arch.Append(rec); err != nil {
			return response{}, fmt.Errorf("archive the answer to %s: %w (check free space and permissions under --out)", rq.rel(), err)
		}
		c.stats.add(rq.endpoint, rec, o, attempt)
		c.log.Debug("cqc call", "url", rec.URL, "status", rec.Status, "attempt", attempt,
			"ms", int(rec.DurationMS), "verdict", o.verdict.String(), "reason", o.reason)
		if rec.Status == 0 && reqCtx.Err() != nil {
			return response{}, reqCtx.Err() // cut by the stop, not a failure of the item
		}
		switch o.verdict {
		case vOK:
			return response{body: body, fetchedAt: rec.FetchedAt, status: rec.Status}, nil
		case vGone:
			return response{gone: true, fetchedAt: rec.FetchedAt, status: rec.Status}, nil
		case vUnauthorized:
			return response{}, ErrUnauthorized
		case vFailed:
			return response{failed: o.reason, status: rec.Status}, nil
		case vUpper:
			rq = detailRequest(kindOf(rq.endpoint), strings.ToUpper(rq.id))
		case vThrottled:
			throttles++
			if throttles > maxThrottles {
				return response{failed: fmt.Sprintf("throttled %d times", throttles-1), status: rec.Status}, nil
			}
			wait := max(o.wait, c.opts.RetryBase) // "Retry-After: 0" must not spin
			if !o.hinted {
				unhinted++
				wait = min(c.opts.RetryBase<<min(unhinted-1, 20), c.opts.RateWindow)
			}
			c.budget.pause(c.budget.now().Add(wait))
			if c.stats.firstThrottle() {
				c.log.Warn("CQC throttled a call although we keep to the rate budget; every worker pauses. "+
					"If this repeats, lower --rate-limit or check that no other client uses this key",
					"url", rec.URL, "status", rec.Status, "soft", o.soft, "pause", wait.String())
			}
		case vRetry:
			failures++
			if failures >= refusedAttempts && nothingThere(terr) && !c.stats.everResponded() {
				return response{}, fmt.Errorf("%w (last: %s)", ErrUnreachable, o.reason)
			}
			if failures >= c.opts.MaxAttempts {
				return response{failed: fmt.Sprintf("%s (after %d tries)", o.reason, failures), status: rec.Status}, nil
			}
			if err := sleepCtx(ctx, c.backoff(failures)); err != nil {
				return response{}, err
			}
		}
	}
}

// backoff is the wait before the n-th retry: RetryBase·2^(n-1) capped at
// RetryMax, jittered to 50-100% so workers do not retry in step.
func (c *client) backoff(n int) time.Duration {
	d := c.opts.RetryMax
	if n-1 < 30 && c.opts.RetryBase<<(n-1) < d {
		d = c.opts.RetryBase << (n - 1)
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) //nolint:gosec // jitter, not a secret
}

// nothingThere reports whether a transport error says no server is at the
// address: the connection was refused, or the host name does not exist.
func nothingThere(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &dns) && dns.IsNotFound)
}

// keptHeaders are the response headers worth archiving.
var keptHeaders = []string{"Content-Type", "Content-Length", "Date", "Retry-After"}

// send makes one HTTP exchange and returns its archive record (status 0 and
// Error when no full answer came), the body, the response headers and the
// transport error, if any.
func (c *client) send(ctx context.Context, rq request, res reservation, attempt int) (*archive.Record, []byte, http.Header, error) {
	rec := &archive.Record{Method: http.MethodGet, URL: rq.rel(), Endpoint: rq.endpoint, ID: rq.id, Accept: rq.accept, Attempt: attempt}
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { c.budget.sent(res, c.budget.now()) },
	})
	start := time.Now()
	finish := func(body []byte, err error) (*archive.Record, []byte, http.Header, error) {
		rec.WallAt = time.Now()
		rec.DurationMS = float64(rec.WallAt.Sub(start).Microseconds()) / 1000
		rec.FetchedAt = c.now()
		if err != nil {
			rec.Error = c.redact.Replace(err.Error())
		}
		rec.SetBody(body)
		return rec, body, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+rq.rel(), nil)
	if err != nil {
		c.budget.unsent(res, c.budget.now())
		return finish(nil, err)
	}
	req.Header.Set("Ocp-Apim-Subscription-Key", c.opts.APIKey)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", cmp.Or(rq.accept, "application/json"))
	resp, err := c.hc.Do(req)
	if err != nil {
		c.budget.unsent(res, c.budget.now())
		return finish(nil, err)
	}
	c.budget.answered(res, c.budget.now())
	defer resp.Body.Close()
	rec.Status = resp.StatusCode
	for _, h := range keptHeaders {
		if v := resp.Header.Get(h); v != "" {
			if rec.Headers == nil {
				rec.Headers = map[string]string{}
			}
			rec.Headers[h] = v
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err == nil && len(body) > maxBodyBytes {
		body, err = body[:maxBodyBytes], fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	}
	r, b, _, err := finish(body, err)
	return r, b, resp.Header, err
}

// newRedactor hides the key wherever it might appear in a message. The key
// is never put in a URL or an error on purpose; this is a second line of
// defence. Keys shorter than 8 characters (never real ones) are left alone,
// so that redaction does not garble every message.
func newRedactor(key string) *strings.Replacer {
	if len(key) < 8 {
		return strings.NewReplacer()
	}
	return strings.NewReplacer(key, "[REDACTED]")
}

func kindOf(endpoint string) string {
	if endpoint == archive.EndpointProvider || endpoint == archive.EndpointProviders || endpoint == archive.EndpointChangesProvider {
		return kindProvider
	}
	return kindLocation
}

// callStats counts calls for the summary; safe for concurrent use.
type callStats struct {
	mu             sync.Mutex
	byStatus       map[int]int
	calls          int
	throttled      int
	softThrottled  int
	retries        int
	answered       int    // good bodies and 404s
	lastFailure    string // the reason of the latest bad answer
	bad            map[string]*badAnswers
	throttleLogged bool
}

// badAnswers are the answers (not throttles, not transport failures) that
// were of no use, by reason.
type badAnswers struct {
	status int
	n      int
	path   string // the first in sort order, without its query
	pages  bool   // every one answered a list or changes page
}

func (s *callStats) add(endpoint string, rec *archive.Record, o outcome, attempt int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.byStatus[rec.Status]++
	if o.verdict == vThrottled {
		s.throttled++
		if o.soft {
			s.softThrottled++
		}
	}
	if attempt > 1 {
		s.retries++
	}
	if o.verdict == vOK || o.verdict == vGone {
		s.answered++
		return
	}
	s.lastFailure = o.reason
	if rec.Status == 0 || o.verdict == vThrottled {
		return
	}
	if s.bad == nil {
		s.bad = map[string]*badAnswers{}
	}
	path, _, _ := strings.Cut(rec.URL, "?")
	b := s.bad[o.reason]
	if b == nil {
		b = &badAnswers{status: rec.Status, path: path, pages: true}
		s.bad[o.reason] = b
	}
	b.path = min(b.path, path) // the same one whatever the order of concurrent calls
	b.n++
	b.pages = b.pages && !isDetail(endpoint)
}

// everResponded reports whether any call got an HTTP answer.
func (s *callStats) everResponded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls > s.byStatus[0]
}

// failure is the run's error when calls were made and none was answered
// usefully: ErrUnreachable when no call got an HTTP answer at all, else an
// ErrRefused saying what the API answered and what to check. It is nil when
// some call was answered.
func (s *callStats) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == 0 || s.answered > 0 {
		return nil
	}
	responded := s.calls - s.byStatus[0]
	switch {
	case responded == 0:
		return fmt.Errorf("%w (last: %s)", ErrUnreachable, s.lastFailure)
	case s.throttled == responded:
		return refusedError("the CQC API refused every call with 429 (rate limited): " +
			"another client may be using this key, or wait a minute and run again")
	}
	var reason string
	var most *badAnswers
	for r, b := range s.bad {
		if most == nil || b.n > most.n || (b.n == most.n && r < reason) {
			reason, most = r, b
		}
	}
	if most == nil { // cannot happen: a response that is neither good, throttled nor bad
		return fmt.Errorf("%w (last: %s)", ErrRefused, s.lastFailure)
	}
	which := fmt.Sprintf("%d of %d calls", most.n, s.calls)
	if most.n == s.calls {
		which = "every call"
		if most.pages {
			which = "every list call"
		}
	}
	answered := reason
	if most.status == http.StatusOK {
		answered = "200 OK with a body that is not the API's (" + reason + ")"
	}
	advice := "check --cqc-base-url; it should end in /public/v1"
	switch {
	case strings.Contains(reason, "gateway"):
		advice = "the API's gateway reports an outage: see https://www.cqc.org.uk; the next run retries"
	case most.status == http.StatusForbidden:
		advice = "check --cqc-base-url and the key's subscription at https://api-portal.service.cqc.org.uk"
	case most.status >= 500:
		advice = "the API is failing: see https://www.cqc.org.uk for outages; the next run retries"
	}
	return refusedError(fmt.Sprintf("the CQC API answered %s for %s (%s): %s", answered, most.path, which, advice))
}

// refusedError is an ErrRefused in the words that fit the answers seen.
type refusedError string

func (e refusedError) Error() string        { return string(e) }
func (e refusedError) Is(target error) bool { return target == ErrRefused }

// firstThrottle is true once: the first 429 of a run is worth a warning.
func (s *callStats) firstThrottle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := !s.throttleLogged
	s.throttleLogged = true
	return first
}

func (s *callStats) snapshot() Calls {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Calls{Total: s.calls, ByStatus: map[string]int{}, Throttled: s.throttled,
		SoftThrottled: s.softThrottled, Retries: s.retries}
	codes := make([]int, 0, len(s.byStatus))
	for code := range s.byStatus {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		name := strconv.Itoa(code)
		if code == 0 {
			name = "no_response"
		}
		c.ByStatus[name] = s.byStatus[code]
	}
	return c
}
