package receiver

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics are the receiver's counters, served at /metrics in the Prometheus
// text exposition format (version 0.0.4).
type metrics struct {
	mu       sync.Mutex
	requests map[reqLabel]uint64
	latency  map[string]*histogram // by endpoint
	replays  uint64
	limited  map[string]uint64 // by clinic
	refusals map[string]uint64 // calls refused before authentication, by reason
}

type reqLabel struct {
	endpoint string
	status   int
}

type histogram struct {
	buckets []uint64
	sum     time.Duration
	count   uint64
}

// latencyBounds are the upper bounds of the request latency histogram.
var latencyBounds = []time.Duration{
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second,
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqLabel]uint64{}, latency: map[string]*histogram{}, limited: map[string]uint64{},
		refusals: map[string]uint64{}}
}

func (m *metrics) observe(endpoint string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqLabel{endpoint, status}]++
	h := m.latency[endpoint]
	if h == nil {
		h = &histogram{buckets: make([]uint64, len(latencyBounds)+1)}
		m.latency[endpoint] = h
	}
	h.buckets[bucketIndex(latencyBounds, d)]++
	h.sum += d
	h.count++
}

// bucketIndex is the histogram bucket of d: the first of bounds that d does
// not exceed, or len(bounds) when it exceeds them all.
func bucketIndex(bounds []time.Duration, d time.Duration) int {
	i := 0
	for i < len(bounds) && d > bounds[i] {
		i++
	}
	return i
}

func (m *metrics) replay() {
	m.mu.Lock()
	m.replays++
	m.mu.Unlock()
}

func (m *metrics) rateLimited(clinic string) {
	m.mu.Lock()
	m.limited[clinic]++
	m.mu.Unlock()
}

func (m *metrics) refused(reason string) {
	m.mu.Lock()
	m.refusals[reason]++
	m.mu.Unlock()
}

// write renders every metric; log statistics and gauges come from the server.
func (m *metrics) write(w io.Writer, ls LogStats, draining bool, idemKeys int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }

	p("# HELP careq_requests_total CareQ sync calls answered, by endpoint and HTTP status (idempotent replays included).\n")
	p("# TYPE careq_requests_total counter\n")
	labels := make([]reqLabel, 0, len(m.requests))
	for l := range m.requests {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool {
		if labels[i].endpoint != labels[j].endpoint {
			return labels[i].endpoint < labels[j].endpoint
		}
		return labels[i].status < labels[j].status
	})
	for _, l := range labels {
		p("careq_requests_total{endpoint=%q,status=\"%d\"} %d\n", l.endpoint, l.status, m.requests[l])
	}

	p("# HELP careq_request_duration_seconds Time from request start to answer, by endpoint.\n")
	p("# TYPE careq_request_duration_seconds histogram\n")
	for _, e := range slices.Sorted(maps.Keys(m.latency)) {
		writeHistogram(w, "careq_request_duration_seconds", fmt.Sprintf("endpoint=%q,", e), latencyBounds,
			m.latency[e].buckets, m.latency[e].sum, m.latency[e].count)
	}

	p("# HELP careq_idempotent_replays_total Calls answered from the idempotency table (a retry of an answered call).\n")
	p("# TYPE careq_idempotent_replays_total counter\ncareq_idempotent_replays_total %d\n", m.replays)
	p("# HELP careq_idempotency_keys Answered calls currently held for replay.\n")
	p("# TYPE careq_idempotency_keys gauge\ncareq_idempotency_keys %d\n", idemKeys)

	p("# HELP careq_rate_limited_total Calls refused with 429, by clinic.\n")
	p("# TYPE careq_rate_limited_total counter\n")
	for _, c := range slices.Sorted(maps.Keys(m.limited)) {
		p("careq_rate_limited_total{clinic_id=%q} %d\n", c, m.limited[c])
	}

	p("# HELP careq_refused_total Calls refused before authentication (never in the durable log), by reason: " +
		"token, api_key, webhook_secret, signature (timestamp or signature), unknown_endpoint, method, too_large, unreadable, " +
		"limited (429: too many refusals from one address).\n")
	p("# TYPE careq_refused_total counter\n")
	for _, r := range slices.Sorted(maps.Keys(m.refusals)) {
		p("careq_refused_total{reason=%q} %d\n", r, m.refusals[r])
	}

	p("# HELP careq_log_records_total Records made durable in the log.\n")
	p("# TYPE careq_log_records_total counter\ncareq_log_records_total %d\n", ls.Records)
	p("# HELP careq_log_bytes_total Bytes made durable in the log.\n")
	p("# TYPE careq_log_bytes_total counter\ncareq_log_bytes_total %d\n", ls.Bytes)
	p("# HELP careq_log_group_commits_total Group commits (one write and one fsync each).\n")
	p("# TYPE careq_log_group_commits_total counter\ncareq_log_group_commits_total %d\n", ls.Groups)
	p("# HELP careq_log_segments_sealed_total Segments sealed since start.\n")
	p("# TYPE careq_log_segments_sealed_total counter\ncareq_log_segments_sealed_total %d\n", ls.Sealed)
	p("# HELP careq_log_fsync_seconds Duration of the fsync of each group commit.\n")
	p("# TYPE careq_log_fsync_seconds histogram\n")
	var n uint64
	for _, c := range ls.FsyncBuckets {
		n += c
	}
	writeHistogram(w, "careq_log_fsync_seconds", "", FsyncBounds, ls.FsyncBuckets, ls.FsyncSum, n)
	p("# HELP careq_intake_stopped 1 after a failed log write or fsync: every call is refused until restart.\n")
	p("# TYPE careq_intake_stopped gauge\ncareq_intake_stopped %d\n", b2i(ls.Failed))
	p("# HELP careq_draining 1 while shutting down: new calls are refused with 503.\n")
	p("# TYPE careq_draining gauge\ncareq_draining %d\n", b2i(draining))
}

func writeHistogram(w io.Writer, name, labels string, bounds []time.Duration, buckets []uint64, sum time.Duration, count uint64) {
	var cum uint64
	for i, b := range bounds {
		cum += buckets[i]
		fmt.Fprintf(w, "%s_bucket{%sle=\"%s\"} %d\n", name, labels, strconv.FormatFloat(b.Seconds(), 'g', -1, 64), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%sle=\"+Inf\"} %d\n", name, labels, count)
	trimmed := labels
	if trimmed != "" {
		trimmed = "{" + trimmed[:len(trimmed)-1] + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %s\n", name, trimmed, strconv.FormatFloat(sum.Seconds(), 'g', -1, 64))
	fmt.Fprintf(w, "%s_count%s %d\n", name, trimmed, count)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// serveMetrics answers GET /metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w, s.log.Stats(), s.draining.Load(), s.idem.len())
}
