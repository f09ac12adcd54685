package cqc

// The run's registry of items: which organisations are in scope, which must
// be fetched (and why), and what each fetch found.

import (
	"context"
	"errors"
	"time"
)

// class says how an item joined the scope and so how far it reaches.
type class uint8

const (
	classNone  class = iota // fetched as asked (wanted, retries); not expanded
	classPred               // clinics: reached as a predecessor; fetched once, ever
	classFresh              // in scope: kept fresh since the backfill; expanded
)

type itemState uint8

const (
	stIdle       itemState = iota // no fetch needed (so far)
	stQueued                      // waiting for or in its fetch
	stDone                        // good body archived in this run
	stGone                        // 404 in this run
	stFailed                      // every try failed in this run
	stUnfinished                  // not fetched: budget or interruption
)

// entry is one organisation the run has heard of.
type entry struct {
	key
	member bool  // in scope: the changes feed applies to it
	class  class // how far it expands (clinics closure, filtered providers)
	// need is set when the item must have an archived answer at or after
	// threshold (the zero time: any answer ever).
	need      bool
	threshold time.Time
	changed   time.Time // end of the latest changes window that named it
	expanded  bool      // its archived links were followed
	// named: a provider some location names (wantProviderLocked).
	named bool
	// check: a changed location of a filtered scope, fetched to see from
	// its body whether it is in the filters (filter.go).
	check bool
	state itemState
}

// interrupted says whether err only means the item was not reached: the
// call budget ran out or ctx ended.
func interrupted(ctx context.Context, err error) bool {
	return errors.Is(err, errBudgetSpent) ||
		(ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)))
}

func (r *run) entryLocked(k key) *entry {
	e := r.entries[k]
	if e == nil {
		e = &entry{key: k}
		r.entries[k] = e
	}
	return e
}

// wantLocked says k must be archived at or after th (the zero time: ever);
// member puts it in scope, c says how far it reaches.
func (r *run) wantLocked(k key, th time.Time, member bool, c class) {
	e := r.entryLocked(k)
	if member && !e.member {
		e.member = true
		if !e.changed.IsZero() {
			raise(e, e.changed)
		}
	}
	if c > e.class {
		e.class, e.expanded = c, false
	}
	raise(e, th)
	r.settleLocked(e)
}

// changedLocked records that the changes window ending at end named k.
func (r *run) changedLocked(k key, end time.Time) {
	e := r.entryLocked(k)
	if end.After(e.changed) {
		e.changed = end
	}
	if e.member || r.allMembers {
		raise(e, end)
	}
	r.settleLocked(e)
}

func raise(e *entry, th time.Time) {
	if !e.need || th.After(e.threshold) {
		e.need, e.threshold = true, th
	}
}

// settleLocked queues e's fetch if the archive does not already satisfy it;
// otherwise it follows e's archived links (once).
func (r *run) settleLocked(e *entry) {
	if e.state != stIdle || !e.need {
		return
	}
	if !r.idx.archivedSince(e.key, e.threshold) {
		e.state = stQueued
		r.queued++
		r.sched.pushDetail(r.detailTask(e))
		return
	}
	if l, ok := r.idx.links[e.id]; ok && e.kind == kindLocation {
		r.wantProviderLocked(l.provider)
	}
	r.expandArchivedLocked(e)
}

// wantProviderLocked fetches, once ever, a provider a location of the
// unfiltered scope names that the archive lacks: /providers does not list
// every provider its locations name, and a listed one is one fetch all the
// same (the entry is shared). The other scopes fetch their locations'
// providers anyway (expandLocked).
func (r *run) wantProviderLocked(id string) {
	if id == "" || r.opts.Scope != ScopeAll || !r.opts.Filters.empty() {
		return
	}
	p := r.entryLocked(key{kindProvider, id})
	p.named = true
	r.wantLocked(p.key, time.Time{}, false, classNone)
}

func (r *run) expandArchivedLocked(e *entry) {
	if e.class == classNone || e.expanded || e.kind != kindLocation {
		return
	}
	e.expanded = true
	if l, ok := r.idx.links[e.id]; ok {
		r.expandLocked(e, l.links)
	}
}

// expandLocked follows a location's links: in the clinics scope its provider,
// predecessors and successors join the scope; in a filtered scope its provider.
func (r *run) expandLocked(e *entry, l links) {
	if e.kind != kindLocation || e.class == classNone {
		return
	}
	th := r.s0
	if e.class == classPred {
		th = time.Time{}
	}
	if l.provider != "" {
		r.wantLocked(key{kindProvider, l.provider}, th, true, classNone)
	}
	if r.opts.Scope != ScopeClinics {
		return
	}
	for _, id := range l.pred {
		r.wantLocked(key{kindLocation, id}, time.Time{}, true, classPred)
	}
	for _, id := range l.succ {
		r.wantLocked(key{kindLocation, id}, r.s0, true, classFresh)
	}
}

func (r *run) detailTask(e *entry) task {
	return func(ctx context.Context) error {
		resp, err := r.c.do(ctx, r.reqCtx, detailRequest(e.kind, e.id))
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			if interrupted(ctx, err) {
				e.state = stUnfinished
				return nil
			}
			return err
		}
		r.finishLocked(e, resp)
		return nil
	}
}

// finishLocked records how an item's fetch ended.
func (r *run) finishLocked(e *entry, resp response) {
	r.finished++
	ks := r.sc.Kinds[e.kind]
	switch {
	case resp.failed != "":
		e.state = stFailed
		r.items.Failed++
		f := ks.Failed[e.id]
		f.Runs++
		f.LastStatus, f.LastError, f.LastAt = resp.status, resp.failed, r.opts.Now().UTC()
		if ks.Failed == nil {
			ks.Failed = map[string]FailedItem{}
		}
		ks.Failed[e.id] = f
		if len(r.items.FailedIDs) < 100 {
			r.items.FailedIDs = append(r.items.FailedIDs, e.kind+"/"+e.id)
		}
		r.log.Debug("item failed; the next run retries it", "kind", e.kind, "id", e.id, "reason", resp.failed)
		r.expandArchivedLocked(e)
	case resp.gone:
		e.state = stGone
		r.items.Gone++
		r.idx.mark(e.key, resp.fetchedAt, true)
		delete(ks.Failed, e.id)
	default:
		s, _ := r.idx.lookup(e.key)
		if s.everGood {
			r.items.Changed++
		} else {
			r.items.New++
		}
		r.idx.mark(e.key, resp.fetchedAt, false)
		e.state = stDone
		delete(ks.Failed, e.id)
		if e.kind == kindProvider {
			if docs, err := parseProviderReports(resp.body); err == nil {
				r.idx.provReports[e.id] = datedLinks{links{reports: docs}, resp.fetchedAt}
			}
		}
		// Every scope follows a fetched location's provider: the
		// unfiltered one for providers /providers does not list.
		if e.kind == kindLocation {
			l, err := parseLinks(resp.body)
			if err != nil {
				r.log.Warn("location body has unexpected links; its neighbours are not followed", "id", e.id, "err", err)
				return
			}
			r.idx.links[e.id] = datedLinks{l, resp.fetchedAt}
			r.filterCheckLocked(e, l, resp.fetchedAt)
			r.wantProviderLocked(l.provider)
			if e.class != classNone {
				e.expanded = true
				r.expandLocked(e, l)
			}
		}
	}
}
