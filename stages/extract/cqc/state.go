package cqc

import (
	"fmt"
	"maps"
	"path/filepath"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/leftscope"
	"carelake/schemas/warehouse"
)

// Kinds of CQC organisation, as named by the changes feed.
const (
	kindLocation = "location"
	kindProvider = "provider"
)

var kinds = []string{kindLocation, kindProvider}

// StatePath is the extract stage's state file under a warehouse root.
func StatePath(root string) string {
	return filepath.Join(warehouse.StateDir(root), "cqc-extract.json")
}

// stateVersion is the layout of State; a file with another version is refused.
const stateVersion = 1

// State is <out>/state/cqc-extract.json: the small state the extract stage
// keeps besides the archive. The archive itself is the checkpoint of what was
// fetched; the state says where each scope's backfill began, how far its
// list walks went, how far the changes feed was read, and which items failed.
//
// Scopes are keyed by ScopeKey ("all", "all?region=London", "clinics"): each
// has its own backfill and watermarks.
type State struct {
	Version   int                    `json:"version"`
	UpdatedAt time.Time              `json:"updated_at"`
	Scopes    map[string]*ScopeState `json:"scopes"`
}

// ScopeState is the progress of one scope.
type ScopeState struct {
	Backfill Backfill `json:"backfill"`
	// Kinds holds the changes-feed progress and failed items of "location"
	// and "provider".
	Kinds map[string]*KindState `json:"kinds"`
	// Left holds the locations of a filtered scope whose body, fetched for a
	// change, no longer matches the filters (e.g. moved local authority),
	// with that body's fetch time (data clock): the archive keeps what they
	// were; they leave the scope and are no longer kept fresh. A location
	// whose body is found in the filters again is removed. The warehouse's
	// list of them is state/cqc-left-scope.json (leftLocations).
	Left map[string]time.Time `json:"left,omitempty"`
}

// Backfill is the progress of a scope's backfill. IDs archived (good or 404)
// at or after StartedAt count as done; on resume they are found by scanning
// the archive, so a kill loses only the calls in flight.
type Backfill struct {
	// StartedAt is the data time the backfill began; the first changes
	// window starts here, so nothing that changed during it is missed.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// CompletedAt is set once every listed item was archived, found gone or
	// recorded as failed.
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Lists is the walk of each list endpoint ("locations", "providers"),
	// saved after every page.
	Lists map[string]*ListProgress `json:"lists,omitempty"`
}

// ListProgress is how far a list walk went.
type ListProgress struct {
	Query      string `json:"query"` // filters and perPage, as sent
	PagesDone  int    `json:"pages_done"`
	TotalPages int    `json:"total_pages"`
	Total      int    `json:"total"` // items the API reports
	Complete   bool   `json:"complete"`
}

// KindState is the changes-feed progress of one kind in one scope.
type KindState struct {
	// Watermark: every change before it is archived. Reads of the feed
	// start here (inclusive).
	Watermark *time.Time `json:"watermark,omitempty"`
	// PendingEnds are the ends of windows read after Watermark that could
	// not all be archived yet; each stays a separate window so that IDs
	// archived after its end are not fetched again.
	PendingEnds []time.Time `json:"pending_ends,omitempty"`
	// RecentEnds are the ends of recent windows that were fully archived:
	// the run that read a window fetched its items after its end, so a
	// look-back window cut at these ends fetches only what that run missed.
	RecentEnds []time.Time `json:"recent_ends,omitempty"`
	// Failed items are retried first by the next run.
	Failed map[string]FailedItem `json:"failed,omitempty"`
}

// FailedItem is an item whose calls all failed in a run.
type FailedItem struct {
	Runs       int       `json:"runs"`
	LastStatus int       `json:"last_status"`
	LastError  string    `json:"last_error"`
	LastAt     time.Time `json:"last_at"`
}

// LoadState reads the state file of a warehouse (an empty State if none).
func LoadState(root string) (*State, error) {
	st := &State{}
	if err := durable.LoadJSON(StatePath(root), st); err != nil {
		return nil, err
	}
	if st.Version == 0 && st.Scopes == nil {
		st.Version = stateVersion
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state file %s has version %d, this carelake understands %d: upgrade carelake or move the file away",
			StatePath(root), st.Version, stateVersion)
	}
	if st.Scopes == nil {
		st.Scopes = map[string]*ScopeState{}
	}
	return st, nil
}

// scope returns the state of a scope, creating it.
func (st *State) scope(key string) *ScopeState {
	sc := st.Scopes[key]
	if sc == nil {
		sc = &ScopeState{}
		st.Scopes[key] = sc
	}
	if sc.Kinds == nil {
		sc.Kinds = map[string]*KindState{}
	}
	for _, k := range kinds {
		if sc.Kinds[k] == nil {
			sc.Kinds[k] = &KindState{}
		}
	}
	if sc.Backfill.Lists == nil {
		sc.Backfill.Lists = map[string]*ListProgress{}
	}
	return sc
}

func saveState(root string, st *State, now time.Time) error {
	st.UpdatedAt = now.UTC()
	if err := durable.SaveJSON(StatePath(root), st); err != nil {
		return fmt.Errorf("save extract state: %w", err)
	}
	return nil
}

// saveLocked saves the state, then the file telling normalise which
// locations left a filtered scope (schemas/leftscope) when what it lists
// changed. The state goes first: a run killed between the two writes the
// file again at its next save.
func (r *run) saveLocked() error {
	if err := saveState(r.opts.Root, r.st, r.opts.Now()); err != nil {
		return err
	}
	left := leftLocations(r.st, r.idx)
	if maps.Equal(left, r.leftSaved) {
		return nil
	}
	l := leftscope.List{GeneratedAt: r.opts.Now().UTC().Format(time.RFC3339), Locations: left}
	if err := leftscope.Write(r.opts.Root, l); err != nil {
		return fmt.Errorf("save the locations that left a filtered scope: %w", err)
	}
	r.leftSaved = left
	return nil
}

// leftLocations are the locations that left a filtered scope of st
// (ScopeState.Left) and that no other scope of the warehouse keeps fresh:
// the unfiltered scope, once its backfill began, keeps every location;
// another filtered scope those whose latest archived body is in its filters
// and that have not left it. A location that left several scopes left at
// the latest of those times (the bodies before it were in one of them).
// The clinics scope is not asked (its members are not in the state): a
// clinic's location that left a filtered scope is marked all the same.
func leftLocations(st *State, idx *index) map[string]time.Time {
	out := map[string]time.Time{}
	if sc := st.Scopes[string(ScopeAll)]; sc != nil && sc.Backfill.StartedAt != nil {
		return out
	}
	filters := map[string]Filters{}
	for key := range st.Scopes {
		if f, ok := filtersOfScope(key); ok {
			filters[key] = f
		}
	}
	held := func(id, leftKey string) bool {
		l, archived := idx.links[id]
		for key, f := range filters {
			if _, left := st.Scopes[key].Left[id]; key != leftKey && !left && archived && f.match(l.facets) {
				return true
			}
		}
		return false
	}
	for key, sc := range st.Scopes {
		for id, at := range sc.Left {
			if !held(id, key) && at.After(out[id]) {
				out[id] = at
			}
		}
	}
	return out
}
