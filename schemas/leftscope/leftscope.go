// Package leftscope is state/cqc-left-scope.json: the CQC locations that
// left a filtered scope (docs/architecture.md, "CQC API: calls and
// limits"). Extract writes it from its state whenever it saves that state;
// normalise reads it to stage such a location as it was inside the filters,
// marked (cqc/locations.left_scope_at).
//
// The file is {"generated_at", "locations": {id: left_at}}. left_at is the
// fetched_at, by extract's data clock, of the archived body of the location
// found outside the filters: normalise stages its last good body fetched
// before that instant, the last one inside them. A location that comes back
// into the filters is no longer listed. With no file (extract has not run,
// or runs no filtered scope) no location is marked.
package leftscope

import (
	"path/filepath"
	"time"

	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
)

// Name is the file's name in the warehouse's state directory.
const Name = "cqc-left-scope.json"

// Path is the left-scope file under a warehouse root.
func Path(root string) string { return filepath.Join(warehouse.StateDir(root), Name) }

// List is the content of the file.
type List struct {
	// GeneratedAt is when extract wrote it, RFC 3339 in UTC.
	GeneratedAt string `json:"generated_at"`
	// Locations maps each location that left to the fetch time of its
	// first archived body outside the filters.
	Locations map[string]time.Time `json:"locations"`
}

// Read reads the file of a warehouse: an empty List when there is none.
func Read(root string) (List, error) {
	var l List
	if err := durable.LoadJSON(Path(root), &l); err != nil {
		return List{}, err
	}
	return l, nil
}

// Write replaces the file of a warehouse with l, atomically and durably.
func Write(root string, l List) error { return durable.SaveJSON(Path(root), l) }
