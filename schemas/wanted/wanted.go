// Package wanted is state/cqc-wanted.json: the CQC locations and providers
// resolve found missing from the raw archive. Resolve writes it after it
// commits its output; every extract run fetches the IDs it lists that are
// not archived yet; carelake status counts them.
//
// The file is {"generated_at", "locations", "providers"}, the lists sorted:
// locations the lineage graph names without a body (unresolved
// predecessors, unknown clinic locations, unfetched successors) and
// providers of the clinics' locations that are not archived.
package wanted

import (
	"path/filepath"

	"carelake/pipeline/durable"
	"carelake/schemas/warehouse"
)

// Name is the file's name in the warehouse's state directory.
const Name = "cqc-wanted.json"

// Path is the wanted-IDs file under a warehouse root.
func Path(root string) string { return filepath.Join(warehouse.StateDir(root), Name) }

// List is the content of the file.
type List struct {
	// GeneratedAt is when resolve wrote it, RFC 3339 in UTC.
	GeneratedAt string   `json:"generated_at"`
	Locations   []string `json:"locations"`
	Providers   []string `json:"providers"`
}

// Len is how many IDs the list names.
func (l List) Len() int { return len(l.Locations) + len(l.Providers) }

// Read reads the file of a warehouse: an empty List when there is none
// (resolve has not run yet).
func Read(root string) (List, error) {
	var l List
	if err := durable.LoadJSON(Path(root), &l); err != nil {
		return List{}, err
	}
	return l, nil
}

// Write replaces the file of a warehouse with l, atomically and durably.
func Write(root string, l List) error { return durable.SaveJSON(Path(root), l) }
