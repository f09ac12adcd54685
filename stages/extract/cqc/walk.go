package cqc

// Walks: reading list and changes endpoints page after page, and the changes
// windows (slices) with their watermark bookkeeping.

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"carelake/schemas/archive"
)

// walk is the reading of one list or changes endpoint, page after page.
type walk struct {
	endpoint   string
	path       string
	query      url.Values // without "page"
	replay     bool       // reuse good pages archived since the backfill began
	progress   *ListProgress
	membership bool // its IDs define the scope (filtered scope)
	onIDs      func(ids []string)

	complete, failed      bool
	pagesDone, totalPages int
	total, listed         int
}

// slice is one window of the changes feed for one kind.
type slice struct {
	kind       string
	start, end time.Time
	lookback   bool
	walk       *walk
	ids        []string
}

// makeSlices cuts [watermark, now) at the pending ends. With a look-back,
// [watermark-lookback, watermark) comes first, cut at the recent ends: an
// item in a look-back slice is fetched only if not archived since the
// slice's end (the run that read that window fetched after its end).
func makeSlices(kind string, ks *KindState, now time.Time, lookback time.Duration) []*slice {
	w := *ks.Watermark
	var out []*slice
	if lookback > 0 {
		start := w.Add(-lookback)
		for _, e := range ks.RecentEnds {
			if e.After(start) && e.Before(w) {
				out = append(out, &slice{kind: kind, start: start, end: e, lookback: true})
				start = e
			}
		}
		out = append(out, &slice{kind: kind, start: start, end: w, lookback: true})
	}
	start := w
	for _, e := range ks.PendingEnds {
		if e.After(start) && !e.After(now) {
			out = append(out, &slice{kind: kind, start: start, end: e})
			start = e
		}
	}
	if now.After(start) {
		out = append(out, &slice{kind: kind, start: start, end: now})
	}
	return out
}

// maxPendingEnds bounds the windows kept apart; beyond it the two oldest are
// merged (which can only cost calls, never miss a change). maxRecentEnds
// bounds the ends kept for cutting the look-back window.
const (
	maxPendingEnds = 30
	maxRecentEnds  = 100
)

// addRecentEnd records the end of a fully archived window.
func (ks *KindState) addRecentEnd(t time.Time) {
	if n := len(ks.RecentEnds); n > 0 && !t.After(ks.RecentEnds[n-1]) {
		return
	}
	ks.RecentEnds = append(ks.RecentEnds, t)
	if len(ks.RecentEnds) > maxRecentEnds {
		ks.RecentEnds = ks.RecentEnds[len(ks.RecentEnds)-maxRecentEnds:]
	}
}

// advanceLocked moves the watermark of kind over the leading windows whose
// every changed item in scope is archived (or gone); the rest stay pending.
func (r *run) advanceLocked(kind string, slices []*slice) {
	ks := r.sc.Kinds[kind]
	var main []*slice
	for _, s := range slices {
		if s.kind == kind && !s.lookback {
			main = append(main, s)
		}
	}
	if len(main) == 0 {
		return
	}
	i := 0
	for i < len(main) && r.sliceDoneLocked(main[i]) {
		ks.addRecentEnd(main[i].end)
		i++
	}
	if i == len(main) {
		end := main[len(main)-1].end
		ks.Watermark, ks.PendingEnds = &end, nil
		r.log.Info("changes archived", "kind", kind, "watermark", end)
		return
	}
	start := main[i].start
	ks.Watermark = &start
	ks.PendingEnds = nil
	for _, s := range main[i:] {
		ks.PendingEnds = append(ks.PendingEnds, s.end)
	}
	for len(ks.PendingEnds) > maxPendingEnds {
		ks.PendingEnds = ks.PendingEnds[1:]
	}
	r.log.Warn("changes watermark held: some changed items are not archived yet; the next run retries them",
		"kind", kind, "watermark", start, "pending_windows", len(ks.PendingEnds))
}

func (r *run) sliceDoneLocked(s *slice) bool {
	if !s.walk.complete || !r.membershipCompleteLocked() {
		return false
	}
	for _, id := range s.ids {
		k := key{s.kind, id}
		if e := r.entries[k]; (e != nil && (e.member || e.check)) || r.allMembers {
			if !r.idx.archivedSince(k, s.end) {
				return false
			}
		}
	}
	return true
}

// membershipCompleteLocked says whether the run knows its whole scope: the
// lists that define it were read and every location whose body extends it
// (clinics closure, filtered providers) was archived or found gone.
func (r *run) membershipCompleteLocked() bool {
	if r.allMembers {
		return true
	}
	for _, w := range r.walks {
		if w.membership && !w.complete {
			return false
		}
	}
	for _, e := range r.entries {
		if e.member && e.kind == kindLocation && e.class != classNone &&
			(e.state == stQueued || e.state == stUnfinished || e.state == stFailed) {
			return false
		}
	}
	return true
}

