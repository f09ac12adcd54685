package receiver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"carelake/schemas/careqlog"
)

// APIPrefix is the path under which the endpoints live.
const APIPrefix = "/api/v1/careq-sync/"

// APIVersion is the version of the CareQ specification implemented, answered
// by the health endpoint.
const APIVersion = "1.0.0"

// DefaultMaxBodyBytes is the default request body limit (413 beyond it).
const DefaultMaxBodyBytes = 1 << 20

// ServerOptions configure a Server.
type ServerOptions struct {
	Config *Config
	// PIIKey is CARELAKE_PII_KEY (at least 32 bytes).
	PIIKey []byte
	// LogDir is the durable log directory (<out>/raw/careq by default in serve).
	LogDir string
	// KeepFreeText keeps free-text fields in the log (an operator's privacy
	// decision; see Pseudonymiser).
	KeepFreeText bool
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// RatePerMinute and RateBurst set each clinic's token bucket
	// (default 100 a minute, bursts of 200).
	RatePerMinute, RateBurst int
	// IdempotencyRetention is how long answered calls are replayed (default 24 h).
	IdempotencyRetention time.Duration
	// Log tunes the durable log (segment size and age, fsync, file opening).
	Log LogOptions
	// Retire says which loaded segments leave the log (default: none).
	Retire RetireOptions
	// SecurityLog, when its Path is set, receives the calls refused before
	// authentication (bounded, not durable).
	SecurityLog SecurityLogOptions
	// RefusedPerMinute and RefusedBurst bound the refusals before
	// authentication one source address gets answered as such; beyond them
	// it gets 429 (defaults DefaultRefusedPerMinute, DefaultRefusedBurst).
	RefusedPerMinute, RefusedBurst int
	// RefusedDelay holds each of those 429s (default DefaultRefusedDelay): a
	// client refused again and again then costs a sleeping goroutine per
	// connection, not the receiver's CPU.
	RefusedDelay time.Duration
	// Now returns the current time (default time.Now): the timestamp window,
	// the rate limit, received_at and answer timestamps all use it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is the CareQ receiver: an http.Handler over the durable log.
// Close it to seal the log.
type Server struct {
	opts     ServerOptions
	now      func() time.Time
	logger   *slog.Logger
	clinics  []*clinic
	byID     map[string]*clinic
	pii      *Pseudonymiser
	log      *Log
	idem     *idemTable
	limiter  *limiter
	refusals *limiter // by source address, of calls refused before authentication
	security *securityLog
	metrics  *metrics
	draining atomic.Bool
	// cut is held for reading by every call from its idempotency check to
	// its stored answer, and for writing by Checkpoint, so a checkpoint sees
	// no call between its decision and its answer.
	cut sync.RWMutex
	// checkpointed is the seq the last checkpoint (read or written) covers.
	checkpointed atomic.Int64
}

type clinic struct {
	ClinicConfig
	tokens        [][sha256.Size]byte
	apiKey        *[sha256.Size]byte
	webhookSecret *[sha256.Size]byte
	state         *clinicState
}

// New opens the durable log in opts.LogDir, repairs a segment left open by a
// crash, and restores the clinics' state and the idempotency table from the
// checkpoint and the records logged after it (from every logged call when
// there is no usable checkpoint). The caller must make sure no other Server
// uses the directory (carelake serve holds a lock on it).
func New(opts ServerOptions) (*Server, error) {
	if opts.Config == nil {
		return nil, fmt.Errorf("%w: no configuration", ErrConfig)
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if _, err := checkPIIKey(string(opts.PIIKey)); err != nil {
		return nil, err
	}
	if opts.LogDir == "" {
		return nil, errors.New("careq: no log directory")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RatePerMinute <= 0 {
		opts.RatePerMinute = DefaultRatePerMinute
	}
	if opts.RateBurst <= 0 {
		opts.RateBurst = DefaultRateBurst
	}
	if opts.IdempotencyRetention <= 0 {
		opts.IdempotencyRetention = DefaultIdempotencyRetention
	}
	if opts.RefusedPerMinute <= 0 {
		opts.RefusedPerMinute = DefaultRefusedPerMinute
	}
	if opts.RefusedBurst <= 0 {
		opts.RefusedBurst = DefaultRefusedBurst
	}
	if opts.RefusedDelay <= 0 {
		opts.RefusedDelay = DefaultRefusedDelay
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Log.Now == nil {
		opts.Log.Now = opts.Now
	}
	opts.Log.Logger = opts.Logger
	s := &Server{
		opts: opts, now: opts.Now, logger: opts.Logger, byID: map[string]*clinic{},
		pii:      NewPseudonymiser(opts.PIIKey, opts.KeepFreeText),
		idem:     newIdemTable(opts.IdempotencyRetention),
		limiter:  newLimiter(opts.RatePerMinute, opts.RateBurst),
		refusals: newLimiter(opts.RefusedPerMinute, opts.RefusedBurst),
		metrics:  newMetrics(),
	}
	for _, cc := range opts.Config.Clinics {
		cl := &clinic{ClinicConfig: cc, state: newClinicState()}
		for _, t := range cc.Tokens {
			cl.tokens = append(cl.tokens, sha256.Sum256([]byte(t)))
		}
		if cc.APIKey != "" {
			d := sha256.Sum256([]byte(cc.APIKey))
			cl.apiKey = &d
		}
		if cc.WebhookSecret != "" {
			d := sha256.Sum256([]byte(cc.WebhookSecret))
			cl.webhookSecret = &d
		}
		s.clinics = append(s.clinics, cl)
		s.byID[cc.ClinicID] = cl
	}
	start := time.Now()
	after, err := s.restoreCheckpoint()
	if err != nil {
		return nil, err
	}
	var n int
	log, err := OpenLog(opts.LogDir, opts.Log, after, func(r *careqlog.LogRecord) error {
		n++
		return s.replay(r)
	})
	if err != nil {
		return nil, err
	}
	s.log = log
	if s.security, err = openSecurityLog(opts.SecurityLog); err != nil {
		log.Close()
		return nil, err
	}
	s.checkpointed.Store(after)
	s.logger.Info("careq: state restored", "dir", opts.LogDir, "checkpoint_seq", after, "records_after_it", n,
		"idempotency_keys", s.idem.len(), "took", time.Since(start).Round(time.Millisecond))
	return s, nil
}

// restoreCheckpoint installs the checkpoint's state and returns the seq it
// covers; 0 (rebuild from the whole log) when there is none or it cannot be
// used. A checkpoint that cannot be used while the log no longer starts at
// seq 1 (segments were retired) is an error: the log alone would give a
// wrong state.
func (s *Server) restoreCheckpoint() (int64, error) {
	if err := removeCheckpointLeftovers(s.opts.LogDir); err != nil {
		return 0, err
	}
	ck, err := readCheckpoint(s.opts.LogDir, s.byID, s.opts.IdempotencyRetention, s.now())
	if err == nil && ck != nil {
		for _, cl := range s.clinics {
			if ck.clinics[cl.ClinicID] == nil {
				err = fmt.Errorf("%w: clinic %s is not in it", errCheckpoint, cl.ClinicID)
			}
		}
	}
	if err != nil && !errors.Is(err, errCheckpoint) {
		return 0, err
	}
	if err == nil && ck != nil {
		for _, cl := range s.clinics {
			cl.state = ck.clinics[cl.ClinicID]
		}
		s.idem.entries = ck.idem
		return ck.seq, nil
	}
	paths, lerr := careqlog.SealedSegments(s.opts.LogDir)
	if lerr != nil {
		return 0, lerr
	}
	if len(paths) > 0 {
		if first, ferr := careqlog.SegmentFirst(paths[0]); ferr != nil || first != 1 {
			return 0, fmt.Errorf("careq: the log starts after seq 1 (segments were retired) and there is no usable checkpoint "+
				"(%v): put the checkpoint or the archived segments back in %s", err, s.opts.LogDir)
		}
	}
	if err != nil {
		s.logger.Warn("careq: checkpoint not used: rebuilding the state from the whole log", "err", err)
	}
	return 0, nil
}

// replay rebuilds state and idempotency from one logged call.
func (s *Server) replay(r *careqlog.LogRecord) error {
	if r.Status < 200 || r.Status > 299 {
		return nil
	}
	cl := s.byID[r.ClinicID]
	if cl == nil {
		return nil // a clinic no longer configured
	}
	if r.Endpoint == careqlog.EndpointBatch {
		for i := range r.Records {
			if err := cl.state.replayItem(&r.Records[i]); err != nil {
				return fmt.Errorf("careq: rebuild from record %d: %w", r.Seq, err)
			}
		}
	} else if err := cl.state.replayItem(&r.Item); err != nil {
		return fmt.Errorf("careq: rebuild from record %d: %w", r.Seq, err)
	}
	if r.IdempotencyKey != "" {
		partial := false
		for i := range r.Records {
			partial = partial || r.Records[i].SyncStatus == careqlog.SyncFailed
		}
		s.idem.restore(r.IdempotencyKey, &stored{status: r.Status, body: r.Response, partial: partial}, r.ReceivedAt, s.now())
	}
	return nil
}

// Drain makes the health endpoint answer "draining" and new sync calls 503,
// while calls already past that check finish normally.
func (s *Server) Drain() { s.draining.Store(true) }

// Close seals the log and closes the security log. Call it once no request
// is in flight.
func (s *Server) Close() error {
	err := s.log.Close()
	if serr := s.security.close(); err == nil && serr != nil {
		err = fmt.Errorf("careq security log: %w", serr)
	}
	return err
}

// LogErr returns the log's failure, if intake has stopped.
func (s *Server) LogErr() error { return s.log.Err() }

// Handler returns the HTTP handler of the API (APIPrefix); every other path
// is an unknown endpoint.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// MetricsHandler returns the handler of /metrics, served on a listener of
// its own (Options.MetricsAddr), never beside the API: the metrics name
// clinics.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", s.serveMetrics)
	return mux
}

// call is one request on its way through the checks.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	rec  careqlog.LogRecord
	now  time.Time
	rate *rateInfo
	// status and body are the answer, sent once the checks are done
	// (send); status also goes to metrics.
	status int
	body   []byte
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{w: w, r: r, now: s.now()}
	ep, ok := strings.CutPrefix(r.URL.Path, APIPrefix)
	c.rec.ReceivedAt, c.rec.Method, c.rec.Endpoint = c.now, r.Method, ep
	if !ok || careqlog.RecordType(ep) == "" && ep != careqlog.EndpointBatch && ep != careqlog.EndpointHealth {
		c.rec.Endpoint = careqlog.EndpointUnknown
	}
	s.handle(c)
	if c.body != nil {
		c.send()
	}
	s.metrics.observe(c.rec.Endpoint, c.status, time.Since(start))
	s.logger.Debug("careq call", "endpoint", c.rec.Endpoint, "clinic_id", c.rec.ClinicID,
		"careq_id", c.rec.CareQID, "status", c.status, "code", c.rec.ErrorCode, "seq", c.rec.Seq)
}

// handle runs the checks in order (see the package documentation). Until
// the call is authenticated (checks 3 to 9) a refusal is never written to
// the durable log (refuse).
func (s *Server) handle(c *call) {
	if !s.admit(c) {
		return
	}
	cl := s.authenticate(c)
	if cl == nil {
		return
	}
	if c.rec.Endpoint == careqlog.EndpointHealth {
		s.health(c)
		return
	}
	body, ok := s.readBody(c)
	if !ok || !s.verify(c, cl, body) || !s.allow(c, cl) {
		return
	}
	s.once(c, cl, body)
}

// admit runs checks 1 to 4 (intake stopped, draining, endpoint and method,
// declared body size); it reports whether the call goes on to the next check.
func (s *Server) admit(c *call) bool {
	if err := s.log.Err(); err != nil {
		s.unavailable(c)
		return false
	}
	ep := c.rec.Endpoint
	want := http.MethodPost
	if ep == careqlog.EndpointHealth {
		want = http.MethodGet
	}
	switch {
	case s.draining.Load() && ep != careqlog.EndpointHealth:
		c.w.Header().Set("Retry-After", "5")
		c.rec.ErrorCode = careqlog.CodeServerError
		c.write(http.StatusServiceUnavailable, errorBody(careqlog.CodeServerError, "The receiver is shutting down: retry shortly", nil, c.now))
		return false
	case ep == careqlog.EndpointUnknown:
		s.refuse(c, "unknown_endpoint", http.StatusNotFound, careqlog.CodeInvalidRequest, "Unknown endpoint: see "+APIPrefix+" in the CareQ specification")
		return false
	case c.r.Method != want:
		c.w.Header().Set("Allow", want)
		s.refuse(c, "method", http.StatusMethodNotAllowed, careqlog.CodeInvalidRequest, "Use "+want)
		return false
	case c.r.ContentLength > s.opts.MaxBodyBytes:
		s.refuse(c, "too_large", http.StatusRequestEntityTooLarge, careqlog.CodeInvalidRequest,
			fmt.Sprintf("Body larger than %d bytes: split the batch", s.opts.MaxBodyBytes))
		return false
	}
	return true
}

// refuse answers a call that is not authenticated (yet): counted in the
// metrics by reason and written to the security log (if one is configured),
// never to the durable log. Of its body at most a small prefix is read (a
// longer one closes the connection). A source address that has had more
// refusals than its allowance (RefusedPerMinute, RefusedBurst) gets 429
// instead, after RefusedDelay, and those are not written to the security
// log.
func (s *Server) refuse(c *call, reason string, status int, code, msg string) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(c.w, c.r.Body, preAuthBodyBytes))
	src := source(c.r.RemoteAddr)
	if ok, info := s.refusals.take(src, c.now); !ok {
		s.metrics.refused("limited")
		select { // hold the answer (RefusedDelay)
		case <-time.After(s.opts.RefusedDelay):
		case <-c.r.Context().Done():
		}
		c.w.Header().Set("Retry-After", deltaSeconds(max(info.retryAfter, time.Second)))
		c.rec.ErrorCode = careqlog.CodeRateLimitExceeded
		c.write(http.StatusTooManyRequests, errorBody(careqlog.CodeRateLimitExceeded,
			"Too many refused calls from this address: retry after "+deltaSeconds(max(info.retryAfter, time.Second))+" s", nil, c.now))
		return
	}
	s.metrics.refused(reason)
	c.rec.ErrorCode = code
	c.write(status, errorBody(code, msg, nil, c.now))
	if s.security == nil {
		return
	}
	rec := &securityRecord{Time: c.now.UTC(), Source: src, Method: sanitisePath(c.r.Method), Endpoint: c.rec.Endpoint,
		Status: status, Code: code, Reason: reason, BodyBytes: c.r.ContentLength}
	if c.rec.Endpoint == careqlog.EndpointUnknown {
		rec.Path = sanitisePath(c.r.URL.Path)
	}
	if err := s.security.write(rec); err != nil {
		s.logger.Error("careq: the security log failed and is off until restart", "err", err)
	}
}

