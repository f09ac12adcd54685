package cqc

// Filtered scopes after their backfill (docs/architecture.md, "CQC API:
// calls and limits"): the changes feed names the changed locations; those
// whose archived body is in the filters are members and fetched; for the
// others a run must learn whether they entered the filters. It checks each
// one's body (one call each) or reads the filtered list (its pages),
// whichever costs fewer calls. A member whose new body is outside the
// filters leaves the scope, marked in the state (ScopeState.Left) and in
// state/cqc-left-scope.json for normalise, which keeps it as it was
// (leftLocations, saveLocked); its archived bodies stay.

import (
	"time"

	"carelake/schemas/archive"
)

// filterMembersLocked makes every archived location whose latest body is
// in the filters a member of the scope (and its provider, through
// expansion), as the backfill's list did.
func (r *run) filterMembersLocked() {
	for id, l := range r.idx.links {
		if _, left := r.sc.Left[id]; !left && r.opts.Filters.match(l.facets) {
			r.wantLocked(key{kindLocation, id}, r.s0, true, classFresh)
		}
	}
}

// checkChangedLocked queues what tells which changed locations that are not
// members entered the filters: their bodies, or the filtered list when its
// pages are fewer (the backfill's walk says how many).
func (r *run) checkChangedLocked(slices []*slice) {
	var cands []*entry
	seen := map[string]bool{}
	for _, s := range slices {
		if s.kind != kindLocation {
			continue
		}
		for _, id := range s.ids {
			if e := r.entries[key{kindLocation, id}]; e != nil && !e.member && !seen[id] {
				seen[id] = true
				cands = append(cands, e)
			}
		}
	}
	pages := 1
	if lp := r.sc.Backfill.Lists[archive.EndpointLocations]; lp != nil && lp.TotalPages > 0 {
		pages = lp.TotalPages
	}
	if len(cands) > pages {
		r.filterCheck = "list"
		r.log.Info("reading the filtered list costs fewer calls than checking each changed location", "changed_not_in_scope", len(cands), "list_pages", pages)
		r.addListWalkLocked(archive.EndpointLocations, r.opts.Filters.values(), false, classFresh)
		return
	}
	r.filterCheck = "bodies"
	for _, e := range cands {
		e.check = true
		r.wantLocked(e.key, e.changed, false, classNone)
	}
}

// filterCheckLocked applies the filters to a location's new body, fetched
// at at, in a filtered scope: in a changes run a checked location in the
// filters joins the scope and a member outside them leaves it; in any run a
// member or joiner in the filters is no longer marked as left (a backfill
// fetches a location that came back into the filtered list as a member).
// A change of the marks is saved at once, with the file normalise reads
// (saveLocked).
func (r *run) filterCheckLocked(e *entry, l links, at time.Time) {
	if r.opts.Filters.empty() || r.opts.Scope != ScopeAll {
		return
	}
	in := r.opts.Filters.match(l.facets)
	_, wasLeft := r.sc.Left[e.id]
	switch {
	case in && !e.member && e.check && r.phase == "changes":
		e.member = true
		if e.class < classFresh {
			e.class, e.expanded = classFresh, false
		}
		fallthrough
	case in && e.member:
		delete(r.sc.Left, e.id)
		if wasLeft {
			r.log.Info("a location came back into the filtered scope", "id", e.id)
		}
	case !in && e.member && r.phase == "changes":
		e.member = false
		if r.sc.Left == nil {
			r.sc.Left = map[string]time.Time{}
		}
		// The body found outside: normalise stages the last one fetched
		// before it (schemas/leftscope).
		r.sc.Left[e.id] = at.UTC()
		r.items.LeftScope++
		r.log.Info("a location left the filtered scope; the archive keeps what it was", "id", e.id)
	default:
		return
	}
	if _, isLeft := r.sc.Left[e.id]; isLeft != wasLeft {
		if err := r.saveLocked(); err != nil {
			r.log.Warn("could not save that a location left or came back into the filtered scope; the run saves again at its end", "id", e.id, "err", err)
		}
	}
}