func (r *run) failedWalksLocked() int {
	n := 0
	for _, w := range r.walks {
		if w.failed {
			n++
		}
	}
	return n
}

func endsAfter(ends []time.Time, t time.Time) []time.Time {
	var out []time.Time
	for _, e := range ends {
		if e.After(t) {
			out = append(out, e)
		}
	}
	return out
}

func listPath(endpoint string) string {
	if endpoint == archive.EndpointProviders {
		return "/providers"
	}
	return "/locations"
}

// addListWalkLocked queues the first page of a list walk. replay reuses pages
// archived since the backfill began; listed IDs join the scope as members of
// class c.
func (r *run) addListWalkLocked(endpoint string, filters url.Values, replay bool, c class) *walk {
	q := url.Values{}
	for k, v := range filters {
		q[k] = append([]string(nil), v...)
	}
	q.Set("perPage", strconv.Itoa(r.opts.PerPage))
	kind := kindOf(endpoint)
	w := &walk{endpoint: endpoint, path: listPath(endpoint), query: q, replay: replay, membership: true}
	w.onIDs = func(ids []string) {
		for _, id := range ids {
			r.wantLocked(key{kind, id}, r.s0, true, c)
		}
	}
	if replay {
		lp := r.sc.Backfill.Lists[endpoint]
		if lp == nil || lp.Query != q.Encode() {
			lp = &ListProgress{Query: q.Encode()}
			r.sc.Backfill.Lists[endpoint] = lp
		}
		w.progress = lp
	}
	r.walks = append(r.walks, w)
	r.sched.pushPage(r.pageTask(w, 1))
	return w
}

const timestampLayout = "2006-01-02T15:04:05Z"

func (r *run) addChangesWalkLocked(s *slice) {
	ep, path := archive.EndpointChangesLocation, "/changes/location"
	if s.kind == kindProvider {
		ep, path = archive.EndpointChangesProvider, "/changes/provider"
	}
	q := url.Values{}
	q.Set("startTimestamp", s.start.UTC().Format(timestampLayout))
	q.Set("endTimestamp", s.end.UTC().Format(timestampLayout))
	q.Set("perPage", strconv.Itoa(r.opts.PerPage))
	w := &walk{endpoint: ep, path: path, query: q}
	w.onIDs = func(ids []string) {
		s.ids = append(s.ids, ids...)
		for _, id := range ids {
			r.changedLocked(key{s.kind, id}, s.end)
		}
	}
	s.walk = w
	r.walks = append(r.walks, w)
	r.sched.pushPage(r.pageTask(w, 1))
}

// maxPages stops a walk whose server keeps announcing a next page.
const maxPages = 100000

func (r *run) pageTask(w *walk, n int) task {
	return func(ctx context.Context) error {
		pg, ok := r.idx.replayPage(w, n, r.s0)
		if !ok {
			q := url.Values{}
			for k, v := range w.query {
				q[k] = v
			}
			q.Set("page", strconv.Itoa(n))
			rq := request{endpoint: w.endpoint, path: w.path, query: q}
			resp, err := r.c.do(ctx, r.reqCtx, rq)
			if err != nil {
				if interrupted(ctx, err) {
					return nil // the walk stays incomplete: the next run goes on from here
				}
				return err
			}
			if resp.failed != "" {
				r.mu.Lock()
				w.failed = true
				r.mu.Unlock()
				r.log.Warn("a page failed; the next run reads it again", "url", rq.rel(), "reason", resp.failed)
				return nil
			}
			if pg, err = parsePage(w.endpoint, resp.body); err != nil {
				return fmt.Errorf("page %s passed its checks but cannot be read: %w", rq.rel(), err)
			}
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if !ok {
			r.pages++
		}
		w.pagesDone = n
		w.totalPages, w.total = pg.TotalPages, pg.Total
		w.listed += len(pg.IDs)
		w.onIDs(pg.IDs)
		if pg.HasNext && len(pg.IDs) > 0 && n < maxPages {
			r.sched.pushPage(r.pageTask(w, n+1))
		} else {
			w.complete = true
		}
		if lp := w.progress; lp != nil {
			lp.PagesDone, lp.TotalPages, lp.Total, lp.Complete = w.pagesDone, w.totalPages, w.total, w.complete
			if !ok {
				// The page is archived: checkpoint the walk.
				return r.saveLocked()
			}
		}
		return nil
	}
}

// replayPage returns a good page of w archived since the backfill began.
func (idx *index) replayPage(w *walk, n int, since time.Time) (page, bool) {
	if !w.replay {
		return page{}, false
	}
	p, ok := idx.pages[pageKey{w.endpoint, w.query.Encode(), n}]
	if !ok || p.at.Before(since) {
		return page{}, false
	}
	return p.page, true
}