// verify runs checks 7 and 8: X-CareQ-Timestamp within the window, and
// X-CareQ-Signature by one of the clinic's secrets unless it takes unsigned
// calls. It answers 401 and reports false when one fails.
func (s *Server) verify(c *call, cl *clinic, body []byte) bool {
	ts, err := CheckTimestamp(c.r.Header.Get(HeaderTimestamp), c.now)
	if err == nil && cl.SignedPayload != SignedNone {
		err = VerifySignature(c.r.Header.Values(HeaderSignature), cl.SigningSecrets, cl.SignedPayload, ts, body)
	}
	if err != nil {
		s.refuse(c, "signature", http.StatusUnauthorized, careqlog.CodeAuthenticationFailed, err.Error())
		return false
	}
	return true
}

// allow runs check 9: the call takes a token from the clinic's bucket, or is
// answered 429 with Retry-After and allow reports false.
func (s *Server) allow(c *call, cl *clinic) bool {
	allowed, info := s.limiter.take(cl.ClinicID, c.now)
	c.rate = &info
	if allowed {
		return true
	}
	s.metrics.rateLimited(cl.ClinicID)
	retry := info.retryAfter
	if retry < time.Second {
		retry = time.Second
	}
	c.w.Header().Set("Retry-After", deltaSeconds(retry))
	s.reject(c, http.StatusTooManyRequests, careqlog.CodeRateLimitExceeded,
		fmt.Sprintf("Rate limit of %d calls a minute (bursts of %d) exceeded: retry after %s s",
			s.opts.RatePerMinute, s.opts.RateBurst, deltaSeconds(retry)), nil)
	return false
}

