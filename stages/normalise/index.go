package normalise

import (
	"context"
	"net/http"
	"time"

	"github.com/sourcegraph/conc/stream"

	"carelake/schemas/archive"
)

// pos is a record's place in the archive: segment order, then seq.
type pos struct {
	seg int
	seq int64
}

func (p pos) after(q pos) bool { return p.seg > q.seg || (p.seg == q.seg && p.seq > q.seq) }

type entityKey struct {
	kind entityKind
	id   string
}

// entry is what the index keeps per ID: where its latest good body is, and
// its latest 404.
type entry struct {
	good, gone       pos
	hasGood, hasGone bool
	goodAt, goneAt   time.Time
}

// want is a latest good body the second pass picks up.
type want struct {
	kind      entityKind
	id        string
	fetchedAt time.Time
	goneAt    time.Time
	leftAt    time.Time // the location left a filtered scope (schemas/leftscope)
}

// index is the result of the first pass: per segment, the seqs of the
// records to normalise. It holds positions only, never bodies.
type index struct {
	wants     []map[int64]want // by segment
	records   int
	torn      int // segments with a torn tail
	noID      int // detail records without an ID
	unusable  int // IDs with detail records but no good body
	gone      int // IDs whose good body was followed by a 404
	left      int // locations staged as they were before leaving a filtered scope
	read      int // segments read in full (the others' index was saved: cache.go)
	locations int
	providers int
	// taxonomy is the latest good /inspection-areas answer, if any.
	taxonomy latest
	// reports: the latest good answer of each report document.
	reports map[string]latest
}

// latest is the position of the latest record of a kind and its fetch time.
type latest struct {
	at  pos
	ok  bool
	got time.Time
}

func (l *latest) merge(o latest) {
	if o.ok && (!l.ok || o.at.after(l.at)) {
		*l = o
	}
}

// segmentIndex is what one segment tells about each ID.
type segmentIndex struct {
	entries       map[entityKey]entry
	records, noID int
	torn          bool
	taxonomy      latest
	reports       map[string]latest
}

// indexSegment reads one segment and keeps, per ID, its latest good body
// and latest 404 in that segment. A location that left a filtered scope
// (left: when its body outside the filters was fetched) keeps its latest
// good body fetched before that: the bodies from then on are not its.
func indexSegment(ctx context.Context, si int, path string, left map[string]time.Time) (segmentIndex, error) {
	sx := segmentIndex{entries: map[entityKey]entry{}, reports: map[string]latest{}}
	// Only heads: the bodies are read in the second pass, and only the
	// latest good one of each ID (archive.Head.Good is the rule).
	st, err := archive.ReadHeads(path, func(r *archive.Head) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sx.records++
		switch {
		case r.Endpoint == archive.EndpointInspectionAreas && r.Good():
			sx.taxonomy.merge(latest{pos{si, r.Seq}, true, r.FetchedAt})
		case r.Endpoint == archive.EndpointReport && r.ID != "" && r.Status == http.StatusOK && r.Error == "":
			l := sx.reports[r.ID]
			l.merge(latest{pos{si, r.Seq}, true, r.FetchedAt})
			sx.reports[r.ID] = l
		}
		kind := entityOf(r.Endpoint)
		if kind == kindNone {
			return nil
		}
		if r.ID == "" {
			sx.noID++
			return nil
		}
		k := entityKey{kind, r.ID}
		e := sx.entries[k]
		p := pos{si, r.Seq}
		// A location's bodies from the one found outside a filtered scope
		// on are not what it is kept as: seen, as a body that is not good.
		leftAt, isLeft := left[r.ID]
		afterLeaving := kind == kindLocation && isLeft && !r.FetchedAt.Before(leftAt)
		good := r.Good() && !afterLeaving
		switch {
		case good:
			if !e.hasGood || p.after(e.good) {
				e.good, e.hasGood, e.goodAt = p, true, r.FetchedAt
			}
		case r.Status == http.StatusNotFound:
			if !e.hasGone || p.after(e.gone) {
				e.gone, e.hasGone, e.goneAt = p, true, r.FetchedAt
			}
		default:
			if _, seen := sx.entries[k]; seen {
				return nil
			}
		}
		sx.entries[k] = e
		return nil
	})
	sx.torn = st.Torn
	return sx, err
}

// merge folds a later segment's entry into the running one.
func (e *entry) merge(o entry) {
	if o.hasGood && (!e.hasGood || o.good.after(e.good)) {
		e.good, e.hasGood, e.goodAt = o.good, true, o.goodAt
	}
	if o.hasGone && (!e.hasGone || o.gone.after(e.gone)) {
		e.gone, e.hasGone, e.goneAt = o.gone, true, o.goneAt
	}
}

// buildIndex scans the archive once and finds, for every location and
// provider ID, the latest good body and whether a 404 came after it; for a
// location that left a filtered scope (left), the latest good body before
// it left. Segments are read on up to workers goroutines and merged in
// order; a sealed segment whose index is saved in cache (cacheDir) is not
// read, and the saved indexes of segments no longer there are removed.
func buildIndex(ctx context.Context, cache string, segments []string, workers int, left map[string]time.Time) (*index, error) {
	entries := map[entityKey]entry{}
	ix := &index{wants: make([]map[int64]want, len(segments)), reports: map[string]latest{}}
	var firstErr error
	s := stream.New().WithMaxGoroutines(workers)
	for si, path := range segments {
		s.Go(func() stream.Callback {
			sx, read, err := cachedIndexSegment(ctx, cache, si, path, left)
			return func() {
				if firstErr != nil {
					return
				}
				if err != nil {
					firstErr = err
					return
				}
				if read {
					ix.read++
				}
				ix.records += sx.records
				ix.noID += sx.noID
				ix.taxonomy.merge(sx.taxonomy)
				for id, l := range sx.reports {
					cur := ix.reports[id]
					cur.merge(l)
					ix.reports[id] = cur
				}
				if sx.torn {
					ix.torn++
				}
				if len(entries) == 0 { // the first segment's are the running ones: no copy
					entries = sx.entries
					return
				}
				for k, e := range sx.entries {
					cur, ok := entries[k]
					if !ok {
						entries[k] = e
						continue
					}
					cur.merge(e)
					entries[k] = cur
				}
			}
		})
	}
	s.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	pruneCache(cache, segments)
	// Each segment's wants are counted first, so that its map is made to size.
	size := make([]int, len(segments))
	for _, e := range entries {
		if e.hasGood {
			size[e.good.seg]++
		}
	}
	for k, e := range entries {
		if !e.hasGood {
			ix.unusable++
			continue
		}
		w := want{kind: k.kind, id: k.id, fetchedAt: e.goodAt}
		if e.hasGone && e.gone.after(e.good) {
			w.goneAt = e.goneAt
			ix.gone++
		}
		if at, ok := left[k.id]; ok && k.kind == kindLocation {
			w.leftAt = at
			ix.left++
		}
		m := ix.wants[e.good.seg]
		if m == nil {
			m = make(map[int64]want, size[e.good.seg])
			ix.wants[e.good.seg] = m
		}
		m[e.good.seq] = w
		if k.kind == kindLocation {
			ix.locations++
		} else {
			ix.providers++
		}
	}
	return ix, nil
}
