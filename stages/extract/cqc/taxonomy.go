package cqc

// The global inspection-area taxonomy (GET /inspection-areas): one call a
// run, within the same budget as every other call, archived like every
// answer; normalise reads it into the inspection_area_taxonomy table
// (docs/architecture.md, "CQC API: calls and limits").

import (
	"context"
	"encoding/json"
	"time"

	"carelake/schemas/archive"
)

// taxonomyKey is the taxonomy in the index of what the archive holds.
var taxonomyKey = key{kind: archive.EndpointInspectionAreas}

// taxonomyFresh is how old (by the data clock) an archived taxonomy may be
// and still spare this run its call: a rerun the same night makes none, a
// nightly run always makes one.
const taxonomyFresh = 12 * time.Hour

// What became of the taxonomy in a run (Summary.Taxonomy).
const (
	TaxonomyFetched = "fetched" // a good answer archived by this run
	TaxonomyRecent  = "recent"  // archived less than taxonomyFresh ago: no call
	TaxonomyFailed  = "failed"  // every try failed; the archived one (if any) stays in use
	TaxonomyPending = "pending" // not reached: budget or interruption
)

// queueTaxonomyLocked queues the taxonomy call unless a recent one is archived.
func (r *run) queueTaxonomyLocked() {
	if r.idx.archivedSince(taxonomyKey, r.opts.Now().Add(-taxonomyFresh)) {
		r.taxonomy = TaxonomyRecent
		return
	}
	r.taxonomy = TaxonomyPending
	r.sched.pushPage(func(ctx context.Context) error {
		resp, err := r.c.do(ctx, r.reqCtx, request{endpoint: archive.EndpointInspectionAreas, path: "/inspection-areas"})
		if err != nil {
			if interrupted(ctx, err) {
				return nil
			}
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if resp.failed != "" {
			r.taxonomy = TaxonomyFailed
			r.log.Warn("the inspection-area taxonomy failed; the next run fetches it again", "reason", resp.failed)
			return nil
		}
		r.taxonomy = TaxonomyFetched
		r.idx.mark(taxonomyKey, resp.fetchedAt, false)
		return nil
	})
}

// checkTaxonomy is the shape of a good /inspection-areas body: an object
// whose inspectionAreas is an array.
func checkTaxonomy(body []byte) string {
	var b struct {
		InspectionAreas *[]json.RawMessage `json:"inspectionAreas"`
	}
	if json.Unmarshal(body, &b) != nil || b.InspectionAreas == nil {
		return "inspection-areas body has no inspectionAreas array"
	}
	return ""
}