// once runs check 10 and the rest: a call whose idempotency key was already
// answered 2xx gets that answer again (an identical call in flight is waited
// for); otherwise the call is handled and its 2xx answer stored for the key.
func (s *Server) once(c *call, cl *clinic, body []byte) {
	ep := c.rec.Endpoint
	key := IdempotencyKey(cl.ClinicID, ep, body)
	c.rec.IdempotencyKey = key
	s.cut.RLock()
	defer s.cut.RUnlock()
	res, owned, err := s.idem.begin(c.r.Context(), key, c.now)
	if err != nil {
		c.status = 499 // the client went away while a duplicate was in flight
		return
	}
	if !owned {
		s.metrics.replay()
		c.w.Header().Set("Idempotent-Replayed", "true")
		c.write(res.status, res.body)
		return
	}
	var ans *stored
	defer func() {
		if ans != nil {
			s.idem.finish(key, ans, c.now)
		} else {
			s.idem.abandon(key)
		}
	}()
	if ep == careqlog.EndpointBatch {
		ans = s.batch(c, cl, body, res)
	} else {
		ans = s.single(c, cl, body)
	}
}

// readBody reads the body under the size limit (413 beyond it; a body
// without Content-Length is cut there). The call is not authenticated yet
// (its signature is checked after), so a refusal is not logged durably.
func (s *Server) readBody(c *call) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, s.opts.MaxBodyBytes))
	c.rec.BodyBytes = len(body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.refuse(c, "too_large", http.StatusRequestEntityTooLarge, careqlog.CodeInvalidRequest,
			fmt.Sprintf("Body larger than %d bytes: split the batch", s.opts.MaxBodyBytes))
		return nil, false
	}
	if err != nil {
		s.refuse(c, "unreadable", http.StatusBadRequest, careqlog.CodeInvalidRequest, "The body could not be read")
		return nil, false
	}
	sum := sha256.Sum256(body)
	c.rec.BodySHA256 = hex.EncodeToString(sum[:])
	return body, true
}

// authenticate finds the clinic of the bearer token and checks the optional
// X-API-Key and X-Webhook-Secret. Every configured token is compared (SHA-256
// digests, constant time), so the time taken says nothing about which one
// came close.
func (s *Server) authenticate(c *call) *clinic {
	token, ok := bearer(c.r.Header.Get("Authorization"))
	var found *clinic
	if ok {
		d := sha256.Sum256([]byte(token))
		for _, cl := range s.clinics {
			for i := range cl.tokens {
				if subtle.ConstantTimeCompare(d[:], cl.tokens[i][:]) == 1 {
					found = cl
				}
			}
		}
	}
	if found == nil {
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="careq-sync"`)
		s.refuse(c, "token", http.StatusUnauthorized, careqlog.CodeAuthenticationFailed, "Missing or invalid bearer token")
		return nil
	}
	c.rec.ClinicID = found.ClinicID
	info := s.limiter.peek(found.ClinicID, c.now)
	c.rate = &info
	if !headerMatches(c.r.Header.Get(HeaderAPIKey), found.apiKey) {
		s.refuse(c, "api_key", http.StatusUnauthorized, careqlog.CodeAuthenticationFailed, "X-API-Key is missing or wrong")
		return nil
	}
	if !headerMatches(c.r.Header.Get(HeaderWebhookSecret), found.webhookSecret) {
		s.refuse(c, "webhook_secret", http.StatusUnauthorized, careqlog.CodeAuthenticationFailed, "X-Webhook-Secret is missing or wrong")
		return nil
	}
	return found
}

func bearer(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// headerMatches compares a header with a configured secret's digest in
// constant time; no configured secret means no check.
func headerMatches(v string, want *[sha256.Size]byte) bool {
	if want == nil {
		return true
	}
	d := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(d[:], want[:]) == 1
}

// health answers GET health, once authenticated: operational (200) or
// draining (503); a failed log answers before this (unavailable).
func (s *Server) health(c *call) {
	status, code := "operational", http.StatusOK
	if s.draining.Load() {
		status, code = "draining", http.StatusServiceUnavailable
		c.w.Header().Set("Retry-After", "5")
	}
	body := mustJSON(healthResponse{Success: code == http.StatusOK, Status: status, Version: APIVersion, Timestamp: stamp(c.now)})
	s.answer(c, code, body)
}

type healthResponse struct {
	Success   bool   `json:"success"`
	Status    string `json:"status"`
	Version   string `json:"version"`
	Timestamp string `json:"timestamp"`
}

// reject answers an error and logs it first (sanitised: no payload).
func (s *Server) reject(c *call, status int, code, msg string, details map[string][]string) {
	c.rec.ErrorCode = code
	s.answer(c, status, errorBody(code, msg, details, c.now))
}

// answer logs the call with its answer, waits until the record is durable,
// then writes the answer. If the log cannot take it, the answer is 503.
func (s *Server) answer(c *call, status int, body []byte) {
	c.rec.Status, c.rec.Response = status, body
	if err := s.log.AppendWait(&c.rec); err != nil {
		s.unavailable(c)
		return
	}
	c.write(status, body)
}

// unavailable answers 503 without logging: the log has failed or is closed.
func (s *Server) unavailable(c *call) {
	c.w.Header().Set("Retry-After", "30")
	c.rec.ErrorCode = careqlog.CodeServerError
	msg := "The receiver cannot write its durable log and has stopped taking calls: retry later"
	if s.log.Err() == nil { // closed, not failed
		msg = "The receiver is shutting down: retry shortly"
	}
	c.write(http.StatusServiceUnavailable, errorBody(careqlog.CodeServerError, msg, nil, c.now))
}

// write sets the answer; serveHTTP sends it once the call's checks are
// done, so no lock is held while a slow client reads it.
func (c *call) write(status int, body []byte) { c.status, c.body = status, body }

// send writes the answer with the rate-limit headers.
func (c *call) send() {
	status, body := c.status, c.body
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	if c.rate != nil {
		h.Set("X-RateLimit-Limit", strconv.FormatInt(c.rate.limit, 10))
		h.Set("X-RateLimit-Remaining", strconv.FormatInt(c.rate.remaining, 10))
		h.Set("X-RateLimit-Reset", deltaSeconds(c.rate.reset))
	}
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

type errorResponse struct {
	Success   bool      `json:"success"`
	Error     errorInfo `json:"error"`
	Timestamp string    `json:"timestamp"`
}

type errorInfo struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Details map[string][]string `json:"details"`
}

func errorBody(code, msg string, details map[string][]string, now time.Time) []byte {
	if details == nil {
		details = map[string][]string{}
	}
	return mustJSON(errorResponse{Error: errorInfo{Code: code, Message: msg, Details: details}, Timestamp: stamp(now)})
}

// stamp formats an answer's timestamp.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("careq: encode answer: %v", err)) // only plain structs are encoded
	}
	return b
}
